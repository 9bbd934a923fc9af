package commands_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
)

// guardPeople is the workspace the Guard tests look people up in: the
// inviter tests' people, a guest, and a person and a group whose lookups
// fail.
func guardPeople() *people {
	p := newPeople()
	p.users["UGUEST"] = commands.Person{ID: "UGUEST", Name: "Gus", Email: "gus@partner.example", Guest: true}
	p.users["UOTHER"] = commands.Person{ID: "UOTHER", Name: "Olga", TeamID: "TOTHER", Phone: "+44 20 7946 0999"}
	p.users["USTRANGER"] = commands.Person{ID: "USTRANGER", Name: "Sam", TeamID: "THOME", Stranger: true}
	p.users["UGRID"] = commands.Person{ID: "UGRID", Name: "Gina", TeamID: "TSISTER", EnterpriseID: "EHOME"}
	p.fail = map[string]error{"UBROKEN": errors.New("slack is down"), "SBROKEN": errors.New("slack is down"), "DBROKEN": errors.New("slack is down")}
	p.dms = map[string]string{"DBOT": "UCAROL", "DALICE": "UALICE"} // DTWO, between two people, the bot cannot see
	return p
}

var (
	home = commands.Organisation{TeamID: "THOME"}
	grid = commands.Organisation{TeamID: "THOME", EnterpriseID: "EHOME"}
)

