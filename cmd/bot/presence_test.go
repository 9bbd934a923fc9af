package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// privateAndPost splits an invitation's two messages.
func privateAndPost(t *testing.T, msgs []slackfake.Message) (post, private slackfake.Message) {
	t.Helper()
	var gotPost, gotPrivate bool
	for _, m := range msgs {
		switch m.Kind {
		case "post":
			post, gotPost = m, true
		case "response", "ephemeral":
			private, gotPrivate = m, true
		}
	}
	require.True(t, gotPost, "a channel post in %v", msgs)
	require.True(t, gotPrivate, "a private note in %v", msgs)
	return post, private
}

func TestPeopleAlreadyInTheMeetingAreNotCalled(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	// Alice joined from her laptop before anyone asked; Huawei knows her
	// by her meeting number.
	require.NotEmpty(t, b.meet.Join(running, meetingfake.Participant{Name: "Alice (laptop)", Number: aliceSIP}))

	b.command(t, "CGENERAL", running+" <@UALICE> <@UBOB>")

	post, private := privateAndPost(t, b.waitMessages(t, 2))
	assert.Contains(t, post.Text, "1 person")
	assert.NotContains(t, blocksText(t, post.Blocks), "<@UALICE>")
	assert.Contains(t, private.Text, "<@UALICE> — they're already in the meeting.")
	invs := b.meet.Invitations(running)
	require.Len(t, invs, 1)
	require.Len(t, invs[0].Attendees, 1, "only Bob is called")
	assert.Equal(t, "+442079460000", invs[0].Attendees[0].Phone)
	assert.LessOrEqual(t, b.meet.Calls(meetingfake.EndpointOnlineAttendees), 1,
		"asked at most once, alongside the lookups (not at all when the meeting's live list came first)")
}

func TestNobodyIsCalledWhenEveryoneIsThere(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	b.meet.Join(running, meetingfake.Participant{Name: "Alice", Number: aliceSIP})
	b.meet.Join(running, meetingfake.Participant{Name: "Bob", Number: "+44 20 7946 0000"})

	ack := b.command(t, "CGENERAL", running+" <@UALICE> <@UBOB>")

	assert.Contains(t, ackText(t, ack), "Inviting 2 people")
	msgs := b.waitMessages(t, 1)
	assert.NotEqual(t, "post", msgs[0].Kind, "nothing to announce in the channel")
	assert.Contains(t, msgs[0].Text, "<@UALICE>, <@UBOB> — they're already in the meeting.", "one line for one reason")
	b.settle(t)
	assert.Len(t, b.slack.Messages(), 1)
	assert.Empty(t, b.meet.Invitations(running), "no invite request")
}

// After the first invitation into a meeting the bot follows it over the
// control WebSocket: later invitations know who is there without asking.
func TestTheBotFollowsAMeetingItInvitesInto(t *testing.T) {
	t.Parallel()
	b := startBot(t)

	b.command(t, "CGENERAL", running+" <@UBOB>")
	b.waitMessages(t, 1)
	require.Eventually(t, func() bool { return b.meet.Subscribers(running) == 1 }, 5*time.Second, 10*time.Millisecond,
		"the bot subscribes to the meeting's participants")
	asked := b.meet.Calls(meetingfake.EndpointOnlineAttendees)

	// Alice dials in from her phone; Bob answers, and the post says so.
	b.meet.Join(running, meetingfake.Participant{Name: "Alice", Number: "+8613800000001"})
	require.True(t, b.meet.Answer(running, "+442079460000"))
	msgs := b.waitMessages(t, 2)
	assert.Equal(t, "update", msgs[1].Kind)
	assert.Contains(t, blocksText(t, msgs[1].Blocks), ":white_check_mark: <@UBOB> joined")

	b.command(t, "CGENERAL", running+" <@UALICE> <@UBOB>")

	msgs = b.waitMessages(t, 3)
	text := msgs[2].Text
	assert.Contains(t, text, "<@UALICE>, <@UBOB> — they're already in the meeting.", "Alice found by the phone the directory gives for her")
	assert.Len(t, b.meet.Invitations(running), 1, "no second invite request")
	assert.Equal(t, asked, b.meet.Calls(meetingfake.EndpointOnlineAttendees), "answered from the live list, no request")

	// Alice leaves; asked again, the bot calls her.
	for _, p := range b.meet.Participants(running) {
		if p.Number == "+8613800000001" {
			require.True(t, b.meet.Leave(running, p.PID))
		}
	}
	// Her leaving reaches the bot as a push over its subscription, a moment
	// later: until then it says she is in the meeting and calls nobody.
	for n := 4; ; n++ {
		b.command(t, "CGENERAL", running+" <@UALICE>")
		msgs = b.waitMessages(t, n)
		if msgs[n-1].Kind == "post" {
			break
		}
		require.Contains(t, msgs[n-1].Text, "already in the meeting")
		require.Less(t, n, 50, "the bot never saw Alice leave")
		time.Sleep(50 * time.Millisecond)
	}
	require.Len(t, b.meet.Invitations(running), 2)
	assert.Equal(t, aliceSIP, b.meet.Invitations(running)[1].Attendees[0].Phone)
	assert.True(t, strings.Contains(b.logs.String(), "watching the meeting's participants"))
}

