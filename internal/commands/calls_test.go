package commands_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// The tests of FollowCalls run in a synctest bubble and own the ticks: an
// unbuffered channel, so that a tick is taken only once the follower is
// waiting for it, its previous look done. synctest.Wait then waits for the
// look the tick started to be done too, and context deadlines pass on the
// bubble's clock as soon as nothing else can happen: no test sleeps, and a
// follower that waits where it should not makes the bubble deadlock.

// following is one FollowCalls driven by a test.
type following struct {
	t     *testing.T
	ticks chan time.Time
	out   <-chan commands.CallUpdate
}

// follow starts following rep's calls and waits for the first look.
func follow(ctx context.Context, t *testing.T, in *commands.Inviter, rep commands.Report) *following {
	f := &following{t: t, ticks: make(chan time.Time)}
	out := make(chan commands.CallUpdate)
	f.out = out
	go func() {
		defer close(out)
		in.FollowCalls(ctx, rep, f.ticks, func(u commands.CallUpdate) { out <- u })
	}()
	synctest.Wait()
	return f
}

// tick makes the follower look once more, and waits for the look to be
// done. It fails when the follower sent an update instead of waiting.
func (f *following) tick() {
	f.t.Helper()
	select {
	case f.ticks <- time.Now():
	case u, ok := <-f.out:
		f.t.Fatalf("got update %+v (open: %t) instead of a wait for the next tick", u, ok)
	}
	synctest.Wait()
}

// next returns the next update. Should none come, the bubble deadlocks.
func (f *following) next() commands.CallUpdate {
	f.t.Helper()
	u, ok := <-f.out
	require.True(f.t, ok, "the updates ended without a final one")
	return u
}

// final returns the next update, which must be the final one, and checks
// that the channel is then closed.
func (f *following) final() commands.CallUpdate {
	f.t.Helper()
	u := f.next()
	require.True(f.t, u.Final, "update %+v is not the final one", u)
	_, open := <-f.out
	assert.False(f.t, open, "closed after the final update")
	return u
}

func TestFollowCallsReportsAnswersAndMisses(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		pres := &presence{}
		in := presentInviter(newPeople(), newMeetings(), pres, commands.Config{AllowDirect: true})
		rep := mustInvite(t, in, commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UALICE", "UBOB", "UCAROL"}})
		require.Len(t, rep.Invited, 3) // Alice (app), Bob (phone), Carol (email only)
		alice := meeting.Participant{ID: "p1", Name: "Alice", Number: aliceSI.Number, State: meeting.BeingCalled}
		bob := meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.BeingCalled}
		pres.set(true, alice, bob)

		f := follow(t.Context(), t, in, rep)
		f.tick() // nothing changes while both ring: no update
		f.tick()

		alice.State = meeting.InMeeting
		pres.set(true, alice, bob)
		f.tick()
		assert.Equal(t, commands.CallUpdate{States: []commands.CallState{commands.CallJoined, commands.CallRinging, commands.CallNone}}, f.next())

		pres.set(true, alice) // Bob's phone stopped ringing
		f.tick()              // gone once: perhaps a blip
		f.tick()              // gone twice: missed, and every call has ended
		assert.Equal(t, commands.CallUpdate{
			States: []commands.CallState{commands.CallJoined, commands.CallMissed, commands.CallNone}, Final: true, Known: true,
		}, f.final(), "one update per change, the last one final")
	})
}

func TestFollowCallsWaitsForTheMeetingToBeLive(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		pres := &presence{}
		in := presentInviter(newPeople(), newMeetings(), pres, commands.Config{})
		rep := mustInvite(t, in, commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB"}})
		pres.set(false, meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.InMeeting})

		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		f := follow(ctx, t, in, rep)
		f.tick() // no update while not live
		f.tick()
		assert.Equal(t, commands.CallUpdate{States: []commands.CallState{commands.CallRinging}, Final: true, Known: false},
			f.final(), "never live until the deadline: nothing is known")

		pres.set(true, meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.InMeeting})
		f = follow(t.Context(), t, in, rep)
		assert.Equal(t, commands.CallUpdate{States: []commands.CallState{commands.CallJoined}, Final: true, Known: true},
			f.final(), "answered before the list was live")
	})
}

