package slackfake_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

func TestUsersInfo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		scopes     []string
		token      string // default: the bot token
		user       string
		opts       []slack.GetUserInfoOption
		wantErr    string
		wantEmail  string
		wantLocale string
	}{
		{name: "full profile", user: "U1", wantEmail: "alice@example.com", wantLocale: "zh-CN"},
		{name: "email hidden without users:read.email", scopes: []string{"users:read"}, user: "U1", wantLocale: "zh-CN"},
		{name: "locale only with include_locale", user: "U1", wantEmail: "alice@example.com",
			opts: []slack.GetUserInfoOption{slack.GetUserInfoOptionIncludeLocale(false)}},
		{name: "unknown user", user: "U404", wantErr: "user_not_found"},
		{name: "wrong token", token: "xoxb-wrong", user: "U1", wantErr: "invalid_auth"},
		{name: "app token", token: "xapp-fake-app-token", user: "U1", wantErr: "not_allowed_token_type"},
		{name: "missing users:read", scopes: []string{"chat:write"}, user: "U1", wantErr: "missing_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := seed()
			cfg.Scopes = tt.scopes
			fake := start(t, cfg)
			token := tt.token
			if token == "" {
				token = fake.BotToken()
			}
			api := slack.New(token, slack.OptionAPIURL(fake.APIURL()))
			u, err := api.GetUserInfoContext(t.Context(), tt.user, tt.opts...)
			assert.Equal(t, 1, fake.Calls("users.info"))
			if tt.wantErr != "" {
				assert.Equal(t, tt.wantErr, slackErr(t, err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "U1", u.ID)
			assert.Equal(t, "T0FAKE", u.TeamID)
			assert.Equal(t, "alice", u.Name)
			assert.Equal(t, "Alice Liddell", u.RealName)
			assert.Equal(t, "alice", u.Profile.DisplayName)
			assert.Equal(t, "+8613800000001", u.Profile.Phone)
			assert.Equal(t, "Engineer", u.Profile.Title)
			assert.Equal(t, "Asia/Shanghai", u.TZ)
			assert.Equal(t, 8*3600, u.TZOffset)
			assert.False(t, u.IsBot)
			assert.Equal(t, tt.wantEmail, u.Profile.Email)
			assert.Equal(t, tt.wantLocale, u.Locale)
		})
	}
}

func TestMissingScopeNamesNeededAndProvided(t *testing.T) {
	t.Parallel()
	cfg := seed()
	cfg.Scopes = []string{"commands", "chat:write"}
	fake := start(t, cfg)
	_, err := apiClient(fake).GetUserGroupMembersContext(t.Context(), "S1")
	var se slack.SlackErrorResponse
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "missing_scope", se.Err)
	assert.Equal(t, "usergroups:read", se.Needed)
	assert.Equal(t, "commands,chat:write", se.Provided)
}

func TestUsersLookupByEmailAndGroups(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	api := apiClient(fake)

	u, err := api.GetUserByEmailContext(t.Context(), "BOB@example.com")
	require.NoError(t, err)
	assert.Equal(t, "U2", u.ID)
	_, err = api.GetUserByEmailContext(t.Context(), "nobody@example.com")
	assert.Equal(t, "users_not_found", slackErr(t, err))

	ids, err := api.GetUserGroupMembersContext(t.Context(), "S1")
	require.NoError(t, err)
	assert.Equal(t, []string{"U1", "U2"}, ids)
	_, err = api.GetUserGroupMembersContext(t.Context(), "S404")
	assert.Equal(t, "no_such_subteam", slackErr(t, err))

	bot, err := api.GetUserInfoContext(t.Context(), "UBOT")
	require.NoError(t, err)
	assert.True(t, bot.IsBot, "the bot user is in the directory")
}

