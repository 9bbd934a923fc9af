package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// Answers from the people called (issue 18): a direct message while they
// ring, answered with a button; escalation to the phone.

const alicePhone = "+8613800000001" // the directory's mobile for Alice, behind her meeting number

// withAnswers turns the ringing direct messages on (the harness has them off).
func withAnswers() option { return withEnv("RINGING_DMS", "on") }

// ringingDM waits for the direct message telling user they are being called.
func (b *harness) ringingDM(t *testing.T, user string) slackfake.Message {
	t.Helper()
	return b.waitMatch(t, "the ringing message to "+user, func(m slackfake.Message) bool {
		return m.Kind == "post" && m.User == user && strings.HasPrefix(m.Channel, "D") && strings.Contains(m.Text, "is calling you into")
	})
}

// press presses a button of a message as user and waits for the ack.
func (b *harness) press(t *testing.T, user string, m slackfake.Message, actionID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, _, err := b.slack.ClickButton(ctx, slackfake.Click{UserID: user, ChannelID: m.Channel, ActionID: actionID, MessageTS: m.TS})
	require.NoError(t, err)
}

// privateTo waits for a private note to user containing text.
func (b *harness) privateTo(t *testing.T, user, text string) slackfake.Message {
	t.Helper()
	return b.waitMatch(t, "a note to "+user+": "+text, func(m slackfake.Message) bool {
		private := m.Kind == "ephemeral" || m.Kind == "response" && m.ResponseType == "ephemeral"
		return private && m.User == user && strings.Contains(m.Text, text)
	})
}

// postUpdated waits for an update of the channel post containing text.
func (b *harness) postUpdated(t *testing.T, text string) slackfake.Message {
	t.Helper()
	return b.waitMatch(t, "the post saying "+text, func(m slackfake.Message) bool {
		return m.Kind == "update" && strings.Contains(blocksText(t, m.Blocks), text)
	})
}

// count counts the messages for which ok is true.
func (b *harness) count(ok func(slackfake.Message) bool) int {
	n := 0
	for _, m := range b.slack.Messages() {
		if ok(m) {
			n++
		}
	}
	return n
}

// waitCount waits until n messages for which ok is true were posted.
func (b *harness) waitCount(t *testing.T, what string, n int, ok func(slackfake.Message) bool) {
	t.Helper()
	require.Eventually(t, func() bool { return b.count(ok) >= n }, 10*time.Second, 5*time.Millisecond, what)
}

// phoneCalls counts the invite requests that rang Alice's phone.
func (b *harness) phoneCalls(conferenceID string) int {
	n := 0
	for _, inv := range b.meet.Invitations(conferenceID) {
		for _, a := range inv.Attendees {
			if a.Phone == alicePhone {
				n++
			}
		}
	}
	return n
}

func TestThePeopleCalledAreToldAndMayAnswer(t *testing.T) {
	t.Parallel()
	b := startBot(t, withAnswers())
	b.command(t, "CGENERAL", running+" <@UALICE> <@UBOB>")

	alice, bob := b.ringingDM(t, "UALICE"), b.ringingDM(t, "UBOB")

	assert.Equal(t, "<@UCAROL> is calling you into Weekly sync (meeting "+running+").", alice.Text)
	for _, want := range []string{"join_meeting", "answer_joining", "answer_cannot", "answer_phone"} {
		assert.Contains(t, string(alice.Blocks), want, "Alice, rung in the app with a phone on file")
	}
	assert.NotContains(t, string(bob.Blocks), "answer_phone", "Bob is rung on his phone already")
	assert.Contains(t, string(bob.Blocks), "answer_cannot")
	assert.Zero(t, b.count(func(m slackfake.Message) bool { return m.User == "UCAROL" && m.Kind == "post" }), "the invoker gets no such message")
}

