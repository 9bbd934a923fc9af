package commands_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
)

// A request naming 170 user groups is refused before a single lookup, by
// Plan and by Invite alike.
func TestTooManyGroupsAreRefusedBeforeAnyLookup(t *testing.T) {
	t.Parallel()
	p := newPeople()
	in := newInviter(p, newMeetings(), commands.Config{})
	var groups []string
	for i := range 170 {
		groups = append(groups, fmt.Sprintf("S%04d", i))
	}
	inv := commands.Invitation{ConferenceID: "914083136", Invoker: "UINVOKER", GroupIDs: groups[:169], ChannelIDs: []string{"CGEN"}}

	_, err := in.Plan(t.Context(), inv)
	var tooMany *commands.TooManyGroupsError
	require.ErrorAs(t, err, &tooMany)
	assert.Equal(t, commands.TooManyGroupsError{Count: 170, Max: commands.DefaultMaxGroups}, *tooMany)
	assert.ErrorIs(t, err, commands.ErrTooManyGroups)

	_, err = in.Invite(t.Context(), inv)
	assert.ErrorIs(t, err, commands.ErrTooManyGroups)
	assert.Zero(t, p.expands.Load()+p.lookups.Load(), "nothing was looked up")

	// The maximum itself is allowed.
	_, err = newInviter(p, newMeetings(), commands.Config{MaxGroups: 170}).Plan(t.Context(), inv)
	assert.NoError(t, err)
}

// heldGroups holds every group expansion until released, counting how
// many are in flight at once.
type heldGroups struct {
	*people
	release           chan struct{}
	inFlight, maxSeen atomic.Int32
}

func (g *heldGroups) GroupMembers(ctx context.Context, id string) ([]string, error) {
	n := g.inFlight.Add(1)
	defer g.inFlight.Add(-1)
	for {
		m := g.maxSeen.Load()
		if n <= m || g.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	<-g.release
	return g.people.GroupMembers(ctx, id)
}

// The groups and channels of one request are expanded a few at a time.
func TestExpansionsRunAFewAtATime(t *testing.T) {
	t.Parallel()
	p := &heldGroups{people: newPeople(), release: make(chan struct{})}
	in := newInviter(p, newMeetings(), commands.Config{})
	var wg sync.WaitGroup
	wg.Go(func() {
		_, err := in.Plan(context.Background(), commands.Invitation{Invoker: "UINVOKER", GroupIDs: []string{"SENG", "SEMPTY", "SA", "SB", "SC"}})
		assert.NoError(t, err)
	})
	require.Eventually(t, func() bool { return p.inFlight.Load() >= 3 }, 5*time.Second, time.Millisecond)
	close(p.release)
	wg.Wait()
	assert.Equal(t, int32(3), p.maxSeen.Load(), "three expansions at once, never more")
	assert.Equal(t, int32(5), p.expands.Load(), "all five were expanded")
}

// pagedPeople has a channel too large to invite; it records the limit
// ChannelMembers was given and returns one more member than that, as a
// pager that stopped early would.
type pagedPeople struct {
	*people
	atMost int
}

func (p *pagedPeople) ChannelMembers(_ context.Context, id string, atMost int) ([]string, error) {
	p.atMost = atMost
	var ids []string
	for i := range atMost + 1 {
		ids = append(ids, fmt.Sprintf("U%05d", i))
	}
	return ids, nil
}

// A large channel is read only until it passes the maximum, and the
// refusal says "more than", not a count it never finished.
func TestALargeChannelIsCountedOnlyPastTheMaximum(t *testing.T) {
	t.Parallel()
	p := &pagedPeople{people: newPeople()}
	in := newInviter(p, newMeetings(), commands.Config{MaxPeople: 50})

	_, err := in.Plan(t.Context(), commands.Invitation{Invoker: "UINVOKER", ChannelIDs: []string{"CHUGE"}})

	var tooMany *commands.TooManyError
	require.ErrorAs(t, err, &tooMany)
	assert.True(t, tooMany.AtLeast, "the count is only as far as the paging went")
	assert.Equal(t, 51, p.atMost, "the maximum and the invoker, who is left out")
}