func TestConversationsMembersPaginates(t *testing.T) {
	t.Parallel()
	cfg := seed()
	var many []string
	for i := range 250 {
		many = append(many, fmt.Sprintf("U%04d", i))
	}
	cfg.Channels = append(cfg.Channels, slackfake.Channel{ID: "C9", Name: "big", Members: many, BotIsMember: true})
	fake := start(t, cfg)
	api := apiClient(fake)

	var got []string
	var sizes []int
	cursor := ""
	for {
		ids, next, err := api.GetUsersInConversationContext(t.Context(),
			&slack.GetUsersInConversationParameters{ChannelID: "C9", Cursor: cursor, Limit: 100})
		require.NoError(t, err)
		got = append(got, ids...)
		sizes = append(sizes, len(ids))
		if next == "" {
			break
		}
		cursor = next
	}
	assert.Equal(t, []int{100, 100, 51}, sizes)
	assert.Equal(t, append(slices.Clone(many), "UBOT"), got, "the bot is listed as a member")

	tests := []struct {
		name, channel, cursor, wantErr string
	}{
		{name: "unknown channel", channel: "C404", wantErr: "channel_not_found"},
		{name: "private channel without the bot", channel: "G1", wantErr: "channel_not_found"},
		{name: "forged cursor", channel: "C9", cursor: "bm9wZQ==", wantErr: "invalid_cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := api.GetUsersInConversationContext(t.Context(),
				&slack.GetUsersInConversationParameters{ChannelID: tt.channel, Cursor: tt.cursor})
			assert.Equal(t, tt.wantErr, slackErr(t, err))
		})
	}
}

func TestConversationsReplies(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	thread := []slackfake.ThreadMessage{
		{User: "U1", Text: "meeting at 3?", TS: "1700000000.000100"},
		{User: "U2", Text: "yes", TS: "1700000001.000100"},
		{User: "U3", Text: "me too", TS: "1700000002.000100"},
	}
	fake.Thread("C1", "1700000000.000100", thread)
	fake.Thread("C2", "1700000000.000100", thread)
	api := apiClient(fake)

	tests := []struct {
		name, channel, ts string
		limit             int
		wantTexts         []string
		wantMore          bool
		wantErr           string
	}{
		{name: "from the parent", channel: "C1", ts: "1700000000.000100", wantTexts: []string{"meeting at 3?", "yes", "me too"}},
		{name: "from a reply", channel: "C1", ts: "1700000001.000100", wantTexts: []string{"meeting at 3?", "yes", "me too"}},
		{name: "first page", channel: "C1", ts: "1700000000.000100", limit: 2, wantTexts: []string{"meeting at 3?", "yes"}, wantMore: true},
		{name: "bot not in channel", channel: "C2", ts: "1700000000.000100", wantErr: "not_in_channel"},
		{name: "unknown thread", channel: "C1", ts: "1.2", wantErr: "thread_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msgs, more, next, err := api.GetConversationRepliesContext(t.Context(),
				&slack.GetConversationRepliesParameters{ChannelID: tt.channel, Timestamp: tt.ts, Limit: tt.limit})
			if tt.wantErr != "" {
				assert.Equal(t, tt.wantErr, slackErr(t, err))
				return
			}
			require.NoError(t, err)
			var texts []string
			for _, m := range msgs {
				texts = append(texts, m.Text)
				assert.Equal(t, "1700000000.000100", m.ThreadTimestamp)
			}
			assert.Equal(t, tt.wantTexts, texts)
			assert.Equal(t, tt.wantMore, more)
			assert.Equal(t, tt.wantMore, next != "")
			assert.Equal(t, 2, msgs[0].ReplyCount)
			assert.Equal(t, "U1", msgs[0].User)
		})
	}
}

