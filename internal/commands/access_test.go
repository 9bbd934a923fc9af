package commands_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// Issue 14: whom the bot calls and how much, whoever asks.

// People of another organisation are not called (their profile phone is
// their organisation's), unless AllowExternal; guests, whom an admin let
// into the workspace, are.
func TestInviteSkipsPeopleOfAnotherOrganisation(t *testing.T) {
	t.Parallel()
	inv := commands.Invitation{ConferenceID: "914083136", Invoker: "UINVOKER", UserIDs: []string{"UBOB", "UOTHER", "USTRANGER", "UGUEST"}}
	for _, allow := range []bool{false, true} {
		t.Run(fmt.Sprint("AllowExternal=", allow), func(t *testing.T) {
			t.Parallel()
			p, m := guardPeople(), newMeetings()
			p.users["USTRANGER"] = commands.Person{ID: "USTRANGER", Name: "Sam", TeamID: "THOME", Stranger: true, Phone: "+44 20 7946 0888"}
			p.users["UGUEST"] = commands.Person{ID: "UGUEST", Name: "Gus", TeamID: "THOME", Guest: true, Phone: "+44 20 7946 0777"}
			b := bob
			b.TeamID = "THOME"
			p.users["UBOB"] = b
			in := newInviter(p, m, commands.Config{Home: home, AllowExternal: allow})

			rep, err := in.Invite(t.Context(), inv)

			require.NoError(t, err)
			var called []string
			for _, iv := range rep.Invited {
				called = append(called, iv.Person.ID)
			}
			if allow {
				assert.Equal(t, []string{"UBOB", "UOTHER", "USTRANGER", "UGUEST"}, called)
				assert.Empty(t, rep.Skipped)
				return
			}
			assert.Equal(t, []string{"UBOB", "UGUEST"}, called, "a guest of our workspace is called")
			assert.Equal(t, []commands.Skipped{
				{UserID: "UOTHER", Name: "Olga", Reason: commands.SkipExternal},
				{UserID: "USTRANGER", Name: "Sam", Reason: commands.SkipExternal},
			}, rep.Skipped)
			require.Len(t, m.invited, 1)
			assert.Len(t, m.invited[0], 2, "nobody of another organisation reaches Huawei")
		})
	}
}

// A person refused by the guard calls nobody, however they ask.
func TestInviteByAnExternalPersonCallsNobody(t *testing.T) {
	t.Parallel()
	p, m := guardPeople(), newMeetings()
	g := commands.NewGuard(commands.Policy{Home: home}, p, quiet, time.Minute, nil)
	in := commands.NewInviter(p, m, nil, g, quiet, commands.Config{Home: home})
	inv := commands.Invitation{ConferenceID: "914083136", Invoker: "UOTHER", Channel: "CGEN", UserIDs: []string{"UALICE", "UBOB"}}

	_, err := in.Invite(t.Context(), inv)
	require.ErrorIs(t, err, commands.ErrRefused)
	_, err = in.Plan(t.Context(), inv)
	require.ErrorIs(t, err, commands.ErrRefused)
	_, err = in.InvitePlanned(t.Context(), inv, commands.Plan{UserIDs: inv.UserIDs})
	require.ErrorIs(t, err, commands.ErrRefused)
	var refused *commands.RefusedError
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, commands.RefusedExternal, refused.Reason)
	assert.Empty(t, m.invited)
}

// One person may have at most CallsPerMinute people called a minute; the
// next invitation is refused with how long to wait, calls nobody, and
// holds nobody back; others are not affected; a minute later it fits.
func TestInviteLimitsPeopleCalledPerPersonPerMinute(t *testing.T) {
	t.Parallel()
	p, m := newPeople(), newMeetings()
	for i := range 6 {
		id := fmt.Sprintf("UP%d", i)
		p.users[id] = commands.Person{ID: id, Name: id, Phone: fmt.Sprintf("+44 20 7946 100%d", i)}
	}
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	in := newInviter(p, m, commands.Config{CallsPerMinute: 4, MaxPeople: 4, Now: clock})
	invite := func(invoker, conference string, ids ...string) (commands.Report, error) {
		return in.Invite(t.Context(), commands.Invitation{ConferenceID: conference, Invoker: invoker, UserIDs: ids})
	}

	// The burst is MaxPeople + 1 (an invitation of the largest size and
	// the meeting it may start): 5.
	_, err := invite("UCAROL", "914083136", "UP0", "UP1", "UP2")
	require.NoError(t, err)
	rep, err := invite("UCAROL", "986030665", "UP3", "UP4", "UP5")
	var slow *commands.SlowDownError
	require.ErrorAs(t, err, &slow)
	require.ErrorIs(t, err, commands.ErrSlowDown)
	assert.Equal(t, 4, slow.PerMinute)
	assert.Equal(t, 15*time.Second, slow.Wait, "one more token comes every 15 s at 4 a minute")
	assert.Empty(t, rep.Invited)
	assert.Len(t, m.invited, 1, "the refused invitation called nobody")

	_, err = invite("UDAVE", "986030665", "UP3", "UP4")
	require.NoError(t, err, "another person's bucket is their own")

	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	rep, err = invite("UCAROL", "986030665", "UP5")
	require.NoError(t, err)
	require.Len(t, rep.Invited, 1, "UP5 was not held back by the refused invitation")
}

// blockingMeetings holds the invite request until released, to stop the
// invitation while its request is in flight.
type blockingMeetings struct {
	*meetings
	sent    chan struct{}
	release chan struct{}
}

func (b *blockingMeetings) Invite(ctx context.Context, id string, attendees []meeting.Attendee) (string, error) {
	close(b.sent)
	select {
	case <-b.release:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return b.meetings.Invite(ctx, id, attendees)
}

// Cancelling an invitation (a shutdown) before its request is sent calls
// nobody; once the request is on its way it is let finish and reported.
func TestInviteSentIsLetFinishWhenCancelled(t *testing.T) {
	t.Parallel()
	inv := commands.Invitation{ConferenceID: "914083136", Invoker: "UINVOKER", UserIDs: []string{"UBOB"}}

	t.Run("sent", func(t *testing.T) {
		t.Parallel()
		m := &blockingMeetings{meetings: newMeetings(), sent: make(chan struct{}), release: make(chan struct{})}
		in := commands.NewInviter(newPeople(), m, nil, nil, quiet, commands.Config{})
		ctx, cancel := context.WithCancel(t.Context())
		go func() { <-m.sent; cancel(); close(m.release) }()

		rep, err := in.Invite(ctx, inv)

		require.NoError(t, err)
		require.Len(t, rep.Invited, 1, "Bob rings, and the report says so")
		assert.Equal(t, "req-1", rep.RequestID)
	})
	t.Run("not sent", func(t *testing.T) {
		t.Parallel()
		m := &blockingMeetings{meetings: newMeetings(), sent: make(chan struct{}), release: make(chan struct{})}
		in := commands.NewInviter(newPeople(), m, nil, nil, quiet, commands.Config{})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()

		rep, err := in.Invite(ctx, inv)

		require.True(t, errors.Is(err, context.Canceled), "err = %v", err)
		assert.Empty(t, rep.Invited)
		assert.Empty(t, m.invited)
		select {
		case <-m.sent:
			t.Fatal("the invite request was sent after the cancellation")
		default:
		}
	})
}