func TestGuardAuthorize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		policy      commands.Policy
		user        string
		channel     string
		want        commands.Refusal // 0: allowed
		wantLookups int32            // Person lookups
		wantGroups  int32            // GroupMembers lookups
	}{
		{name: "members may invite by default", user: "UCAROL", channel: "CGEN", wantLookups: 1},
		{name: "guests may not by default", user: "UGUEST", channel: "CGEN", want: commands.RefusedGuest, wantLookups: 1},
		{name: "guests may when allowed", policy: commands.Policy{AllowGuests: true}, user: "UGUEST", channel: "CGEN", wantLookups: 1},
		{
			name: "denied channel", policy: commands.Policy{DeniedChannels: []string{"CRANDOM"}},
			user: "UCAROL", channel: "CRANDOM", want: commands.RefusedChannel,
		},
		{
			name: "another channel than the denied one", policy: commands.Policy{DeniedChannels: []string{"CRANDOM"}},
			user: "UCAROL", channel: "CGEN", wantLookups: 1,
		},
		{
			name: "channel not on the allowed list", policy: commands.Policy{AllowedChannels: []string{"CGEN"}},
			user: "UCAROL", channel: "CRANDOM", want: commands.RefusedChannel,
		},
		{name: "allowed channel", policy: commands.Policy{AllowedChannels: []string{"CGEN"}}, user: "UCAROL", channel: "CGEN", wantLookups: 1},
		{
			name:   "a direct message with the bot, whatever the channel lists",
			policy: commands.Policy{AllowedChannels: []string{"CGEN"}, DeniedChannels: []string{"DBOT"}},
			user:   "UCAROL", channel: "DBOT", wantLookups: 1,
		},
		{name: "no channel at all", policy: commands.Policy{AllowedChannels: []string{"CGEN"}}, user: "UCAROL", wantLookups: 1},
		{
			name: "a guest in a denied channel: the channel, without a lookup", policy: commands.Policy{DeniedChannels: []string{"CRANDOM"}},
			user: "UGUEST", channel: "CRANDOM", want: commands.RefusedChannel,
		},
		{
			name: "user not on the allowed lists", policy: commands.Policy{AllowedUsers: []string{"UALICE"}, AllowedGroups: []string{"SENG"}},
			user: "UDAVE", channel: "CGEN", want: commands.RefusedUser, wantLookups: 1, wantGroups: 1,
		},
		{
			name: "user allowed by name", policy: commands.Policy{AllowedUsers: []string{"UDAVE"}, AllowedGroups: []string{"SENG"}},
			user: "UDAVE", channel: "CGEN", wantLookups: 1,
		},
		{
			name: "user allowed through a group", policy: commands.Policy{AllowedUsers: []string{"UALICE"}, AllowedGroups: []string{"SENG"}},
			user: "UCAROL", channel: "CGEN", wantLookups: 1, wantGroups: 1,
		},
		{
			name: "a guest on the allowed list is still a guest", policy: commands.Policy{AllowedUsers: []string{"UGUEST"}},
			user: "UGUEST", channel: "CGEN", want: commands.RefusedGuest, wantLookups: 1,
		},
		{
			name: "an allowed guest on the allowed list", policy: commands.Policy{AllowedUsers: []string{"UGUEST"}, AllowGuests: true},
			user: "UGUEST", channel: "CGEN", wantLookups: 1,
		},
		{name: "another organisation's user may not", policy: commands.Policy{Home: home}, user: "UOTHER", channel: "CGEN", want: commands.RefusedExternal, wantLookups: 1},
		{name: "a stranger may not", policy: commands.Policy{Home: home}, user: "USTRANGER", channel: "CGEN", want: commands.RefusedExternal, wantLookups: 1},
		{name: "another enterprise's user may not", policy: commands.Policy{Home: grid}, user: "UOTHER", channel: "CGEN", want: commands.RefusedExternal, wantLookups: 1},
		{name: "another workspace of the same enterprise may", policy: commands.Policy{Home: grid}, user: "UGRID", channel: "CGEN", wantLookups: 1},
		{name: "a grid user is foreign to a standalone workspace", policy: commands.Policy{Home: home}, user: "UGRID", channel: "CGEN", want: commands.RefusedExternal, wantLookups: 1},
		{name: "external people may when allowed", policy: commands.Policy{Home: home, AllowExternal: true}, user: "UOTHER", channel: "CGEN", wantLookups: 1},
		{name: "allowed external people and guests: nobody is looked up", policy: commands.Policy{Home: home, AllowExternal: true, AllowGuests: true}, user: "USTRANGER", channel: "CGEN"},
		{
			name: "a DM between two people is not the bot's: the allowed list applies", policy: commands.Policy{AllowedChannels: []string{"CGEN"}},
			user: "UCAROL", channel: "DTWO", want: commands.RefusedChannel,
		},
		{
			name: "another person's DM with the bot is not the invoker's", policy: commands.Policy{AllowedChannels: []string{"CGEN"}},
			user: "UCAROL", channel: "DALICE", want: commands.RefusedChannel,
		},
		{
			name: "a denied DM between two people", policy: commands.Policy{DeniedChannels: []string{"DTWO"}},
			user: "UCAROL", channel: "DTWO", want: commands.RefusedChannel,
		},
		{name: "a DM with no lists: allowed without asking whose", user: "UCAROL", channel: "DTWO", wantLookups: 1},
		{
			name: "whose DM cannot be told: refused", policy: commands.Policy{AllowedChannels: []string{"CGEN"}},
			user: "UCAROL", channel: "DBROKEN", want: commands.RefusedNoLookup,
		},
		{name: "a failed person lookup refuses", user: "UBROKEN", channel: "CGEN", want: commands.RefusedNoLookup, wantLookups: 1},
		{name: "an unknown person is refused", user: "UNOBODY", channel: "CGEN", want: commands.RefusedNoLookup, wantLookups: 1},
		{name: "with guests allowed, external people are still checked", policy: commands.Policy{AllowGuests: true}, user: "UBROKEN", channel: "CGEN", want: commands.RefusedNoLookup, wantLookups: 1},
		{name: "with guests and external people allowed, nobody is looked up", policy: commands.Policy{AllowGuests: true, AllowExternal: true}, user: "UBROKEN", channel: "CGEN"},
		{
			name: "a group that cannot be read is skipped", policy: commands.Policy{AllowedGroups: []string{"SBROKEN", "SENG"}},
			user: "UBOB", channel: "CGEN", wantLookups: 1, wantGroups: 2,
		},
		{
			name: "a group that cannot be read allows nobody", policy: commands.Policy{AllowedGroups: []string{"SBROKEN"}},
			user: "UBOB", channel: "CGEN", want: commands.RefusedUser, wantLookups: 1, wantGroups: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := guardPeople()
			g := commands.NewGuard(tt.policy, p, quiet, time.Minute, nil)

			err := g.Authorize(t.Context(), tt.user, tt.channel)

			if tt.want == 0 {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, commands.ErrRefused)
				var refused *commands.RefusedError
				require.ErrorAs(t, err, &refused)
				assert.Equal(t, tt.want, refused.Reason, "refused for %s", refused.Reason)
			}
			assert.Equal(t, tt.wantLookups, p.lookups.Load(), "person lookups")
			assert.Equal(t, tt.wantGroups, p.expands.Load(), "group lookups")

			// The channel rules alone, as asked before anything is looked up
			// (a DM needs a lookup: it is left to Authorize).
			if tt.want == commands.RefusedChannel && tt.channel[0] != 'D' {
				assert.ErrorIs(t, tt.policy.CheckChannel(tt.channel), commands.ErrRefused)
			} else {
				assert.NoError(t, tt.policy.CheckChannel(tt.channel))
			}
		})
	}
}