func TestViewsOpen(t *testing.T) {
	t.Parallel()
	cfg := seed()
	cfg.TriggerTTL = 200 * time.Millisecond
	fake := start(t, cfg)
	runBot(t, fake, ackAll)
	api := apiClient(fake)

	long := modal(strings.Repeat("x", 3001))
	noSubmit := modal("")
	noSubmit.Submit = nil
	longTitle := modal("")
	longTitle.Title = txt(strings.Repeat("t", 25))
	crowded := modal("") // a context block of 11 elements breaks Block Kit's limit of 10
	var els []slack.MixedElement
	for range 11 {
		els = append(els, txt("x"))
	}
	crowded.Blocks.BlockSet = append(crowded.Blocks.BlockSet, slack.NewContextBlock("", els...))
	tests := []struct {
		name    string
		trigger func(fresh string) string
		before  func(t *testing.T, trigger string)
		view    slack.ModalViewRequest
		wantErr string
	}{
		{name: "valid", view: modal(`{"channel_id":"C1"}`)},
		{name: "reused trigger", view: modal(""), wantErr: "exchanged_trigger_id",
			before: func(t *testing.T, trigger string) {
				_, err := api.OpenViewContext(t.Context(), trigger, modal(""))
				require.NoError(t, err)
			}},
		{name: "expired trigger", view: modal(""), wantErr: "expired_trigger_id",
			before: func(*testing.T, string) { time.Sleep(300 * time.Millisecond) }},
		{name: "unknown trigger", view: modal(""), wantErr: "invalid_trigger_id",
			trigger: func(string) string { return "1700000000.1.0123abcd" }},
		{name: "title over 24 characters", view: longTitle, wantErr: "invalid_arguments"},
		{name: "input blocks without submit", view: noSubmit, wantErr: "invalid_arguments"},
		{name: "private_metadata over 3000 characters", view: long, wantErr: "invalid_arguments"},
		{name: "blocks over Block Kit's limits", view: crowded, wantErr: "invalid_arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sent, _, err := fake.SlashCommand(timeout(t, 5*time.Second), slackfake.Command{UserID: "U1", ChannelID: "C1"})
			require.NoError(t, err)
			trigger := sent.TriggerID
			if tt.trigger != nil {
				trigger = tt.trigger(trigger)
			}
			if tt.before != nil {
				tt.before(t, trigger)
			}
			resp, err := api.OpenViewContext(t.Context(), trigger, tt.view)
			if tt.wantErr != "" {
				assert.Equal(t, tt.wantErr, slackErr(t, err))
				return
			}
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(resp.ID, "V"), resp.ID)
			assert.Equal(t, "meet_invite_modal", resp.CallbackID)
			assert.Equal(t, `{"channel_id":"C1"}`, resp.PrivateMetadata)
			assert.Equal(t, "T0FAKE", resp.TeamID)
			i := slices.IndexFunc(fake.Views(), func(v slackfake.View) bool { return v.ID == resp.ID })
			require.GreaterOrEqual(t, i, 0)
			v := fake.Views()[i]
			assert.Equal(t, trigger, v.TriggerID)
			assert.Equal(t, "meet_invite_modal", v.CallbackID)
			assert.Equal(t, `{"channel_id":"C1"}`, v.PrivateMetadata)
			assert.Contains(t, string(v.JSON), `"block_id":"meeting_block"`)
		})
	}
}