// Each answer reaches the post and the invoker once; pressed again, or by
// someone else, it does nothing but say so privately.
func TestAnAnswerReachesThePostAndTheInvokerOnce(t *testing.T) {
	t.Parallel()
	b := startBot(t, withAnswers())
	b.command(t, "CGENERAL", running+" <@UALICE> <@UBOB>")
	bob := b.ringingDM(t, "UBOB")
	alice := b.ringingDM(t, "UALICE")

	b.press(t, "UCAROL", bob, "answer_cannot")
	b.privateTo(t, "UCAROL", "This call isn't yours to answer")

	b.press(t, "UBOB", bob, "answer_cannot")
	b.privateTo(t, "UCAROL", "<@UBOB> can't make it to *Weekly sync*")
	b.postUpdated(t, "<@UBOB> ringing — can't make it")
	replaced := b.waitMatch(t, "Bob's message answered", func(m slackfake.Message) bool {
		return m.Kind == "response" && m.ReplaceOriginal && m.User == "UBOB"
	})
	assert.Contains(t, blocksText(t, replaced.Blocks), "You said you can't make it. I've told <@UCAROL>.")
	assert.NotContains(t, string(replaced.Blocks), "answer_cannot", "the buttons go")

	b.press(t, "UBOB", bob, "answer_cannot")
	b.press(t, "UBOB", bob, "answer_joining")
	b.waitCount(t, "both presses refused", 2, func(m slackfake.Message) bool {
		return m.User == "UBOB" && strings.Contains(m.Text, "You've already answered this call.")
	})

	b.press(t, "UALICE", alice, "answer_joining")
	b.privateTo(t, "UCAROL", "<@UALICE> is joining *Weekly sync*")
	final := b.postUpdated(t, "<@UALICE> ringing — joining in 5 min")
	b.settle(t)

	assert.Contains(t, blocksText(t, final.Blocks), "<@UBOB> ringing — can't make it", "both answers stay")
	told := func(text string) int {
		return b.count(func(m slackfake.Message) bool { return m.User == "UCAROL" && strings.Contains(m.Text, text) })
	}
	assert.Equal(t, 1, told("<@UBOB> can't make it"), "the invoker is told once")
	assert.Equal(t, 1, told("<@UALICE> is joining"))
	assert.Zero(t, told("<@UBOB> is joining"), "a second answer is not taken")
	last := b.lastUpdate(t)
	assert.NotContains(t, blocksText(t, last.Blocks), "<@UBOB> ringing — joining", "nor shown")
}

// lastUpdate is the newest update of the channel post.
func (b *harness) lastUpdate(t *testing.T) slackfake.Message {
	t.Helper()
	var last slackfake.Message
	for _, m := range b.slack.Messages() {
		if m.Kind == "update" {
			last = m
		}
	}
	require.NotEmpty(t, last.TS, "the post was updated")
	return last
}

// Call my phone instead rings Alice's phone once, and her joining on it
// ends her call on the post.
func TestCallMyPhoneInsteadRingsThePhoneOnce(t *testing.T) {
	t.Parallel()
	b := startBot(t, withAnswers())
	b.command(t, "CGENERAL", running+" <@UALICE> <@UBOB>")
	alice := b.ringingDM(t, "UALICE")

	b.press(t, "UALICE", alice, "answer_phone")
	b.postUpdated(t, ":iphone: ringing <@UALICE>'s phone")
	b.privateTo(t, "UCAROL", "<@UALICE> asked to be called on their phone instead")
	replaced := b.waitMatch(t, "Alice's message answered", func(m slackfake.Message) bool {
		return m.Kind == "response" && m.ReplaceOriginal && m.User == "UALICE"
	})
	assert.Contains(t, blocksText(t, replaced.Blocks), "Ringing your phone now (number ending in 0001).")
	require.Equal(t, 1, b.phoneCalls(running))
	atts := b.meet.Invitations(running)[1].Attendees
	require.Len(t, atts, 1)
	assert.Equal(t, "mobile", atts[0].Type)

	b.press(t, "UALICE", alice, "answer_phone")
	b.privateTo(t, "UALICE", "Your phone has already been rung for this call.")
	b.press(t, "UALICE", alice, "answer_joining")
	b.privateTo(t, "UCAROL", "<@UALICE> is joining")

	require.True(t, b.meet.Answer(running, alicePhone))
	b.postUpdated(t, ":white_check_mark: <@UALICE> joined")
	b.settle(t)
	assert.Equal(t, 1, b.phoneCalls(running), "rung once")
}

