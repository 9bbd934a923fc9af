package commands_test

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

const alicePhone = "+8613800000001" // her profile's, behind her meeting number

func TestOnPhoneIsForPeopleRungInTheApp(t *testing.T) {
	t.Parallel()
	app := commands.Invitee{Person: alice, Via: commands.ViaApp, Address: aliceSI.Number, Also: []string{alicePhone, "+8613800000002"}}
	phone, ok := commands.OnPhone(app)
	require.True(t, ok)
	assert.Equal(t, commands.Invitee{Person: alice, Via: commands.ViaPhone, Address: alicePhone, Also: []string{aliceSI.Number, "+8613800000002"}}, phone)

	for _, iv := range []commands.Invitee{
		{Person: alice, Via: commands.ViaApp, Address: aliceSI.Number}, // no phone on file
		{Person: bob, Via: commands.ViaPhone, Address: "+442079460000"},
		{Person: carol, Via: commands.ViaLink, Address: "carol@example.com"},
	} {
		_, ok := commands.OnPhone(iv)
		assert.False(t, ok, "%+v", iv)
	}
}

func TestCallPhoneRingsThePhoneOfSomeoneRungInTheApp(t *testing.T) {
	t.Parallel()
	m := newMeetings()
	pres := &presence{}
	in := presentInviter(newPeople(), m, pres, commands.Config{})
	inv := commands.Invitation{ConferenceID: "914083136", Invoker: "UINVOKER", UserIDs: []string{"UALICE", "UBOB"}, HostPassword: "pw"}
	rep := mustInvite(t, in, inv)
	require.Equal(t, commands.ViaApp, rep.Invited[0].Via)
	// Her app rings: that is the call the phone replaces.
	pres.set(true, meeting.Participant{ID: "p1", Name: "Alice", Number: aliceSI.Number, State: meeting.BeingCalled})

	got, err := in.CallPhone(t.Context(), inv, rep, 0, "UALICE")

	require.NoError(t, err)
	require.Len(t, got.Invited, 1)
	assert.Equal(t, commands.ViaPhone, got.Invited[0].Via)
	assert.Equal(t, alicePhone, got.Invited[0].Address)
	assert.Equal(t, rep.Holder, got.Holder, "the invitation's hold passes to the phone call")
	assert.False(t, got.SentAt.IsZero())
	require.Len(t, m.invited, 2, "one more invite request")
	assert.Equal(t, []meeting.Attendee{{Name: "Alice", Phone: alicePhone, Type: meeting.TypeMobile}}, m.invited[1])
	assert.Equal(t, "914083136/pw", m.prepared[len(m.prepared)-1], "the meeting prepared with the invitation's host password")

	_, err = in.CallPhone(t.Context(), inv, rep, 1, "UBOB")
	require.ErrorIs(t, err, commands.ErrNoPhone, "Bob was rung on his phone already")
	_, err = in.CallPhone(t.Context(), inv, rep, 7, "UBOB")
	require.ErrorIs(t, err, commands.ErrNoPhone)
	assert.Len(t, m.invited, 2)
}