func TestChatPostMessage(t *testing.T) {
	t.Parallel()
	section := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Inviting*", false, false), nil, nil)
	tests := []struct {
		name        string
		extraScopes []string
		channel     string
		opts        []slack.MsgOption
		wantErr     string
		wantChannel string
		wantUser    string
		wantBlocks  string
		wantThread  string
	}{
		{name: "member channel with blocks", channel: "C1", wantChannel: "C1",
			opts:       []slack.MsgOption{slack.MsgOptionText("Inviting", false), slack.MsgOptionBlocks(section)},
			wantBlocks: `[{"type":"section","text":{"type":"mrkdwn","text":"*Inviting*"}}]`},
		{name: "thread reply", channel: "C1", wantChannel: "C1", wantThread: "1700000000.000100",
			opts: []slack.MsgOption{slack.MsgOptionText("done", false), slack.MsgOptionTS("1700000000.000100")}},
		{name: "channel by name", channel: "#general", wantChannel: "C1", opts: []slack.MsgOption{slack.MsgOptionText("hi", false)}},
		{name: "private channel the bot is in", channel: "G2", wantChannel: "G2", opts: []slack.MsgOption{slack.MsgOptionText("hi", false)}},
		{name: "public channel without the bot", channel: "C2", wantErr: "not_in_channel",
			opts: []slack.MsgOption{slack.MsgOptionText("hi", false)}},
		{name: "public channel with chat:write.public", channel: "C2", wantChannel: "C2", extraScopes: []string{"chat:write.public"},
			opts: []slack.MsgOption{slack.MsgOptionText("hi", false)}},
		{name: "private channel without the bot", channel: "G1", wantErr: "channel_not_found",
			opts: []slack.MsgOption{slack.MsgOptionText("hi", false)}},
		{name: "unknown channel", channel: "C404", wantErr: "channel_not_found",
			opts: []slack.MsgOption{slack.MsgOptionText("hi", false)}},
		{name: "DM by user ID", channel: "U2", wantChannel: "D2", wantUser: "U2",
			opts: []slack.MsgOption{slack.MsgOptionText("hi", false)}},
		{name: "DM to a bot", channel: "UBOT", wantErr: "cannot_dm_bot", opts: []slack.MsgOption{slack.MsgOptionText("hi", false)}},
		{name: "no text", channel: "C1", wantErr: "no_text"},
		{name: "text too long", channel: "C1", wantErr: "msg_too_long",
			opts: []slack.MsgOption{slack.MsgOptionText(strings.Repeat("x", 40001), false)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := seed()
			cfg.Scopes = append(slices.Clone(slackfake.DefaultScopes), tt.extraScopes...)
			fake := start(t, cfg)
			channel, ts, err := apiClient(fake).PostMessageContext(t.Context(), tt.channel, tt.opts...)
			if tt.wantErr != "" {
				assert.Equal(t, tt.wantErr, slackErr(t, err))
				assert.Empty(t, fake.Messages())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantChannel, channel)
			msgs := fake.Messages()
			require.Len(t, msgs, 1)
			m := msgs[0]
			assert.Equal(t, "post", m.Kind)
			assert.Equal(t, tt.wantChannel, m.Channel)
			assert.Equal(t, tt.wantUser, m.User)
			assert.Equal(t, ts, m.TS)
			assert.Equal(t, tt.wantThread, m.ThreadTS)
			if tt.wantBlocks != "" {
				assert.JSONEq(t, tt.wantBlocks, string(m.Blocks))
			} else {
				assert.Nil(t, m.Blocks)
			}
		})
	}
}