// When the meeting ends the bot's subscription ends with it, and nothing
// is left connected.
func TestTheBotStopsFollowingAnEndedMeeting(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	b.command(t, "CGENERAL", running+" <@UBOB>")
	b.waitMessages(t, 1)
	require.Eventually(t, func() bool { return b.meet.Subscribers(running) == 1 }, 5*time.Second, 10*time.Millisecond)

	b.meet.SetState(running, meetingfake.StateDestroyed)

	require.Eventually(t, func() bool { return b.meet.Subscribers(running) == 0 }, 5*time.Second, 10*time.Millisecond)
	// Bob was ringing when the meeting ended: that is no missed call.
	b.settle(t, "calls") // the following of his call ends with the list
	for _, m := range b.slack.Messages() {
		if m.Kind == "update" {
			assert.Contains(t, m.Text, "This meeting has ended.", "the only update says so")
			assert.NotContains(t, m.Text, "didn't answer", "and claims nothing of Bob's call")
		}
		assert.NotEqual(t, "UBOB", m.User, "no missed-call message: %s", m.Text)
	}
	b.command(t, "CGENERAL", running+" <@UALICE>")
	require.Eventually(t, func() bool {
		for _, m := range b.slack.Messages() {
			if m.Kind == "response" || m.Kind == "ephemeral" {
				return strings.Contains(m.Text, "ended")
			}
		}
		return false
	}, 10*time.Second, 10*time.Millisecond, "the invoker is told the meeting has ended: %v", b.slack.Messages())
}

// The channel post follows the calls: who joined, who did not answer.
func TestThePostShowsWhoAnswered(t *testing.T) {
	t.Parallel()
	b := startBot(t)

	b.command(t, "CGENERAL", running+" <@UALICE> <@UBOB>")
	post := b.waitMessages(t, 1)[0]
	require.Equal(t, "post", post.Kind)
	require.Eventually(t, func() bool { return len(b.meet.Participants(running)) == 2 }, 5*time.Second, 10*time.Millisecond)

	require.True(t, b.meet.Answer(running, aliceSIP))
	progress := b.waitMessages(t, 2)[1]
	assert.Equal(t, "update", progress.Kind)
	assert.Equal(t, post.TS, progress.TS, "the same post, updated")
	blocks := blocksText(t, progress.Blocks)
	assert.Contains(t, blocks, ":white_check_mark: <@UALICE> joined")
	assert.Contains(t, blocks, ":bell: <@UBOB> ringing")
	assert.Contains(t, blocks, "Calling now", "still calling")

	// Bob declines: his call leaves the list without joining.
	for _, p := range b.meet.Participants(running) {
		if p.Number == "+442079460000" {
			require.True(t, b.meet.Leave(running, p.PID))
		}
	}
	// The post's final state and Bob's note come in either order: updates
	// of one post are paced.
	final := b.waitMatch(t, "the final update", func(m slackfake.Message) bool {
		return m.Kind == "update" && strings.Contains(m.Text, "didn't answer")
	})
	assert.Equal(t, "<@UCAROL> invited 2 people to Weekly sync (meeting "+running+"): 1 joined, 1 didn't answer.", final.Text)
	blocks = blocksText(t, final.Blocks)
	assert.Contains(t, blocks, ":x: <@UBOB> didn't answer")
	assert.Contains(t, blocks, "Join the meeting", "the join button stays")
	assert.NotContains(t, blocks, "7946")

	assert.Contains(t, blocks, "Call again")

	// Bob is told privately whom he missed, with the way in.
	dm := b.waitMatch(t, "Bob's note", func(m slackfake.Message) bool { return m.User == "UBOB" })
	assert.Equal(t, "post", dm.Kind, "a direct message to Bob")
	assert.Equal(t, "You missed a call from <@UCAROL> into Weekly sync (meeting "+running+"). Join whenever you can.", dm.Text)
	assert.Contains(t, string(dm.Blocks), `"url":"https://c.meeting.huaweicloud.com/#/j/`+running+`/`)
	b.settle(t, "calls")
	assert.Len(t, b.slack.Messages(), 4, "nothing more once every call ended; Alice gets no note")

	// Call again rings Bob once more, at once: his call is known to be over.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, ack, err := b.slack.ClickButton(ctx, slackfake.Click{UserID: "UCAROL", ChannelID: "CGENERAL", ActionID: "call_again", MessageTS: post.TS})
	require.NoError(t, err)
	assert.Nil(t, ack.Payload)
	again := b.waitMessages(t, 5)[4]
	assert.Equal(t, "post", again.Kind)
	assert.Contains(t, again.Text, "invited 1 person")
	invs := b.meet.Invitations(running)
	require.Len(t, invs, 2)
	require.Len(t, invs[1].Attendees, 1)
	assert.Equal(t, "+442079460000", invs[1].Attendees[0].Phone)
}

