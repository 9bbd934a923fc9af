package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// Issue 14: nobody outside the rules makes the bot ring anyone.

// olga is of another organisation, in #general through Slack Connect.
var olga = slackfake.User{ID: "UOLGA", TeamID: "TOTHER", Name: "olga", RealName: "Olga Outside", Phone: "+44 20 7946 0999", IsStranger: true}

func withOlga() option {
	return withSlack(func(c *slackfake.Config) {
		c.Users = append(c.Users, olga)
		c.Channels[0].Members = append(c.Channels[0].Members, olga.ID)
	})
}

func TestAnExternalPersonCannotInviteNorPressButtons(t *testing.T) {
	t.Parallel()
	b := startBot(t, withOlga())
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()

	_, _, err := b.slack.SlashCommand(ctx, slackfake.Command{UserID: olga.ID, TeamID: olga.TeamID, ChannelID: "CGENERAL", Text: running + " <@UALICE> <@UBOB>"})
	require.NoError(t, err)
	msgs := b.waitMessages(t, 1)
	assert.Contains(t, msgs[0].Text, "People from another organisation can't invite")
	assert.Equal(t, olga.ID, msgs[0].User, "told privately")

	// Carol's Try again, pressed by Olga once the meeting runs: refused;
	// pressed by Carol: run.
	b.command(t, "CGENERAL", notStarted+" <@UALICE>")
	problem := b.waitMessages(t, 2)[1]
	require.Contains(t, blocksText(t, problem.Blocks), "Try again")
	b.meet.SetState(notStarted, meetingfake.StateCreated)
	_, _, err = b.slack.ClickButton(ctx, slackfake.Click{UserID: olga.ID, ChannelID: "CGENERAL", ActionID: "retry_invite", MessageTS: problem.TS})
	require.NoError(t, err)
	msgs = b.waitMessages(t, 3)
	assert.Contains(t, msgs[2].Text, "People from another organisation can't invite")
	b.settle(t)
	assert.Zero(t, b.meet.Calls(meetingfake.EndpointInvite), "Olga made nobody ring")
	assert.Regexp(t, `"msg":"request refused"[^\n]*"action":"retry_invite"[^\n]*"invoker":"UOLGA"[^\n]*"refusal":"external"`,
		b.logs.String(), "the audit names the presser")

	_, _, err = b.slack.ClickButton(ctx, slackfake.Click{UserID: "UCAROL", ChannelID: "CGENERAL", ActionID: "retry_invite", MessageTS: problem.TS})
	require.NoError(t, err)
	b.waitMessages(t, 4)
	require.Len(t, b.meet.Invitations(notStarted), 1, "Carol's press runs")
}

func TestAnExternalInviteeIsSkippedUnlessAllowed(t *testing.T) {
	t.Parallel()
	for _, allow := range []string{"", "true"} {
		t.Run("ALLOW_EXTERNAL="+allow, func(t *testing.T) {
			t.Parallel()
			b := startBot(t, withOlga(), withEnv("ALLOW_EXTERNAL", allow))
			b.command(t, "CGENERAL", running+" <@UBOB> <@UOLGA>")
			b.settle(t)
			invs := b.meet.Invitations(running)
			require.Len(t, invs, 1)
			var phones []string
			for _, a := range invs[0].Attendees {
				phones = append(phones, a.Phone)
			}
			if allow == "true" {
				assert.ElementsMatch(t, []string{"+442079460000", "+442079460999"}, phones)
				return
			}
			assert.Equal(t, []string{"+442079460000"}, phones, "Olga's organisation's phone is not rung")
			var said string
			for _, m := range b.slack.Messages() {
				said += m.Text + blocksText(t, m.Blocks)
			}
			assert.Contains(t, said, "they belong to another organisation")
		})
	}
}

func TestDirectMessagesBetweenPeopleFollowTheChannelRules(t *testing.T) {
	t.Parallel()
	b := startBot(t, withEnv("ALLOWED_CHANNELS", "CGENERAL"), withSlack(func(c *slackfake.Config) {
		c.Channels = append(c.Channels,
			slackfake.Channel{ID: "DCAROLBOB", IsIM: true, Members: []string{"UCAROL", "UBOB"}},            // Carol and Bob
			slackfake.Channel{ID: "DALICEBOT", IsIM: true, Members: []string{"UALICE"}, BotIsMember: true}, // Alice and the bot
		)
	}))

	b.command(t, "DCAROLBOB", running+" <@UALICE>")
	b.command(t, "DALICEBOT", running+" <@UALICE>") // someone else's DM with the bot
	b.settle(t)
	assert.Zero(t, b.meet.Calls(meetingfake.EndpointInvite), "neither DM is Carol's with the bot")
	for _, m := range b.slack.Messages() {
		assert.Contains(t, m.Text, "aren't enabled in this channel")
		assert.Equal(t, "UCAROL", m.User)
	}

	b.command(t, "DCAROL", running+" <@UALICE>") // Carol's own DM with the bot
	b.settle(t)
	assert.Len(t, b.meet.Invitations(running), 1, "her own DM with the bot is exempt")
}

