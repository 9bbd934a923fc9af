package commands_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// updates records what FollowCalls reports.
type updates struct {
	mu  sync.Mutex
	got [][]commands.CallState
}

func (u *updates) add(s []commands.CallState) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.got = append(u.got, s)
}

func (u *updates) last() []commands.CallState {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.got) == 0 {
		return nil
	}
	return u.got[len(u.got)-1]
}

func TestFollowCallsReportsAnswersAndMisses(t *testing.T) {
	t.Parallel()
	pres := &presence{}
	in := newInviter(newPeople(), newMeetings(), commands.Config{Presence: pres, AllowDirect: true})
	rep := in.Invite(context.Background(), commands.Invitation{
		ConferenceID: "914083136", UserIDs: []string{"UALICE", "UBOB", "UCAROL"},
	})
	require.Len(t, rep.Invited, 3) // Alice (app), Bob (phone), Carol (email only)
	alice := meeting.Participant{ID: "p1", Name: "Alice", Number: aliceSI.Number, State: meeting.BeingCalled}
	bob := meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.BeingCalled}
	pres.set(true, alice, bob)

	var u updates
	done := make(chan []commands.CallState)
	go func() {
		states, known := in.FollowCalls(context.Background(), rep, 5*time.Millisecond, u.add)
		assert.True(t, known)
		done <- states
	}()

	time.Sleep(30 * time.Millisecond)
	assert.Empty(t, u.got, "nothing changed while both ring")
	alice.State = meeting.InMeeting
	pres.set(true, alice, bob)
	require.Eventually(t, func() bool {
		return assert.ObjectsAreEqual([]commands.CallState{commands.CallJoined, commands.CallRinging, commands.CallNone}, u.last())
	}, 5*time.Second, 5*time.Millisecond)
	pres.set(true, alice) // Bob's phone stopped ringing

	select {
	case states := <-done:
		assert.Equal(t, []commands.CallState{commands.CallJoined, commands.CallMissed, commands.CallNone}, states)
	case <-time.After(5 * time.Second):
		t.Fatal("FollowCalls did not return once every call ended")
	}
	assert.Len(t, u.got, 2, "one update per change")
}

func TestFollowCallsWaitsForTheMeetingToBeLive(t *testing.T) {
	t.Parallel()
	pres := &presence{}
	in := newInviter(newPeople(), newMeetings(), commands.Config{Presence: pres})
	rep := in.Invite(context.Background(), commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB"}})
	pres.set(false, meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.InMeeting})

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	states, known := in.FollowCalls(ctx, rep, 5*time.Millisecond, func([]commands.CallState) { t.Error("no update while not live") })

	assert.False(t, known, "never live: nothing is known")
	assert.Equal(t, []commands.CallState{commands.CallRinging}, states)

	pres.set(true, meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.InMeeting})
	states, known = in.FollowCalls(context.Background(), rep, 5*time.Millisecond, func([]commands.CallState) {})
	assert.True(t, known)
	assert.Equal(t, []commands.CallState{commands.CallJoined}, states, "answered before the list was live")
}

func TestFollowCallsGivesUpAtTheDeadline(t *testing.T) {
	t.Parallel()
	pres := &presence{}
	m := newMeetings()
	in := newInviter(newPeople(), m, commands.Config{Presence: pres})
	inv := commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB"}}
	rep := in.Invite(context.Background(), inv)
	pres.set(true, meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.BeingCalled})

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var u updates
	states, known := in.FollowCalls(ctx, rep, 5*time.Millisecond, u.add)

	assert.True(t, known, "the list was live to the end")
	assert.Equal(t, []commands.CallState{commands.CallMissed}, states, "still ringing at the deadline")
	assert.Equal(t, [][]commands.CallState{{commands.CallMissed}}, u.got)
	pres.set(true) // his phone stopped ringing after all
	assert.Equal(t, []string{"UBOB"}, invitedIDs(in.Invite(context.Background(), inv)), "free to be called again")
}

func TestFollowCallsSaysNothingWhenTheListIsLost(t *testing.T) {
	t.Parallel()
	pres := &presence{}
	in := newInviter(newPeople(), newMeetings(), commands.Config{Presence: pres})
	rep := in.Invite(context.Background(), commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB"}})
	pres.set(true, meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.BeingCalled})
	go func() {
		time.Sleep(20 * time.Millisecond)
		pres.set(false) // the link dropped, or the meeting ended
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 80*time.Millisecond)
	defer cancel()
	states, known := in.FollowCalls(ctx, rep, 5*time.Millisecond, func([]commands.CallState) { t.Error("no update") })

	assert.False(t, known)
	assert.Equal(t, []commands.CallState{commands.CallRinging}, states, "of unknown outcome, not missed")
}

func TestFollowCallsWaitsForASecondLookBeforeCallingItMissed(t *testing.T) {
	t.Parallel()
	pres := &presence{}
	in := newInviter(newPeople(), newMeetings(), commands.Config{Presence: pres})
	rep := in.Invite(context.Background(), commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB"}})
	bob := meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.BeingCalled}
	pres.set(true, bob)
	// Bob vanishes from one look only, then is back and answers.
	go func() {
		time.Sleep(30 * time.Millisecond)
		pres.set(true)
		time.Sleep(8 * time.Millisecond)
		pres.set(false) // the meeting ended, say, or a blip: not live
		time.Sleep(30 * time.Millisecond)
		bob.State = meeting.InMeeting
		pres.set(true, bob)
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	states, known := in.FollowCalls(ctx, rep, 10*time.Millisecond, func([]commands.CallState) {})

	assert.True(t, known)
	assert.Equal(t, []commands.CallState{commands.CallJoined}, states)
}

func TestFollowCallsWithNothingToRing(t *testing.T) {
	t.Parallel()
	pres := &presence{live: true}
	in := newInviter(newPeople(), newMeetings(), commands.Config{Presence: pres})
	rep := in.Invite(context.Background(), commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UCAROL"}})

	states, known := in.FollowCalls(context.Background(), rep, time.Hour, func([]commands.CallState) { t.Error("no update") })

	assert.False(t, known)
	assert.Equal(t, []commands.CallState{commands.CallNone}, states)
}

func TestAMissedCallMayBeMadeAgain(t *testing.T) {
	t.Parallel()
	pres := &presence{}
	m := newMeetings()
	in := newInviter(newPeople(), m, commands.Config{Presence: pres})
	inv := commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB"}}
	rep := in.Invite(context.Background(), inv)
	require.Len(t, rep.Invited, 1)
	bob := meeting.Participant{ID: "p2", Name: "Bob", Number: "+442079460000", State: meeting.BeingCalled}
	pres.set(true, bob)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go func() {
		time.Sleep(20 * time.Millisecond)
		pres.set(true) // Bob declined
	}()
	states, _ := in.FollowCalls(ctx, rep, 5*time.Millisecond, func([]commands.CallState) {})
	require.Equal(t, []commands.CallState{commands.CallMissed}, states)

	again := in.Invite(context.Background(), inv)

	assert.Equal(t, []string{"UBOB"}, invitedIDs(again), "not held back as called moments ago")
	assert.Len(t, m.invited, 2)
}