// Someone already in the meeting is not rung on their phone, and is told.
func TestCallMyPhoneInsteadIsRefusedWhenNotNeeded(t *testing.T) {
	t.Parallel()
	b := startBot(t, withAnswers())
	b.command(t, "CGENERAL", running+" <@UALICE>")
	alice := b.ringingDM(t, "UALICE")
	require.True(t, b.meet.Answer(running, aliceSIP))
	b.postUpdated(t, ":white_check_mark: <@UALICE> joined")

	b.press(t, "UALICE", alice, "answer_phone")
	b.privateTo(t, "UALICE", "I didn't ring your phone: you're already in the meeting.")
	b.settle(t)
	assert.Zero(t, b.phoneCalls(running))

	b.press(t, "UALICE", alice, "answer_phone") // the refusal gave the chance back
	b.waitCount(t, "the second refusal", 2, func(m slackfake.Message) bool {
		return strings.Contains(m.Text, "you're already in the meeting")
	})
}

// The missed-call message offers the same answers; its Call my phone
// instead rings the phone after the post's calls were followed to the end,
// and that call is followed in a new round: the post says she joined, or
// that she didn't answer her phone either (and she is not told twice).
func TestTheMissedCallMessageKeepsTheAnswers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		answers bool
		want    string
	}{
		{name: "she answers her phone", answers: true, want: ":white_check_mark: <@UALICE> joined"},
		{name: "nor her phone", want: ":x: <@UALICE> didn't answer (their phone was rung too)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := startBot(t, withAnswers(), withEnv("CALL_STATUS_FOR", "1500ms"))
			b.command(t, "CGENERAL", running+" <@UALICE>")
			b.ringingDM(t, "UALICE")

			isMissed := func(m slackfake.Message) bool {
				return m.Kind == "post" && m.User == "UALICE" && strings.Contains(m.Text, "You missed a call")
			}
			missed := b.waitMatch(t, "the missed-call message", isMissed)
			for _, want := range []string{"answer_joining", "answer_cannot", "answer_phone"} {
				assert.Contains(t, string(missed.Blocks), want)
			}
			b.settle(t, "calls")

			b.press(t, "UALICE", missed, "answer_phone")
			b.postUpdated(t, ":iphone: ringing <@UALICE>'s phone")
			b.privateTo(t, "UCAROL", "<@UALICE> asked to be called on their phone instead")
			if tt.answers {
				require.True(t, b.meet.Answer(running, alicePhone))
			}
			b.postUpdated(t, tt.want)
			b.settle(t, "calls")

			assert.Equal(t, 1, b.phoneCalls(running))
			assert.Equal(t, 1, b.count(isMissed), "one missed-call message")
			assert.Contains(t, blocksText(t, b.lastUpdate(t).Blocks), tt.want)
		})
	}
}

// No direct messages while ringing when they are turned off.
func TestNoRingingMessagesWhenTurnedOff(t *testing.T) {
	t.Parallel()
	b := startBot(t, withEnv("RINGING_DMS", "off"), withEnv("CALL_STATUS_FOR", "1s"))
	b.command(t, "CGENERAL", running+" <@UALICE> <@UBOB>")
	b.waitMessages(t, 1)
	b.settle(t, "calls")

	assert.Zero(t, b.count(func(m slackfake.Message) bool { return strings.Contains(m.Text, "is calling you into") }))
}

// With ESCALATE_AFTER, Alice's app ringing unanswered that long brings a
// call to her phone, once, and the post says so; Bob, rung on his phone, is
// not called again. Without it, nobody's phone is rung.
func TestEscalationRingsThePhoneOnceWhenConfigured(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		escalate string
		want     int
	}{
		{"configured", "300ms", 1},
		{"not configured", "", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := startBot(t, withEnv("ESCALATE_AFTER", tt.escalate), withEnv("CALL_STATUS_FOR", "3s"))
			b.command(t, "CGENERAL", running+" <@UALICE> <@UBOB>")
			b.waitMessages(t, 1)
			if tt.want > 0 {
				b.postUpdated(t, ":iphone: ringing <@UALICE>'s phone")
			}
			b.settle(t, "calls")

			assert.Equal(t, tt.want, b.phoneCalls(running))
			assert.Len(t, b.meet.Invitations(running), 1+tt.want, "Bob is not called again")
		})
	}
}

