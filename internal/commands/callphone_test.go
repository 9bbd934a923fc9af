package commands_test

import (
	"context"
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
	assert.Equal(t, commands.Invitee{Person: alice, Via: commands.ViaPhone, Address: alicePhone, Also: []string{aliceSI.Number, "+8613800000002"}, Instead: true}, phone)

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
				require.NoError(t, window.Release(t.Context(), aliceHeldBy(rep.Holder)))
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

// aliceHeldBy is Alice's reservation in meeting 914083136, all her keys,
// as holder holds it.
func aliceHeldBy(holder string) commands.Reservation {
	return commands.Reservation{Meeting: "914083136", Holder: holder, Person: "UALICE", Numbers: []string{aliceSI.Number, alicePhone}}
}

// whoHoldsAlice tells who holds Alice in meeting 914083136's called-recently
// window: "free", "app" (the invitation's hold, rep.Holder) or "phone" (the
// hold of her phone rung instead), by trying and undoing reservations.
func whoHoldsAlice(t *testing.T, window *commands.MemoryReservations, holder string) string {
	t.Helper()
	ctx := t.Context()
	alice := func(holder string) commands.Reservation {
		return commands.Reservation{Meeting: "914083136", Holder: holder, Person: "UALICE"}
	}
	ok, err := window.Reserve(ctx, alice("probe"), time.Minute)
	require.NoError(t, err)
	if ok {
		require.NoError(t, window.Release(ctx, alice("probe")))
		return "free"
	}
	for _, h := range []string{holder, holder + "/phone"} {
		ok, held, err := window.TakeOver(ctx, alice("probe"), h, time.Minute)
		require.NoError(t, err)
		if ok {
			_, _, err := window.TakeOver(ctx, alice(h), "probe", time.Minute) // as it was
			require.NoError(t, err)
			require.True(t, held)
			if h == holder {
				return "app"
			}
			return "phone"
		}
	}
	return "someone else"
}

// aliceCalledInTheApp is an invitation of the invoker's that called Alice in
// her meeting app, with a window and a limit of one call a minute (a
// burst of two) that the test can look into.
func aliceCalledInTheApp(t *testing.T) (*meetings, *commands.MemoryReservations, *commands.Inviter, commands.Invitation, commands.Report) {
	t.Helper()
	m := newMeetings()
	window := commands.NewMemoryReservations(nil)
	in := newInviter(newPeople(), m, commands.Config{Reservations: window, CallsPerMinute: 1, MaxPeople: 1})
	inv := commands.Invitation{ConferenceID: "914083136", Invoker: "UINVOKER", UserIDs: []string{"UALICE"}}
	rep := mustInvite(t, in, inv)
	require.Equal(t, "app", whoHoldsAlice(t, window, rep.Holder))
	return m, window, in, inv, rep
}

// When nothing rings, Alice's reservation goes back as it was: to her app
// call when it still had it (it may still ring), else nobody; with no
// answer from the meeting service her phone may ring, and its hold stays.
// The asker's limit is taken only once she is reserved.
func TestCallPhoneGivesTheHoldBackWhenNothingRings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		appEnded bool  // her app call was seen to end (its hold lifted)
		slow     bool  // the asker has called too many people this minute
		err      error // the meeting service's answer
		want     string
	}{
		{name: "limit, app ringing", slow: true, want: "app"},
		{name: "limit, app ended", slow: true, appEnded: true, want: "free"},
		{name: "refused, app ringing", err: &meeting.APIError{StatusCode: 400, Code: "MMC.111072101"}, want: "app"},
		{name: "refused, app ended", appEnded: true, err: &meeting.APIError{StatusCode: 400, Code: "MMC.111072101"}, want: "free"},
		{name: "no answer", err: meeting.ErrUnavailable, want: "phone"},
		{name: "rung", want: "phone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, window, in, inv, rep := aliceCalledInTheApp(t)
			asker := "UALICE"
			if tt.slow { // a burst of two, spent
				mustInvite(t, in, commands.Invitation{ConferenceID: "914083136", Invoker: "UINVOKER", UserIDs: []string{"UBOB"}})
				asker = "UINVOKER"
			}
			if tt.appEnded {
				require.NoError(t, window.Release(t.Context(), aliceHeldBy(rep.Holder)))
			}
			m.inviteErr = tt.err

			got, err := in.CallPhone(t.Context(), inv, rep, 0, asker)

			switch {
			case tt.slow:
				require.ErrorIs(t, err, commands.ErrSlowDown)
			case tt.err != nil:
				require.ErrorIs(t, err, tt.err)
			default:
				require.NoError(t, err)
				assert.Len(t, got.Invited, 1)
			}
			assert.Equal(t, tt.want, whoHoldsAlice(t, window, rep.Holder))
		})
	}
}