// Whoever still rings when CALL_STATUS_FOR runs out is shown as not having
// answered.
func TestThePostGivesUpOnCallsThatRingOn(t *testing.T) {
	t.Parallel()
	b := startBot(t, withEnv("CALL_STATUS_FOR", "1500ms"))

	b.command(t, "CGENERAL", running+" <@UBOB>")

	// The post's update and Bob's note come in either order: updates are paced.
	b.waitMatch(t, "the post's update", func(m slackfake.Message) bool {
		return m.Kind == "update" && strings.Contains(m.Text, "1 didn't answer")
	})
	b.waitMatch(t, "Bob's note", func(m slackfake.Message) bool { return m.User == "UBOB" })
}

// When the calls cannot be seen (here the control WebSocket is refused),
// the post stays as it was: nothing is claimed about who answered.
func TestThePostStaysWhenCallsCannotBeSeen(t *testing.T) {
	t.Parallel()
	b := startBot(t, withEnv("CALL_STATUS_FOR", "1s"))
	b.meet.FailNext(meetingfake.EndpointWsToken, meetingfake.Failure{Status: 500})

	b.command(t, "CGENERAL", running+" <@UBOB>")
	b.waitMessages(t, 1)

	b.settle(t, "calls") // until CALL_STATUS_FOR, never live
	assert.Len(t, b.slack.Messages(), 1)
	assert.Equal(t, 1, b.meet.Calls(meetingfake.EndpointWsToken))
	assert.Contains(t, b.logs.String(), "cannot watch the meeting's participants")
}

// whoami tells each person privately how they would be reached, masked.
func TestWhoAmI(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	tests := []struct {
		user, want string
	}{
		{"UALICE", "I'd ring you in the Huawei Cloud Meeting app, on your meeting number ending in 0249"},
		{"UBOB", "I'd call your phone, on the number ending in 0000 in your Slack profile"},
		{"UCAROL", "I only know your email address, c•••@example.com"},
		{"UDAVE", "I couldn't reach you: your Slack profile has no email or phone number"},
	}
	for i, tt := range tests {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		_, ack, err := b.slack.SlashCommand(ctx, slackfake.Command{UserID: tt.user, ChannelID: "CGENERAL", Text: "whoami"})
		cancel()
		require.NoError(t, err)
		assert.Equal(t, "Checking how I would reach you…", ackText(t, ack))
		m := b.waitMessages(t, i+1)[i]
		assert.NotEqual(t, "post", m.Kind, "only the person sees it")
		assert.Equal(t, tt.user, m.User)
		assert.Contains(t, m.Text, tt.want)
		assert.Contains(t, m.Text, "Nobody was called.")
	}
	assert.Empty(t, b.meet.Invitations(running))
	assert.NotContains(t, b.logs.String(), aliceSIP)
}

// When a meeting the bot invited into ends, its post says so and its Join
// button goes.
func TestThePostSaysWhenTheMeetingEnds(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	b.command(t, "CGENERAL", running+" <@UALICE> <@UBOB>")
	post := b.waitMessages(t, 1)[0]
	require.Contains(t, string(post.Blocks), `"url":"https://c.meeting.huaweicloud.com/#/j/`)
	require.Eventually(t, func() bool { return b.meet.Subscribers(running) == 1 }, 5*time.Second, 10*time.Millisecond)
	require.True(t, b.meet.Answer(running, aliceSIP))
	b.waitMessages(t, 2) // Alice joined

	b.meet.SetState(running, meetingfake.StateDestroyed)

	require.Eventually(t, func() bool {
		msgs := b.slack.Messages()
		last := msgs[len(msgs)-1]
		return last.Kind == "update" && strings.Contains(blocksText(t, last.Blocks), "This meeting has ended.")
	}, 5*time.Second, 10*time.Millisecond, "the post says the meeting ended: %v", b.slack.Messages())
	msgs := b.slack.Messages()
	last := msgs[len(msgs)-1]
	assert.Equal(t, post.TS, last.TS)
	assert.NotContains(t, string(last.Blocks), `"url"`, "no Join button for an ended meeting")
	assert.NotContains(t, string(last.Blocks), "call_again")
	assert.Contains(t, blocksText(t, last.Blocks), "<@UCAROL> invited 2 people to *Weekly sync*")
	assert.NotContains(t, blocksText(t, last.Blocks), "ringing", "Bob's call never ended: nothing is claimed about it")
	b.settle(t, "calls") // the following ends with the list
	assert.Equal(t, last, b.slack.Messages()[len(b.slack.Messages())-1], "nothing overwrites it; Bob gets no missed-call message")
}