func TestFollowCallsGivesUpAtTheDeadline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		pres := &presence{}
		in := presentInviter(newPeople(), newMeetings(), pres, commands.Config{})
		inv := commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB"}}
		rep := mustInvite(t, in, inv)
		pres.set(true, meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.BeingCalled})

		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		f := follow(ctx, t, in, rep)
		f.tick()

		assert.Equal(t, commands.CallUpdate{States: []commands.CallState{commands.CallMissed}, Final: true, Known: true},
			f.final(), "still ringing at the deadline, the list live to the end: missed")
		pres.set(true) // his phone stopped ringing after all
		assert.Equal(t, []string{"UBOB"}, invitedIDs(mustInvite(t, in, inv)), "free to be called again")
	})
}

func TestFollowCallsSaysNothingWhenTheListIsLost(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		pres := &presence{}
		in := presentInviter(newPeople(), newMeetings(), pres, commands.Config{})
		rep := mustInvite(t, in, commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB"}})
		pres.set(true, meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.BeingCalled})

		ctx, cancel := context.WithTimeout(t.Context(), 80*time.Millisecond)
		defer cancel()
		f := follow(ctx, t, in, rep)
		f.tick()
		pres.set(false) // the link dropped, or the meeting ended
		f.tick()

		assert.Equal(t, commands.CallUpdate{States: []commands.CallState{commands.CallRinging}, Final: true, Known: false},
			f.final(), "of unknown outcome, not missed")
	})
}

func TestFollowCallsStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		pres := &presence{}
		in := presentInviter(newPeople(), newMeetings(), pres, commands.Config{})
		inv := commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB"}}
		rep := mustInvite(t, in, inv)
		pres.set(true, meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.BeingCalled})

		ctx, cancel := context.WithCancel(t.Context())
		f := follow(ctx, t, in, rep)
		f.tick()
		cancel() // the bot is stopping, say: not a deadline

		assert.Equal(t, commands.CallUpdate{States: []commands.CallState{commands.CallRinging}, Final: true, Known: false}, f.final())
		pres.set(true)
		again := mustInvite(t, in, inv)
		assert.Empty(t, again.Invited, "perhaps still ringing: not called again")
		require.Len(t, again.Skipped, 1)
		assert.Equal(t, commands.SkipRecentlyInvited, again.Skipped[0].Reason)
	})
}

func TestFollowCallsWaitsForASecondLookBeforeCallingItMissed(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		pres := &presence{}
		in := presentInviter(newPeople(), newMeetings(), pres, commands.Config{})
		rep := mustInvite(t, in, commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB"}})
		bob := meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.BeingCalled}
		pres.set(true, bob)

		f := follow(t.Context(), t, in, rep) // seen ringing
		// Bob vanishes from one look only, then is back and answers.
		pres.set(true)
		f.tick()
		pres.set(false) // the meeting ended, say, or a blip: not live
		f.tick()
		bob.State = meeting.InMeeting
		pres.set(true, bob)
		f.tick()

		assert.Equal(t, commands.CallUpdate{States: []commands.CallState{commands.CallJoined}, Final: true, Known: true}, f.final())
	})
}

func TestFollowCallsWithNothingToRing(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		pres := &presence{live: true}
		in := presentInviter(newPeople(), newMeetings(), pres, commands.Config{})
		rep := mustInvite(t, in, commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UCAROL"}})

		f := follow(t.Context(), t, in, rep) // no tick ever comes: it must not wait for one

		assert.Equal(t, commands.CallUpdate{States: []commands.CallState{commands.CallNone}, Final: true, Known: false}, f.final())
	})
}

