package slackapp_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackapp"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// callBlocks returns the call IDs a message's call blocks name.
func callBlocks(t *testing.T, m slackfake.Message) []string {
	t.Helper()
	var blocks []struct {
		Type   string `json:"type"`
		CallID string `json:"call_id"`
	}
	require.NoError(t, json.Unmarshal(m.Blocks, &blocks))
	var ids []string
	for _, b := range blocks {
		if b.Type == "call" {
			ids = append(ids, b.CallID)
		}
	}
	return ids
}

// invite runs the slash command as Carol in #general.
func (a *app) invite(t *testing.T, text string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, _, err := a.slack.SlashCommand(ctx, slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: text})
	require.NoError(t, err)
}

// posts returns the channel posts made so far.
func (a *app) posts() []slackfake.Message {
	var out []slackfake.Message
	for _, m := range a.slack.Messages() {
		if m.Kind == "post" {
			out = append(out, m)
		}
	}
	return out
}

// waitCall waits until the one call registered satisfies ok.
func (a *app) waitCall(t *testing.T, what string, ok func(slackfake.Call) bool) slackfake.Call {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	calls, err := a.slack.WaitSlackCalls(ctx, func(cs []slackfake.Call) bool { return len(cs) == 1 && ok(cs[0]) })
	require.NoError(t, err, "waiting until %s; calls: %+v", what, a.slack.SlackCalls())
	return calls[0]
}

// ringing returns the participant of the running meeting being called on
// number.
func (a *app) ringing(t *testing.T, number string) meetingfake.Participant {
	t.Helper()
	for _, p := range a.meet.Participants(running) {
		if p.Number == number {
			return p
		}
	}
	require.Failf(t, "not in the meeting", "%s in %+v", number, a.meet.Participants(running))
	return meetingfake.Participant{}
}

func slackIDs(users []slackfake.CallUser) []string {
	var ids []string
	for _, u := range users {
		ids = append(ids, u.SlackID)
	}
	return ids
}

// A meeting is one call in Slack however many invitations go into it:
// registered once, shown in every post, fed with who of the people called
// is in the meeting, and ended with it.
func TestAMeetingIsOneSlackCall(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{CallPoll: 20 * time.Millisecond}, withScopes("calls:write"), withPresence())

	var wg sync.WaitGroup
	for _, who := range []string{"<@UCROWD0000>", "<@UCROWD0001>"} {
		wg.Go(func() { a.invite(t, running+" "+who) })
	}
	wg.Wait()
	a.waitMessages(t, 2)
	require.Len(t, a.posts(), 2)

	call := a.waitCall(t, "registered", func(slackfake.Call) bool { return true })
	assert.Equal(t, 1, a.slack.Calls("calls.add"), "one calls.add for the meeting")
	assert.Equal(t, "Weekly sync", call.Title)
	assert.Equal(t, running, call.ExternalDisplayID)
	assert.Equal(t, "UCAROL", call.CreatedBy)
	assert.Equal(t, a.meet.JoinLink(running, false), call.JoinURL, "the guest link, never the host's")
	assert.Empty(t, call.DesktopAppJoinURL)
	for _, p := range a.posts() {
		assert.Equal(t, []string{call.ID}, callBlocks(t, p), "each post shows the call")
	}

	first := a.ringing(t, "+442079400000")
	require.True(t, a.meet.Answer(running, first.Number))
	call = a.waitCall(t, "the first joined", func(c slackfake.Call) bool { return len(c.Participants) == 1 })
	assert.Equal(t, []string{"UCROWD0000"}, slackIDs(call.Participants))
	require.True(t, a.meet.Answer(running, "+442079400001"))
	a.waitCall(t, "the second joined", func(c slackfake.Call) bool { return len(c.Participants) == 2 })

	require.True(t, a.meet.Leave(running, a.ringing(t, "+442079400000").PID))
	call = a.waitCall(t, "the first left", func(c slackfake.Call) bool { return len(c.Participants) == 1 })
	assert.Equal(t, []string{"UCROWD0001"}, slackIDs(call.Participants))

	a.meet.SetState(running, meetingfake.StateDestroyed)
	a.waitCall(t, "the call ended", func(c slackfake.Call) bool { return c.Ended })
	assert.Equal(t, 1, a.slack.Calls("calls.end"))
	assert.Equal(t, 1, a.slack.Calls("calls.add"))
}