// Escalation leaves alone whoever answered: Alice said she is joining.
func TestEscalationSparesWhoeverAnswered(t *testing.T) {
	t.Parallel()
	b := startBot(t, withAnswers(), withEnv("ESCALATE_AFTER", "2s"), withEnv("CALL_STATUS_FOR", "4s"))
	b.command(t, "CGENERAL", running+" <@UALICE>")
	alice := b.ringingDM(t, "UALICE")
	b.press(t, "UALICE", alice, "answer_joining")
	b.privateTo(t, "UCAROL", "<@UALICE> is joining")
	b.settle(t, "calls")

	assert.Zero(t, b.phoneCalls(running))
	assert.Len(t, b.meet.Invitations(running), 1)
}

// Two replicas share a PostgreSQL store, and Slack's envelopes take turns
// between them: the command reaches the first, which posts and follows the
// calls; Bob's answer reaches the second, which takes it in the store and
// tells the invoker, and the first shows it on the post; Bob's second press
// reaches the first and is refused. Alice's Call my phone instead, on the
// second, rings her phone once, and the first follows that call.
func TestAnswersOnAnotherReplica(t *testing.T) {
	t.Parallel()
	b, rs := startReplicas(t, 2, withAnswers())
	t.Cleanup(func() {
		if t.Failed() {
			for i, r := range rs {
				t.Logf("replica %d:\n%s", i, r.logs.String())
			}
		}
	})
	b.command(t, "CGENERAL", running+" <@UALICE> <@UBOB>")
	bob, alice := b.ringingDM(t, "UBOB"), b.ringingDM(t, "UALICE")
	onPost := func(text string) func(slackfake.Message) bool {
		return func(m slackfake.Message) bool {
			return m.Kind == "update" && strings.Contains(blocksText(t, m.Blocks), text)
		}
	}

	b.press(t, "UBOB", bob, "answer_cannot")
	b.privateTo(t, "UCAROL", "<@UBOB> can't make it")
	b.waitFor(t, 20*time.Second, onPost("<@UBOB> ringing — can't make it"))
	b.press(t, "UBOB", bob, "answer_joining")
	b.privateTo(t, "UBOB", "You've already answered this call.")

	b.press(t, "UBOB", bob, "answer_cannot") // the first replica's turn: Alice's press goes to the second
	b.waitCount(t, "the second refusal", 2, func(m slackfake.Message) bool {
		return strings.Contains(m.Text, "You've already answered this call.")
	})
	b.press(t, "UALICE", alice, "answer_phone")
	b.waitFor(t, 20*time.Second, onPost(":iphone: ringing <@UALICE>'s phone"))
	require.True(t, b.meet.Answer(running, alicePhone))
	b.waitFor(t, 20*time.Second, onPost(":white_check_mark: <@UALICE> joined"))
	for _, r := range rs {
		settleAt(t, r.ops)
	}

	assert.Equal(t, 1, b.count(func(m slackfake.Message) bool {
		return m.User == "UCAROL" && strings.Contains(m.Text, "<@UBOB> can't make it")
	}),
		"the invoker is told once")
	assert.Equal(t, 1, b.phoneCalls(running), "Alice's phone is rung once")
	poster := 0
	if strings.Contains(rs[1].logs.String(), "invitation done") {
		poster = 1
	}
	answered := func(r *replica) int { return strings.Count(r.logs.String(), "someone called answered") }
	assert.Equal(t, 1, answered(rs[1-poster]), "Bob's answer was taken on the replica not following the post")
	assert.Zero(t, answered(rs[poster]))
}