func TestCallPhoneIsRefusedWhenItIsNotNeededOrNotAllowed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		online []meeting.Participant
		other  bool // another request called Alice moments ago
		want   commands.SkipReason
	}{
		{name: "joined in the app", online: []meeting.Participant{{ID: "p1", Name: "Alice", Number: aliceSI.Number, State: meeting.InMeeting}}, want: commands.SkipInMeeting},
		{name: "her phone rings already", online: []meeting.Participant{{ID: "p1", Name: "Alice", Number: alicePhone, State: meeting.BeingCalled}}, want: commands.SkipBeingCalled},
		{name: "called by someone else moments ago", other: true, want: commands.SkipRecentlyInvited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMeetings()
			pres := &presence{}
			window := commands.NewMemoryReservations(nil)
			in := presentInviter(newPeople(), m, pres, commands.Config{Reservations: window})
			inv := commands.Invitation{ConferenceID: "914083136", Invoker: "UINVOKER", UserIDs: []string{"UALICE"}}
			rep := mustInvite(t, in, inv)
			if tt.other {
				// Her app call ended and was released; then Dan's request
				// called her.
				require.NoError(t, window.Release(t.Context(), commands.Reservation{Meeting: "914083136", Holder: rep.Holder, Person: "UALICE", Numbers: []string{aliceSI.Number, alicePhone}}))
				ok, err := window.Reserve(t.Context(), commands.Reservation{Meeting: "914083136", Holder: "dan", Person: "UALICE"}, time.Minute)
				require.NoError(t, err)
				require.True(t, ok)
			}
			pres.set(true, tt.online...)

			got, err := in.CallPhone(t.Context(), inv, rep, 0, "UALICE")

			require.NoError(t, err)
			assert.Empty(t, got.Invited)
			require.Len(t, got.Skipped, 1)
			assert.Equal(t, tt.want, got.Skipped[0].Reason)
			assert.Equal(t, "UALICE", got.Skipped[0].UserID)
			assert.Len(t, m.invited, 1, "no phone call")
		})
	}
}

func TestCallPhoneTakesFromTheAskersLimit(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	m := newMeetings()
	in := newInviter(newPeople(), m, commands.Config{CallsPerMinute: 1, MaxPeople: 1, Now: clock})
	// A burst of two: the largest invitation (one person) and a meeting it
	// starts. Two invitations spend it.
	inv := commands.Invitation{ConferenceID: "914083136", Invoker: "UINVOKER", UserIDs: []string{"UALICE"}}
	rep := mustInvite(t, in, inv)
	mustInvite(t, in, commands.Invitation{ConferenceID: "914083136", Invoker: "UINVOKER", UserIDs: []string{"UBOB"}})

	_, err := in.CallPhone(t.Context(), inv, rep, 0, "UINVOKER")

	var slow *commands.SlowDownError
	require.ErrorAs(t, err, &slow, "the invoker called two people this minute already")
	assert.Len(t, m.invited, 2)
	got, err := in.CallPhone(t.Context(), inv, rep, 0, "UALICE")
	require.NoError(t, err, "Alice's own bucket is full")
	assert.Len(t, got.Invited, 1)

	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	_, err = in.CallPhone(t.Context(), inv, rep, 0, "UINVOKER")
	require.NoError(t, err, "a minute later the invoker's fits")
}

// Once Alice's phone rings instead of her app, what Huawei says of the app's
// call (it timed out) is not taken for the phone's: only what it says of
// the number rung counts, while the roster counts any of her numbers.
func TestFollowCallsHearsOfTheNumberRungOnly(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		pres := &presence{}
		in := presentInviter(newPeople(), newMeetings(), pres, commands.Config{})
		inv := commands.Invitation{ConferenceID: "914083136", Invoker: "UINVOKER", UserIDs: []string{"UALICE"}}
		rep := mustInvite(t, in, inv)
		phoned, err := in.CallPhone(t.Context(), inv, rep, 0, "UALICE")
		require.NoError(t, err)
		rep.Invited = phoned.Invited
		pres.set(true,
			meeting.Participant{ID: "p1", Name: "Alice", Number: aliceSI.Number, State: meeting.BeingCalled},
			meeting.Participant{ID: "p2", Name: "Alice", Number: alicePhone, State: meeting.BeingCalled})

		f := follow(t.Context(), t, in, rep)
		pres.result(meeting.CallResult{Number: aliceSI.Number, Outcome: meeting.CallNoAnswer, Code: "111076014", At: rep.SentAt})
		pres.set(true, meeting.Participant{ID: "p2", Name: "Alice", Number: alicePhone, State: meeting.BeingCalled})
		f.tick()
		f.tick() // the app's call is over; her phone still rings: no update

		pres.set(true, meeting.Participant{ID: "p2", Name: "Alice", Number: alicePhone, State: meeting.InMeeting})
		f.tick()
		assert.Equal(t, commands.CallUpdate{States: []commands.CallState{commands.CallJoined}, Final: true, Known: true}, f.final())
	})
}