func TestAMissedCallMayBeMadeAgain(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		pres := &presence{}
		m := newMeetings()
		in := presentInviter(newPeople(), m, pres, commands.Config{})
		inv := commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB"}}
		rep := mustInvite(t, in, inv)
		require.Len(t, rep.Invited, 1)
		pres.set(true, meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.BeingCalled})

		f := follow(t.Context(), t, in, rep)
		pres.set(true) // Bob declined
		f.tick()
		f.tick()
		require.Equal(t, []commands.CallState{commands.CallMissed}, f.final().States)

		again := mustInvite(t, in, inv)

		assert.Equal(t, []string{"UBOB"}, invitedIDs(again), "not held back as called moments ago")
		assert.Len(t, m.invited, 2)
	})
}

func TestFollowCallsStopsWhenTheListIsGone(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		pres := &presence{}
		in := presentInviter(newPeople(), newMeetings(), pres, commands.Config{})
		rep := mustInvite(t, in, commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB"}})
		pres.set(true, meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.BeingCalled})

		f := follow(t.Context(), t, in, rep) // live, Bob ringing
		pres.set(false)                      // the meeting ended, or the link broke
		f.tick()                             // one look without the list: perhaps a blip
		f.tick()
		f.ticks <- time.Now() // the third in a row: nothing more will be seen
		assert.Equal(t, commands.CallUpdate{States: []commands.CallState{commands.CallRinging}, Final: true, Known: false},
			f.final(), "Bob's call is of unknown outcome, and the following ends long before any deadline")
	})
}

func TestFollowCallsTakesWhatHuaweiSaysOfFailedCalls(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		pres := &presence{}
		in := presentInviter(newPeople(), newMeetings(), pres, commands.Config{})
		inv := commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UALICE", "UBOB"}}
		rep := mustInvite(t, in, inv)
		require.Len(t, rep.Invited, 2)
		alice := meeting.Participant{ID: "p1", Name: "Alice", Number: aliceSI.Number, State: meeting.BeingCalled}
		bob := meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.BeingCalled}
		pres.set(true, alice, bob)
		pres.result(meeting.CallResult{Number: "+44 20 7946 0000", Outcome: meeting.CallBusy, Code: "111076008", At: rep.SentAt.Add(-time.Second)})

		f := follow(t.Context(), t, in, rep)
		f.tick() // a result from before this invitation's request says nothing of its calls

		pres.result(meeting.CallResult{Number: "+44 20 7946 0000", Outcome: meeting.CallBusy, Code: "111076008", At: rep.SentAt})
		f.tick()
		assert.Equal(t, commands.CallUpdate{States: []commands.CallState{commands.CallRinging, commands.CallBusy}}, f.next(),
			"Bob is busy, although his call is still in the list")

		pres.result(meeting.CallResult{Number: aliceSI.Number, Outcome: meeting.CallNoPSTN, Code: "111076012", At: rep.SentAt})
		f.tick()
		assert.Equal(t, commands.CallUpdate{States: []commands.CallState{commands.CallNoPSTN, commands.CallBusy}, Final: true, Known: true}, f.final())
		pres.set(true) // the calls leave the list
		assert.Equal(t, []string{"UBOB"}, invitedIDs(mustInvite(t, in, commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB"}})),
			"a failed call no longer holds Bob back from another")
	})
}

func TestFollowCallsMatchesAMaskedResult(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		pres := &presence{}
		in := presentInviter(newPeople(), newMeetings(), pres, commands.Config{})
		rep := mustInvite(t, in, commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UALICE", "UBOB"}})
		pres.set(true,
			meeting.Participant{ID: "p1", Name: "Alice", Number: aliceSI.Number, State: meeting.BeingCalled},
			meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.BeingCalled})
		ctx, cancel := context.WithCancel(t.Context())
		f := follow(ctx, t, in, rep)

		pres.result(meeting.CallResult{Number: "+44***9999", Outcome: meeting.CallDeclined, At: rep.SentAt}) // nobody's
		f.tick()
		pres.result(meeting.CallResult{Number: "+4420****0000", Outcome: meeting.CallDeclined, At: rep.SentAt})
		f.tick()
		assert.Equal(t, commands.CallUpdate{States: []commands.CallState{commands.CallRinging, commands.CallDeclined}}, f.next(),
			"the masked number can only be Bob's")
		cancel()
		assert.False(t, f.final().Known, "Alice's call was still ringing")
	})
}
