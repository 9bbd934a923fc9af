package slackfake_test

import (
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

// withCalls is the seed workspace with the app granted calls:write.
func withCalls() slackfake.Config {
	cfg := seed()
	cfg.Scopes = append(slices.Clone(slackfake.DefaultScopes), "calls:write")
	return cfg
}

// callsAPI posts form values, with the bot token, to a calls.* method
// and decodes the answer, to see what slack-go's types leave out.
func callsAPI(t *testing.T, s *slackfake.Server, method string, form url.Values) map[string]any {
	t.Helper()
	form.Set("token", s.BotToken())
	return rawCall(t, s, method, form)
}

func TestCallsNeedTheCallsScope(t *testing.T) {
	t.Parallel()
	s := start(t, seed()) // the default scopes lack calls:write
	_, err := apiClient(s).AddCallContext(t.Context(), slack.AddCallParameters{
		ExternalUniqueID: "914083136", JoinURL: "https://meeting.example/j/914083136", CreatedBy: "U1",
	})
	var se slack.SlackErrorResponse
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "missing_scope", se.Err)
	assert.Empty(t, s.SlackCalls())
}

func TestACallsLife(t *testing.T) {
	t.Parallel()
	s := start(t, withCalls())
	api := apiClient(s)
	ctx := t.Context()

	call, err := api.AddCallContext(ctx, slack.AddCallParameters{
		ExternalUniqueID: "914083136", JoinURL: "https://meeting.example/j/914083136", CreatedBy: "U1",
		Title: "Weekly sync", ExternalDisplayID: "914 083 136",
	})
	require.NoError(t, err)
	require.NotEmpty(t, call.ID)
	assert.Equal(t, "Weekly sync", call.Title)

	require.NoError(t, api.CallAddParticipantsContext(ctx, call.ID, []slack.CallParticipant{{SlackID: "U2"}}))
	require.NoError(t, api.CallAddParticipantsContext(ctx, call.ID, []slack.CallParticipant{{SlackID: "U3"}}))
	require.NoError(t, api.CallRemoveParticipantsContext(ctx, call.ID, []slack.CallParticipant{{SlackID: "U2"}}))
	calls := s.SlackCalls()
	require.Len(t, calls, 1)
	assert.Equal(t, []slackfake.CallUser{{SlackID: "U3"}}, calls[0].Participants)

	again := callsAPI(t, s, "calls.participants.add", url.Values{"id": {call.ID}, "users": {`[{"slack_id":"U3"}]`}})
	assert.Equal(t, map[string]any{"ok": true, "error": "bad_users"}, again, "the page's answer for someone already in the call")
	gone := callsAPI(t, s, "calls.participants.remove", url.Values{"id": {call.ID}, "users": {`[{"slack_id":"U2"}]`}})
	assert.Equal(t, map[string]any{"ok": true, "error": "bad_users"}, gone, "and for someone not in it")

	updated, err := api.UpdateCallContext(ctx, call.ID, slack.UpdateCallParameters{Title: "Weekly sync (moved)"})
	require.NoError(t, err)
	assert.Equal(t, "Weekly sync (moved)", updated.Title)

	require.NoError(t, api.EndCallContext(ctx, call.ID, slack.EndCallParameters{Duration: 90 * time.Second}))
	ended := s.SlackCalls()[0]
	assert.True(t, ended.Ended)
	assert.EqualValues(t, 90, ended.Duration)
	assert.Equal(t, map[string]any{"ok": true, "error": "inactive_call"}, callsAPI(t, s, "calls.end", url.Values{"id": {call.ID}}),
		"the page's answer for a call already ended")
	err = api.CallAddParticipantsContext(ctx, call.ID, []slack.CallParticipant{{SlackID: "U1"}})
	assert.Equal(t, "inactive_call", slackErr(t, err))
}

// A request naming one user who is already in the call (or, to remove,
// not in it) is answered bad_users and changes nothing: the pages do not
// say that the others are applied, and the fake does not assume it.
func TestBadUsersChangesNobody(t *testing.T) {
	t.Parallel()
	s := start(t, withCalls())
	api := apiClient(s)
	ctx := t.Context()
	call, err := api.AddCallContext(ctx, slack.AddCallParameters{
		ExternalUniqueID: "914083136", JoinURL: "https://meeting.example/j/914083136", CreatedBy: "U1",
	})
	require.NoError(t, err)
	require.NoError(t, api.CallAddParticipantsContext(ctx, call.ID, []slack.CallParticipant{{SlackID: "U2"}}))

	both := url.Values{"id": {call.ID}, "users": {`[{"slack_id":"U2"},{"slack_id":"U3"}]`}}
	assert.Equal(t, map[string]any{"ok": true, "error": "bad_users"}, callsAPI(t, s, "calls.participants.add", both))
	assert.Equal(t, []slackfake.CallUser{{SlackID: "U2"}}, s.SlackCalls()[0].Participants, "U3 is not added either")

	both = url.Values{"id": {call.ID}, "users": {`[{"slack_id":"U2"},{"slack_id":"U3"}]`}}
	assert.Equal(t, map[string]any{"ok": true, "error": "bad_users"}, callsAPI(t, s, "calls.participants.remove", both))
	assert.Equal(t, []slackfake.CallUser{{SlackID: "U2"}}, s.SlackCalls()[0].Participants, "U2 is not removed either")
}