func TestChatPostMessageRejectsInvalidBlocks(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	tests := []struct{ name, blocks string }{
		{name: "not an array", blocks: `{"type":"section"}`},
		{name: "not JSON", blocks: `[{"type":`},
		{name: "block without type", blocks: `[{"text":{"type":"mrkdwn","text":"x"}}]`},
		{name: "unknown block type", blocks: `[{"type":"banner"}]`},
		{name: "duplicate block_id", blocks: `[{"type":"divider","block_id":"a"},{"type":"divider","block_id":"a"}]`},
		{name: "more than 50 blocks", blocks: "[" + strings.Repeat(`{"type":"divider"},`, 50) + `{"type":"divider"}]`},
		{name: "section text over 3,000 characters", blocks: `[{"type":"section","text":{"type":"mrkdwn","text":"` + strings.Repeat("x", 3001) + `"}}]`},
		{name: "11 context elements", blocks: `[{"type":"context","elements":[` + strings.Repeat(`{"type":"mrkdwn","text":"x"},`, 10) + `{"type":"mrkdwn","text":"x"}]}]`},
		{name: "button text over 75", blocks: `[{"type":"actions","elements":[{"type":"button","action_id":"a","text":{"type":"plain_text","text":"` + strings.Repeat("x", 76) + `"}}]}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := rawCall(t, fake, "chat.postMessage",
				url.Values{"token": {fake.BotToken()}, "channel": {"C1"}, "text": {"x"}, "blocks": {tt.blocks}})
			assert.Equal(t, false, got["ok"])
			assert.Equal(t, "invalid_blocks", got["error"])
			msgs, _ := got["response_metadata"].(map[string]any)["messages"].([]any)
			if assert.NotEmpty(t, msgs, "Slack says what is wrong") {
				assert.Contains(t, msgs[0], "[ERROR] ")
				assert.Contains(t, msgs[0], "[json-pointer:/blocks")
			}
		})
	}
	assert.Empty(t, fake.Messages())
}

func TestChatPostEphemeral(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, channel, user string
		wantErr, wantChan   string
	}{
		{name: "member of a bot channel", channel: "C1", user: "U2", wantChan: "C1"},
		{name: "public channel without the bot", channel: "C2", user: "U3", wantChan: "C2"},
		{name: "user not in channel", channel: "C1", user: "U3", wantErr: "user_not_in_channel"},
		{name: "private channel without the bot", channel: "G1", user: "U1", wantErr: "channel_not_found"},
		{name: "unknown channel", channel: "C404", user: "U1", wantErr: "channel_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := start(t, seed())
			ts, err := apiClient(fake).PostEphemeralContext(t.Context(), tt.channel, tt.user, slack.MsgOptionText("only you", false))
			if tt.wantErr != "" {
				assert.Equal(t, tt.wantErr, slackErr(t, err))
				return
			}
			require.NoError(t, err)
			msgs := fake.Messages()
			require.Len(t, msgs, 1)
			assert.Equal(t, slackfake.Message{Kind: "ephemeral", Channel: tt.wantChan, User: tt.user, Text: "only you",
				TS: ts, At: msgs[0].At}, msgs[0])
		})
	}
}

func TestChatUpdate(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	api := apiClient(fake)
	_, ts, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionText("calling…", false))
	require.NoError(t, err)

	_, _, _, err = api.UpdateMessageContext(t.Context(), "C1", ts, slack.MsgOptionText("answered", false))
	require.NoError(t, err)
	_, _, _, err = api.UpdateMessageContext(t.Context(), "C1", "1.000001", slack.MsgOptionText("x", false))
	assert.Equal(t, "message_not_found", slackErr(t, err))

	msgs := fake.Messages()
	require.Len(t, msgs, 2)
	assert.Equal(t, "update", msgs[1].Kind)
	assert.Equal(t, ts, msgs[1].TS)
	assert.Equal(t, "answered", msgs[1].Text)
}

func TestResponseURL(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	runBot(t, fake, ackAll)
	api := apiClient(fake)
	sent, _, err := fake.SlashCommand(timeout(t, 5*time.Second), slackfake.Command{UserID: "U1", ChannelID: "C2"})
	require.NoError(t, err)

	for i := range 5 {
		_, _, err := api.PostMessageContext(t.Context(), "",
			slack.MsgOptionResponseURL(sent.ResponseURL, slack.ResponseTypeInChannel),
			slack.MsgOptionText(fmt.Sprintf("result %d", i), false))
		require.NoError(t, err, "use %d", i+1)
	}
	_, _, err = api.PostMessageContext(t.Context(), "",
		slack.MsgOptionResponseURL(sent.ResponseURL, slack.ResponseTypeInChannel), slack.MsgOptionText("sixth", false))
	var sce slack.StatusCodeError
	require.ErrorAs(t, err, &sce)
	assert.Equal(t, http.StatusNotFound, sce.Code, "a response URL allows 5 uses")

	_, _, err = api.PostMessageContext(t.Context(), "",
		slack.MsgOptionResponseURL(strings.TrimSuffix(fake.APIURL(), "api/")+"response/unknown", slack.ResponseTypeEphemeral),
		slack.MsgOptionText("x", false))
	require.ErrorAs(t, err, &sce)
	assert.Equal(t, http.StatusNotFound, sce.Code)

	msgs := fake.Messages()
	require.Len(t, msgs, 5)
	for i, m := range msgs {
		assert.Equal(t, "response", m.Kind)
		assert.Equal(t, "in_channel", m.ResponseType)
		assert.Equal(t, "C2", m.Channel)
		assert.Equal(t, "U1", m.User)
		assert.Equal(t, fmt.Sprintf("result %d", i), m.Text)
	}
	assert.Equal(t, 7, fake.Calls("response_url"))
}

func TestFailNext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		failure slackfake.Failure
		check   func(t *testing.T, err error, elapsed time.Duration)
	}{
		{name: "rate limited", failure: slackfake.Failure{RetryAfter: 2 * time.Second},
			check: func(t *testing.T, err error, _ time.Duration) {
				var rl *slack.RateLimitedError
				require.ErrorAs(t, err, &rl)
				assert.Equal(t, 2*time.Second, rl.RetryAfter)
				assert.True(t, rl.Retryable())
			}},
		{name: "slack error", failure: slackfake.Failure{Error: "team_access_not_granted"},
			check: func(t *testing.T, err error, _ time.Duration) {
				assert.Equal(t, "team_access_not_granted", slackErr(t, err))
			}},
		{name: "server error", failure: slackfake.Failure{Status: http.StatusServiceUnavailable},
			check: func(t *testing.T, err error, _ time.Duration) {
				var sce slack.StatusCodeError
				require.ErrorAs(t, err, &sce)
				assert.Equal(t, http.StatusServiceUnavailable, sce.Code)
			}},
		{name: "raw body", failure: slackfake.Failure{Body: "<html>oops</html>"},
			check: func(t *testing.T, err error, _ time.Duration) { assert.Error(t, err) }},
		{name: "slow but fine", failure: slackfake.Failure{Delay: 150 * time.Millisecond},
			check: func(t *testing.T, err error, elapsed time.Duration) {
				assert.NoError(t, err)
				assert.GreaterOrEqual(t, elapsed, 150*time.Millisecond)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := start(t, seed())
			api := apiClient(fake)
			fake.FailNext("users.info", tt.failure)
			begin := time.Now()
			_, err := api.GetUserInfoContext(t.Context(), "U1")
			tt.check(t, err, time.Since(begin))

			_, err = api.GetUserInfoContext(t.Context(), "U1")
			assert.NoError(t, err, "a failure is served once")
			assert.Equal(t, 2, fake.Calls("users.info"))
		})
	}
}

func TestErrorShape(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	tests := []struct {
		name, method string
		form         url.Values
		want         map[string]any
	}{
		{name: "unknown method", method: "chat.nope", form: url.Values{"token": {fake.BotToken()}},
			want: map[string]any{"ok": false, "error": "unknown_method"}},
		{name: "no token", method: "users.info", form: url.Values{"user": {"U1"}},
			want: map[string]any{"ok": false, "error": "not_authed"}},
		{name: "missing argument", method: "users.info", form: url.Values{"token": {fake.BotToken()}},
			want: map[string]any{"ok": false, "error": "invalid_arguments",
				"response_metadata": map[string]any{"messages": []any{"[ERROR] missing required field: user"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, rawCall(t, fake, tt.method, tt.form))
		})
	}
}

func TestLatencySlowsEveryCall(t *testing.T) {
	t.Parallel()
	cfg := seed()
	cfg.Latency = 100 * time.Millisecond
	fake := start(t, cfg)
	begin := time.Now()
	_, err := apiClient(fake).GetUserInfoContext(t.Context(), "U1")
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(begin), 100*time.Millisecond)
}

func TestSubscribeAndWaitMessages(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	feed, unsubscribe := fake.Subscribe()
	_, _, err := apiClient(fake).PostMessageContext(t.Context(), "C1", slack.MsgOptionText("hello", false))
	require.NoError(t, err)

	select {
	case m := <-feed:
		assert.Equal(t, "hello", m.Text)
		assert.Equal(t, "C1", m.Channel)
	case <-time.After(5 * time.Second):
		require.FailNow(t, "no message on the feed")
	}
	msgs, err := fake.WaitMessages(timeout(t, 5*time.Second), 1)
	require.NoError(t, err)
	assert.Len(t, msgs, 1)

	unsubscribe()
	unsubscribe()
	_, open := <-feed
	assert.False(t, open)
}

func TestSeedChangesAtRunTime(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	api := apiClient(fake)

	fake.AddUser(slackfake.User{ID: "U9", Name: "dave"})
	u, err := api.GetUserInfoContext(t.Context(), "U9")
	require.NoError(t, err)
	assert.Equal(t, "dave", u.Name)
	assert.True(t, slices.ContainsFunc(fake.Users(), func(u slackfake.User) bool { return u.ID == "U9" }))

	fake.SetBotMember("C2", true)
	_, _, err = api.PostMessageContext(t.Context(), "C2", slack.MsgOptionText("joined", false))
	require.NoError(t, err)
	fake.SetBotMember("C1", false)
	_, _, err = api.PostMessageContext(t.Context(), "C1", slack.MsgOptionText("left", false))
	assert.Equal(t, "not_in_channel", slackErr(t, err))

	assert.Len(t, fake.Channels(), 4)
	assert.Equal(t, []slackfake.Group{{ID: "S1", Handle: "eng", Name: "Engineering", Members: []string{"U1", "U2"}}}, fake.Groups())
}