func TestGuardRemembersAnswersForTheTTL(t *testing.T) {
	t.Parallel()
	p := guardPeople()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
	g := commands.NewGuard(commands.Policy{AllowedGroups: []string{"SENG"}}, p, quiet, time.Minute, clock)

	require.NoError(t, g.Authorize(t.Context(), "UBOB", "CGEN"))
	require.NoError(t, g.Authorize(t.Context(), "UBOB", "CRANDOM"))
	require.ErrorIs(t, g.Authorize(t.Context(), "UGUEST", "CGEN"), commands.ErrRefused)
	advance(59 * time.Second)
	require.ErrorIs(t, g.Authorize(t.Context(), "UGUEST", "CGEN"), commands.ErrRefused)
	assert.Equal(t, int32(2), p.lookups.Load(), "Bob and Gus looked up once each")
	assert.Equal(t, int32(1), p.expands.Load(), "the group read once")

	// The group changes: the guard sees it once its answer has expired.
	p.groups["SENG"] = []string{"UALICE"}
	require.NoError(t, g.Authorize(t.Context(), "UBOB", "CGEN"), "still the remembered group")
	advance(time.Second)
	require.ErrorIs(t, g.Authorize(t.Context(), "UBOB", "CGEN"), commands.ErrRefused, "the group read again")
	assert.Equal(t, int32(3), p.lookups.Load(), "Bob looked up again after the ttl")
	assert.Equal(t, int32(2), p.expands.Load())
}

func TestGuardDoesNotRememberFailedLookups(t *testing.T) {
	t.Parallel()
	p := guardPeople()
	p.fail["UBOB"] = errors.New("slack is down")
	g := commands.NewGuard(commands.Policy{AllowedGroups: []string{"SBROKEN", "SENG"}}, p, quiet, time.Minute, nil)

	err := g.Authorize(t.Context(), "UBOB", "CGEN")
	var refused *commands.RefusedError
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, commands.RefusedNoLookup, refused.Reason)

	delete(p.fail, "UBOB")
	require.NoError(t, g.Authorize(t.Context(), "UBOB", "CGEN"), "asked again, and allowed")
	require.NoError(t, g.Authorize(t.Context(), "UBOB", "CGEN"))
	assert.Equal(t, int32(2), p.lookups.Load(), "the failure was not remembered, the answer was")
	assert.Equal(t, int32(3), p.expands.Load(), "SBROKEN read each time, SENG once")
}

// barrierPeople is people whose Person lookups block until the test lets
// them go, counting them.
type barrierPeople struct {
	*people
	release chan struct{}
	calls   atomic.Int32
}

func (p *barrierPeople) Person(ctx context.Context, id string) (commands.Person, error) {
	p.calls.Add(1)
	<-p.release
	return p.people.Person(ctx, id)
}

func TestGuardChecksOfOnePersonShareOneLookup(t *testing.T) {
	t.Parallel()
	// In a synctest bubble, synctest.Wait returns once every checker is
	// blocked: in the lookup, or waiting for someone else's. Only then is
	// the lookup let go, so that no checker can find the answer cached.
	synctest.Test(t, func(t *testing.T) {
		p := &barrierPeople{people: guardPeople(), release: make(chan struct{})}
		g := commands.NewGuard(commands.Policy{}, p, quiet, time.Minute, nil)
		const checkers = 8
		errs := make([]error, checkers)
		var wg sync.WaitGroup
		for i := range checkers {
			wg.Go(func() { errs[i] = g.Authorize(t.Context(), "UBOB", "CGEN") })
		}
		synctest.Wait()
		assert.Equal(t, int32(1), p.calls.Load(), "one lookup under way for all the checkers")

		close(p.release)
		wg.Wait()
		for _, err := range errs {
			assert.NoError(t, err)
		}
		assert.Equal(t, int32(1), p.calls.Load())
		assert.Equal(t, int32(1), p.lookups.Load())
	})
}