func TestForgedPayloadsAreIgnored(t *testing.T) {
	t.Parallel()
	var stolen atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { stolen.Add(1) }))
	t.Cleanup(elsewhere.Close)
	b := startBot(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()

	// A Try again value the bot never signed: nothing runs.
	_, _, err := b.slack.ClickButton(ctx, slackfake.Click{UserID: "UCAROL", ChannelID: "CGENERAL", ActionID: "retry_invite",
		Value: `{"c":"` + running + `","u":["UALICE"],"h":true}`})
	require.NoError(t, err)

	// A form whose metadata would post into #secret: refused in the ack.
	_, ack, err := b.slack.SendInteractive(ctx, map[string]any{
		"type": "view_submission", "user": map[string]any{"id": "UCAROL"},
		"view": map[string]any{"id": "VFORGED", "callback_id": "meet_invite_modal", "private_metadata": `{"u":"UCAROL","c":"CSECRET"}`,
			"state": map[string]any{"values": map[string]any{
				"meeting_block":  map[string]any{"meeting_id": map[string]any{"type": "external_select", "selected_option": map[string]any{"value": running}}},
				"invitees_block": map[string]any{"invitees": map[string]any{"type": "multi_users_select", "selected_users": []string{"UALICE"}}},
			}}},
	})
	require.NoError(t, err)
	assert.Contains(t, string(ack.Payload), "can't be sent any more")

	// A real Try again, with a response_url that is not Slack's: the
	// outcome comes by the Web API, and nothing goes elsewhere.
	b.command(t, "CGENERAL", notStarted+" <@UALICE>")
	problem := b.waitMessages(t, 1)[0]
	b.meet.SetState(notStarted, meetingfake.StateCreated)
	_, _, err = b.slack.ClickButton(ctx, slackfake.Click{UserID: "UCAROL", ChannelID: "CGENERAL", ActionID: "retry_invite",
		MessageTS: problem.TS, ResponseURL: elsewhere.URL + "/hooks"})
	require.NoError(t, err)
	b.settle(t)

	assert.Zero(t, stolen.Load(), "no request to a forged response_url")
	assert.Zero(t, b.meet.Calls(meetingfake.EndpointInvite)-1, "only the real button invited")
	require.Len(t, b.meet.Invitations(notStarted), 1)
	for _, m := range b.slack.Messages() {
		assert.NotEqual(t, "CSECRET", m.Channel)
	}
	assert.Empty(t, b.meet.Invitations(running), "the forged button and form called nobody")
}

func TestAPersonIsToldToSlowDown(t *testing.T) {
	t.Parallel()
	b := startBot(t, withEnv("CALLS_PER_MINUTE", "1"), withEnv("INVITE_MAX_PEOPLE", "1"), withEnv("ALLOW_DIRECT_INVITES", "true"))

	// The burst is INVITE_MAX_PEOPLE + 1 (the largest invitation, with the
	// meeting it may start): two people, then nobody for a while.
	for _, who := range []string{"<@UALICE>", "<@UBOB>", "+8613800000009"} {
		b.command(t, "CGENERAL", running+" "+who)
		b.settle(t)
	}

	require.Len(t, b.meet.Invitations(running), 2, "the third invitation called nobody")
	msgs := b.slack.Messages()
	require.Len(t, msgs, 3)
	assert.Regexp(t, `^Slow down: you can have at most 1 person called a minute, so I called nobody this time. Try again in (1 minute|\d+ seconds)\.`, msgs[2].Text)
	assert.Equal(t, "UCAROL", msgs[2].User)
}

func TestAnExternalPersonsPlainWordsAreNotRead(t *testing.T) {
	t.Parallel()
	model, opt := withModel(t)
	b := startBot(t, opt, withOlga())
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()

	_, _, err := b.slack.SlashCommand(ctx, slackfake.Command{UserID: olga.ID, TeamID: olga.TeamID, ChannelID: "CGENERAL", Text: plainWords})
	require.NoError(t, err)
	msgs := b.waitMessages(t, 1)
	assert.Contains(t, msgs[0].Text, "People from another organisation can't invite")
	b.settle(t)
	assert.Empty(t, model.Requests(), "the model is not asked")
}