func TestCallsRefuseWhatSlackRefuses(t *testing.T) {
	t.Parallel()
	s := start(t, withCalls())
	api := apiClient(s)
	ctx := t.Context()
	call, err := api.AddCallContext(ctx, slack.AddCallParameters{ExternalUniqueID: "M1", JoinURL: "https://meeting.example/j/1", CreatedBy: "U1"})
	require.NoError(t, err)

	tests := []struct {
		name, method string
		form         url.Values
		want         string
	}{
		{"no join_url", "calls.add", url.Values{"external_unique_id": {"M2"}, "created_by": {"U1"}}, "invalid_arguments"},
		{"no external_unique_id", "calls.add", url.Values{"join_url": {"https://x.example/"}, "created_by": {"U1"}}, "invalid_arguments"},
		{"no created_by with a bot token", "calls.add", url.Values{"external_unique_id": {"M2"}, "join_url": {"https://x.example/"}}, "invalid_arguments"},
		{"an unknown creator", "calls.add", url.Values{"external_unique_id": {"M2"}, "join_url": {"https://x.example/"}, "created_by": {"UNOPE"}}, "invalid_created_by"},
		{"a join_url that is no URL", "calls.add", url.Values{"external_unique_id": {"M2"}, "join_url": {"cloudlink://x"}, "created_by": {"U1"}}, "invalid_arguments"},
		{"a start that is no time", "calls.add", url.Values{"external_unique_id": {"M2"}, "join_url": {"https://x.example/"}, "created_by": {"U1"}, "date_start": {"soon"}}, "invalid_start_time"},
		{"an ID used before", "calls.add", url.Values{"external_unique_id": {"M1"}, "join_url": {"https://x.example/"}, "created_by": {"U1"}}, "invalid_arguments"},
		{"an unknown participant", "calls.participants.add", url.Values{"id": {call.ID}, "users": {`[{"slack_id":"UNOPE"}]`}}, "user_not_found"},
		{"no users", "calls.participants.add", url.Values{"id": {call.ID}}, "missing_argument"},
		{"no call", "calls.participants.remove", url.Values{"users": {`[{"slack_id":"U1"}]`}}, "missing_argument"},
		{"an unknown call", "calls.end", url.Values{"id": {"RNOPE"}}, "invalid_call_id"},
		{"calls.info needs calls:read", "calls.info", url.Values{"id": {call.ID}}, "missing_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := callsAPI(t, s, tt.method, tt.form)
			assert.Equal(t, false, got["ok"], "%v", got)
			assert.Equal(t, tt.want, got["error"], "%v", got)
		})
	}
	assert.Len(t, s.SlackCalls(), 1, "nothing refused was registered")
}

func TestACallBlockNamesACall(t *testing.T) {
	t.Parallel()
	s := start(t, withCalls())
	api := apiClient(s)
	ctx := t.Context()
	_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("a call", false),
		slack.MsgOptionBlocks(slack.NewCallBlock("")))
	assert.Equal(t, "invalid_blocks", slackErr(t, err))
	_, _, err = api.PostMessageContext(ctx, "C1", slack.MsgOptionText("a call", false),
		slack.MsgOptionBlocks(slack.NewCallBlock("R0E69JAIF")))
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(s.Messages()[0].Blocks), `"call_id":"R0E69JAIF"`))
}

func TestCallsAreRateLimitedAtTier3(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
	cfg := withCalls()
	cfg.RateLimits = &slackfake.RateLimits{Now: clk.Now}
	s := start(t, cfg)
	api := apiClient(s)
	call, err := api.AddCallContext(t.Context(), slack.AddCallParameters{ExternalUniqueID: "M1", JoinURL: "https://meeting.example/j/1", CreatedBy: "U1"})
	require.NoError(t, err)
	for i := range slackfake.Tier3 { // 50 a minute, whoever is added
		users := []slack.CallParticipant{{SlackID: "U2"}}
		if i%2 == 1 {
			err = api.CallRemoveParticipantsContext(t.Context(), call.ID, users)
		} else {
			err = api.CallAddParticipantsContext(t.Context(), call.ID, users)
		}
		require.NoError(t, err, "call %d", i+1)
	}
	assert.NoError(t, api.CallAddParticipantsContext(t.Context(), call.ID, []slack.CallParticipant{{SlackID: "U3"}}),
		"each method has its own window: adds and removes were 25 each")
	for range slackfake.Tier3 - 26 {
		require.NoError(t, api.CallAddParticipantsContext(t.Context(), call.ID, []slack.CallParticipant{{SlackID: "U3"}}))
	}
	assert.Positive(t, retryAfter(t, api.CallAddParticipantsContext(t.Context(), call.ID, []slack.CallParticipant{{SlackID: "U1"}})))
}