// A refused phone call costs the asker nothing: three refusals, then the
// call, fit a burst of two.
func TestCallPhoneRefusedTakesNothingFromTheLimit(t *testing.T) {
	t.Parallel()
	m, window, in, inv, rep := aliceCalledInTheApp(t)
	require.NoError(t, window.Release(t.Context(), aliceHeldBy(rep.Holder)))
	dan := commands.Reservation{Meeting: "914083136", Holder: "dan", Person: "UALICE"}
	ok, err := window.Reserve(t.Context(), dan, time.Minute)
	require.NoError(t, err)
	require.True(t, ok)

	for range 3 {
		got, err := in.CallPhone(t.Context(), inv, rep, 0, "UALICE")
		require.NoError(t, err)
		require.Len(t, got.Skipped, 1)
		assert.Equal(t, commands.SkipRecentlyInvited, got.Skipped[0].Reason)
	}
	require.NoError(t, window.Release(t.Context(), dan))
	got, err := in.CallPhone(t.Context(), inv, rep, 0, "UALICE")
	require.NoError(t, err, "Alice's bucket is untouched")
	assert.Len(t, got.Invited, 1)
	assert.Len(t, m.invited, 2)
}

// interleaved is a called-recently window in which another request tries
// to reserve Alice before each of the inviter's steps: whatever CallPhone
// does with her reservation, she is never free for it on the way.
type interleaved struct {
	*commands.MemoryReservations
	t      *testing.T
	on     bool
	steps  int
	danWon bool
}

func (w *interleaved) before(ctx context.Context) {
	if !w.on {
		return
	}
	w.steps++
	ok, err := w.MemoryReservations.Reserve(ctx, commands.Reservation{Meeting: "914083136", Holder: "dan", Person: "UALICE"}, time.Minute)
	require.NoError(w.t, err)
	w.danWon = w.danWon || ok
}

func (w *interleaved) Reserve(ctx context.Context, r commands.Reservation, ttl time.Duration) (bool, error) {
	w.before(ctx)
	return w.MemoryReservations.Reserve(ctx, r, ttl)
}

func (w *interleaved) Release(ctx context.Context, r commands.Reservation) error {
	w.before(ctx)
	return w.MemoryReservations.Release(ctx, r)
}

func (w *interleaved) TakeOver(ctx context.Context, r commands.Reservation, from string, ttl time.Duration) (bool, bool, error) {
	w.before(ctx)
	return w.MemoryReservations.TakeOver(ctx, r, from, ttl)
}

func TestCallPhoneNeverLeavesHerFreeToBeCalledByAnother(t *testing.T) {
	t.Parallel()
	m := newMeetings()
	window := &interleaved{MemoryReservations: commands.NewMemoryReservations(nil), t: t}
	in := newInviter(newPeople(), m, commands.Config{Reservations: window})
	inv := commands.Invitation{ConferenceID: "914083136", Invoker: "UINVOKER", UserIDs: []string{"UALICE"}}
	rep := mustInvite(t, in, inv)
	window.on = true

	got, err := in.CallPhone(t.Context(), inv, rep, 0, "UALICE")

	require.NoError(t, err)
	assert.Len(t, got.Invited, 1, "her phone rings")
	assert.Positive(t, window.steps)
	assert.False(t, window.danWon, "nobody else got her meanwhile")
}

// Once her phone rings, her app call's end, seen by the follower of the
// calls before it heard of the phone, does not free her to be called again.
func TestTheAppCallsEndDoesNotFreeHerPhone(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		pres := &presence{}
		window := commands.NewMemoryReservations(nil)
		in := presentInviter(newPeople(), newMeetings(), pres, commands.Config{Reservations: window})
		inv := commands.Invitation{ConferenceID: "914083136", Invoker: "UINVOKER", UserIDs: []string{"UALICE"}}
		rep := mustInvite(t, in, inv)
		pres.set(true, meeting.Participant{ID: "p1", Name: "Alice", Number: aliceSI.Number, State: meeting.BeingCalled})
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		f := follow(ctx, t, in, rep) // the app call's round
		f.tick()

		_, err := in.CallPhone(t.Context(), inv, rep, 0, "UALICE")
		require.NoError(t, err)
		pres.set(true) // the app call is over, unanswered
		f.tick()
		f.tick()
		u := f.final()
		require.Equal(t, []commands.CallState{commands.CallMissed}, u.States, "the app call was seen to end")

		assert.Equal(t, "phone", whoHoldsAlice(t, window, rep.Holder))
	})
}