// The meeting's call is registered while the invite request is out, not
// after it: Huawei answers the invite here only once Slack has the call.
func TestTheSlackCallIsRegisteredWhileTheInviteIsSent(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{CallPoll: 20 * time.Millisecond}, withScopes("calls:write"), withPresence())
	registered := make(chan bool, 1)
	a.meet.OnInvite(func(meetingfake.Invitation) {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		_, err := a.slack.WaitSlackCalls(ctx, func(calls []slackfake.Call) bool { return len(calls) == 1 })
		registered <- err == nil
	})

	a.invite(t, running+" <@UCROWD0000>")
	a.waitMessages(t, 1)

	assert.True(t, <-registered, "calls.add was made before Huawei answered the invite")
	call := a.waitCall(t, "registered", func(slackfake.Call) bool { return true })
	assert.Equal(t, []string{call.ID}, callBlocks(t, a.posts()[0]), "the post shows the call")
	assert.Equal(t, 1, a.slack.Calls("calls.add"))
	require.True(t, a.meet.Answer(running, a.ringing(t, "+442079400000").Number))
	a.waitCall(t, "the invitee is fed into the call", func(c slackfake.Call) bool { return len(c.Participants) == 1 })
}

// Without calls:write, or when Slack refuses the call, the post goes as it
// always did; the bot stops asking for a while after missing_scope.
func TestPostsGoWithoutTheCallCardWhenSlackWillNotHaveIt(t *testing.T) {
	t.Parallel()
	t.Run("no calls:write", func(t *testing.T) {
		t.Parallel()
		a := startApp(t, slackapp.Config{})
		a.invite(t, running+" <@UCROWD0000>")
		a.invite(t, running+" <@UCROWD0001>")
		a.waitMessages(t, 2)
		for _, p := range a.posts() {
			assert.Empty(t, callBlocks(t, p))
			assert.Contains(t, p.Text, "invited 1 person to Weekly sync")
		}
		assert.Equal(t, 1, a.slack.Calls("calls.add"), "refused once for want of the scope, then not asked again")
		assert.Empty(t, a.slack.SlackCalls())
	})
	t.Run("Slack refuses", func(t *testing.T) {
		t.Parallel()
		a := startApp(t, slackapp.Config{}, withScopes("calls:write"))
		a.slack.FailNext("calls.add", slackfake.Failure{Error: "internal_error"})
		a.invite(t, running+" <@UCROWD0000>")
		post := a.waitMessages(t, 1)[0]
		assert.Empty(t, callBlocks(t, post))
		assert.Len(t, a.meet.Invitations(running), 1, "the call went out all the same")

		a.invite(t, running+" <@UCROWD0001>")
		a.waitMessages(t, 2)
		call := a.waitCall(t, "registered on the next try", func(slackfake.Call) bool { return true })
		assert.Equal(t, []string{call.ID}, callBlocks(t, a.posts()[1]))
	})
}

// Someone the call shows already (put there by a process that died, say)
// is added again without hiding whoever is added with them: Slack answers
// bad_users for a whole request naming one person it shows already, so
// the bot adds one person a request.
func TestTheCallShowsEveryoneInTheMeetingWhoeverShowedThemBefore(t *testing.T) {
	t.Parallel()
	// A look every second: both answers below land in the same look.
	a := startApp(t, slackapp.Config{CallPoll: time.Second}, withScopes("calls:write"), withPresence())
	a.invite(t, running+" <@UCROWD0000> <@UCROWD0001>")
	a.waitMessages(t, 1)
	call := a.waitCall(t, "registered", func(slackfake.Call) bool { return true })
	api := slack.New(a.slack.BotToken(), slack.OptionAPIURL(a.slack.APIURL()))
	require.NoError(t, api.CallAddParticipantsContext(t.Context(), call.ID, []slack.CallParticipant{{SlackID: "UCROWD0000"}}))

	require.True(t, a.meet.Answer(running, "+442079400000"))
	require.True(t, a.meet.Answer(running, "+442079400001"))
	call = a.waitCall(t, "both shown", func(c slackfake.Call) bool { return len(c.Participants) == 2 })
	assert.Equal(t, []string{"UCROWD0000", "UCROWD0001"}, slackIDs(call.Participants))
	assert.Equal(t, 3, a.slack.Calls("calls.participants.add"), "the test's, then one for each of them")
}

// A call fed while Slack says the app lost calls:write turns the card off
// for a while, as a refused calls.add does: the next post goes without it.
func TestACallFedWithoutTheScopeTurnsTheCardOff(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{CallPoll: 20 * time.Millisecond}, withScopes("calls:write"), withPresence())
	a.invite(t, running+" <@UCROWD0000>")
	first := a.waitMessages(t, 1)[0]
	require.Len(t, callBlocks(t, first), 1)
	a.slack.FailNext("calls.participants.add", slackfake.Failure{Error: "missing_scope"})

	require.True(t, a.meet.Answer(running, "+442079400000"))
	require.Eventually(t, func() bool { return a.slack.Calls("calls.participants.add") == 1 }, 10*time.Second, 10*time.Millisecond)
	a.invite(t, running+" <@UCROWD0001>")
	require.Eventually(t, func() bool { return len(a.posts()) == 2 }, 10*time.Second, 10*time.Millisecond)
	assert.Empty(t, callBlocks(t, a.posts()[1]), "posted without the card")
	assert.Empty(t, a.slack.SlackCalls()[0].Participants)
}