// Once the meeting ended there is nothing to answer: a press says so to
// the person pressing, and nothing else happens (no note to the invoker,
// no change of the post, no phone rung).
func TestAnswersAfterTheMeetingEndedChangeNothing(t *testing.T) {
	t.Parallel()
	b := startBot(t, withAnswers())
	b.command(t, "CGENERAL", running+" <@UALICE> <@UBOB>")
	alice, bob := b.ringingDM(t, "UALICE"), b.ringingDM(t, "UBOB")
	b.meet.SetState(running, meetingfake.StateDestroyed)
	b.postUpdated(t, "This meeting has ended.")
	b.settle(t, "calls")
	updates := func() int { return b.count(func(m slackfake.Message) bool { return m.Kind == "update" }) }
	before := updates()

	b.press(t, "UBOB", bob, "answer_cannot")
	b.privateTo(t, "UBOB", "This call can't be answered any more.")
	b.press(t, "UALICE", alice, "answer_phone")
	b.privateTo(t, "UALICE", "This call can't be answered any more.")
	b.settle(t, "calls")

	assert.Zero(t, b.count(func(m slackfake.Message) bool { return m.User == "UCAROL" && m.Kind != "post" }), "the invoker is told nothing")
	assert.Equal(t, before, updates(), "the post stays as it ended")
	assert.Zero(t, b.phoneCalls(running))
}

// Without BUTTON_SECRET, the key that signs buttons is kept in the SQLite
// file: an answer pressed after a restart is taken. Signed with another key
// (BUTTON_SECRET set since), a press is told it can't be answered, and
// nothing is recorded.
func TestAnswerButtonsOutliveARestart(t *testing.T) {
	t.Parallel()
	db := "sqlite:" + filepath.Join(t.TempDir(), "bot.db")
	b := startBot(t, withAnswers(), withEnv("DATABASE_URL", db), withEnv("CALL_STATUS_FOR", "60s"))
	b.command(t, "CGENERAL", running+" <@UALICE> <@UBOB>")
	alice, bob := b.ringingDM(t, "UALICE"), b.ringingDM(t, "UBOB")

	require.NoError(t, b.stop())
	b.launch(t)
	b.press(t, "UALICE", alice, "answer_joining")
	b.privateTo(t, "UCAROL", "<@UALICE> is joining")

	require.NoError(t, b.stop())
	b.env["BUTTON_SECRET"] = "a key set since the buttons were signed, 32+"
	b.launch(t)
	b.press(t, "UBOB", bob, "answer_cannot")
	b.privateTo(t, "UBOB", "This call can't be answered any more.")
	b.settle(t)

	assert.Zero(t, b.count(func(m slackfake.Message) bool {
		return m.User == "UCAROL" && strings.Contains(m.Text, "<@UBOB>")
	}), "nothing recorded")
}

// A missed-call message answered with Call my phone instead on the replica
// that did not post: that one rings the phone and follows its call (the
// post reopened in the store), though it never watched the meeting.
func TestAMissedCallAnsweredOnAnotherReplica(t *testing.T) {
	t.Parallel()
	b, rs := startReplicas(t, 2, withAnswers(), withEnv("CALL_STATUS_FOR", "1500ms"))
	t.Cleanup(func() {
		if t.Failed() {
			for i, r := range rs {
				t.Logf("replica %d:\n%s", i, r.logs.String())
			}
		}
	})
	b.command(t, "CGENERAL", running+" <@UALICE>")
	missed := b.waitMatch(t, "the missed-call message", func(m slackfake.Message) bool {
		return m.Kind == "post" && m.User == "UALICE" && strings.Contains(m.Text, "You missed a call")
	})
	for _, r := range rs {
		settleAt(t, r.ops, "calls")
	}

	b.press(t, "UALICE", missed, "answer_phone") // the other replica's turn
	b.waitFor(t, 20*time.Second, func(m slackfake.Message) bool {
		return m.Kind == "update" && strings.Contains(blocksText(t, m.Blocks), ":iphone: ringing <@UALICE>'s phone")
	})
	require.True(t, b.meet.Answer(running, alicePhone))
	b.waitFor(t, 20*time.Second, func(m slackfake.Message) bool {
		return m.Kind == "update" && strings.Contains(blocksText(t, m.Blocks), ":white_check_mark: <@UALICE> joined")
	})
	for _, r := range rs {
		settleAt(t, r.ops, "calls")
	}

	poster := 0
	if strings.Contains(rs[1].logs.String(), "invitation done") {
		poster = 1
	}
	assert.Contains(t, rs[1-poster].logs.String(), "following a phone rung after the calls were followed to the end")
	assert.Equal(t, 1, b.phoneCalls(running))
}
