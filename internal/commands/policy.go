package commands

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/meet-invite/meet-invite/internal/expiring"
	"github.com/meet-invite/meet-invite/internal/flight"
)

// Policy says who may invite, and from where. The zero Policy lets every
// full member of the workspace invite from any channel; guests never,
// unless AllowGuests.
type Policy struct {
	AllowedUsers    []string // user IDs; with AllowedGroups empty too, everyone may invite
	AllowedGroups   []string // user group IDs whose members may invite
	AllowedChannels []string // when set, only these channels (and direct messages with the bot)
	DeniedChannels  []string // never from these channels
	AllowGuests     bool     // multi- and single-channel guests may invite
}

// Refusal is why a person may not invite.
type Refusal int

const (
	RefusedChannel  Refusal = iota + 1 // not from this channel
	RefusedUser                        // not on the list of people who may invite
	RefusedGuest                       // guests may not invite
	RefusedNoLookup                    // who they are could not be checked just now
)

var refusalNames = map[Refusal]string{
	RefusedChannel: "channel", RefusedUser: "user", RefusedGuest: "guest", RefusedNoLookup: "lookup",
}

// String names the refusal for logs and metrics.
func (r Refusal) String() string { return refusalNames[r] }

// ErrRefused is matched by every error of a person the policy does not let
// invite.
var ErrRefused = errors.New("commands: not allowed to invite")

// RefusedError says why a person may not invite.
type RefusedError struct{ Reason Refusal }

func (e *RefusedError) Error() string        { return "not allowed to invite: " + e.Reason.String() }
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

// CheckChannel applies the channel rules, which need no lookup, so that a
// request from a channel the bot may not be used in is refused at once.
func (p Policy) CheckChannel(channelID string) error {
	if channelID == "" || channelID[0] == 'D' { // the bot's direct messages
		return nil
	}
	if slices.Contains(p.DeniedChannels, channelID) ||
		len(p.AllowedChannels) > 0 && !slices.Contains(p.AllowedChannels, channelID) {
		return &RefusedError{Reason: RefusedChannel}
	}
	return nil
}

// Guard applies a Policy. It looks people up with People (users and
// groups), remembering the answers for a while; it is safe for concurrent
// use, and concurrent checks of one person share one lookup.
type Guard struct {
	policy Policy
	people People
	log    *slog.Logger

	persons      *expiring.Map[string, Person]
	groups       *expiring.Map[string, []string]
	personLookup flight.Group[string, Person]
	groupLookup  flight.Group[string, []string]
}

// NewGuard returns a Guard applying policy, with lookups remembered for ttl.
func NewGuard(policy Policy, people People, logger *slog.Logger, ttl time.Duration, now func() time.Time) *Guard {
	return &Guard{policy: policy, people: people, log: logger,
		persons: expiring.New[string, Person](ttl, maxRemembered, now),
		groups:  expiring.New[string, []string](ttl, 1000, now),
	}
}

// Policy is the policy the guard applies.
func (g *Guard) Policy() Policy { return g.policy }

// Authorize applies the whole policy to a user acting in a channel.
func (g *Guard) Authorize(ctx context.Context, userID, channelID string) error {
	if err := g.policy.CheckChannel(channelID); err != nil {
		return err
	}
	if !g.policy.AllowGuests {
		p, err := g.person(ctx, userID)
		if err != nil {
			g.log.WarnContext(ctx, "could not check whether the user is a guest", "slack_user", userID, "err", err)
			return &RefusedError{Reason: RefusedNoLookup}
		}
		if p.Guest {
			return &RefusedError{Reason: RefusedGuest}
		}
	}
	if len(g.policy.AllowedUsers) == 0 && len(g.policy.AllowedGroups) == 0 || slices.Contains(g.policy.AllowedUsers, userID) {
		return nil
	}
	for _, id := range g.policy.AllowedGroups {
		members, err := g.members(ctx, id)
		if err != nil {
			g.log.WarnContext(ctx, "could not read an allowed user group", "group", id, "err", err)
			continue
		}
		if slices.Contains(members, userID) {
			return nil
		}
	}
	return &RefusedError{Reason: RefusedUser}
}

func (g *Guard) person(ctx context.Context, userID string) (Person, error) {
	return lookup(ctx, &g.personLookup, g.persons, userID, g.people.Person)
}

func (g *Guard) members(ctx context.Context, groupID string) ([]string, error) {
	return lookup(ctx, &g.groupLookup, g.groups, groupID, g.people.GroupMembers)
}

// lookup returns id's value from cache, else fetches it once for all
// concurrent callers and remembers it when the fetch succeeded.
func lookup[V any](ctx context.Context, fl *flight.Group[string, V], cache *expiring.Map[string, V], id string,
	fetch func(context.Context, string) (V, error)) (V, error) {
	if v, ok := cache.Get(id); ok {
		return v, nil
	}
	return fl.Do(ctx, id, func(ctx context.Context) (V, error) {
		v, err := fetch(ctx, id)
		if err == nil {
			cache.Set(id, v)
		}
		return v, err
	})
}
