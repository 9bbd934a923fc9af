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
// unless AllowGuests; people of another organisation never, unless
// AllowExternal.
type Policy struct {
	AllowedUsers  []string // user IDs; with AllowedGroups empty too, everyone may invite
	AllowedGroups []string // user group IDs whose members may invite
	// AllowedChannels, when set, are the only conversations requests are
	// taken from; DeniedChannels never. Both cover every conversation,
	// direct messages between people and group DMs included, except the
	// invoker's own direct messages with the bot.
	AllowedChannels []string
	DeniedChannels  []string
	AllowGuests     bool // multi- and single-channel guests may invite
	// Home is the organisation the bot is installed in (auth.test). People
	// of another one (Organisation.Foreign) may not invite and are not
	// called, unless AllowExternal.
	Home          Organisation
	AllowExternal bool
}

// Refusal is why a person may not invite.
type Refusal int

const (
	RefusedChannel  Refusal = iota + 1 // not from this channel
	RefusedUser                        // not on the list of people who may invite
	RefusedGuest                       // guests may not invite
	RefusedNoLookup                    // who they are could not be checked just now
	RefusedExternal                    // of another organisation (Slack Connect)
)

var refusalNames = map[Refusal]string{
	RefusedChannel: "channel", RefusedUser: "user", RefusedGuest: "guest", RefusedNoLookup: "lookup",
	RefusedExternal: "external",
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

// CheckChannel applies the channel rules that need no lookup, so that a
// request from a channel the bot may not be used in is refused at once. A
// direct message ("D…") passes here: only Guard.Authorize can tell whether
// it is the invoker's own with the bot (exempt) or another (the lists
// apply). No channel at all is a global shortcut, whose results go to the
// invoker's direct messages with the bot.
func (p Policy) CheckChannel(channelID string) error {
	if channelID == "" || channelID[0] == 'D' || p.channelAllowed(channelID) {
		return nil
	}
	return &RefusedError{Reason: RefusedChannel}
}

// channelAllowed applies the lists, whatever the conversation.
func (p Policy) channelAllowed(channelID string) bool {
	return !slices.Contains(p.DeniedChannels, channelID) &&
		(len(p.AllowedChannels) == 0 || slices.Contains(p.AllowedChannels, channelID))
}

// Conversations tells the Guard which direct messages are with the bot.
// *slackapp.People implements it; People that do not are taken to have no
// direct messages with the bot, so that the lists then apply to every DM.
type Conversations interface {
	// DirectWith returns the user whose direct message with the bot
	// channelID is, or "" when it is another conversation or one the bot
	// cannot see (a DM between two people).
	DirectWith(ctx context.Context, channelID string) (string, error)
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
	dms          *expiring.Map[string, string] // direct message ID → the user it is with
	personLookup flight.Group[string, Person]
	groupLookup  flight.Group[string, []string]
	dmLookup     flight.Group[string, string]
}

// NewGuard returns a Guard applying policy, with lookups remembered for ttl.
func NewGuard(policy Policy, people People, logger *slog.Logger, ttl time.Duration, now func() time.Time) *Guard {
	return &Guard{policy: policy, people: people, log: logger,
		persons: expiring.New[string, Person](ttl, maxRemembered, now),
		groups:  expiring.New[string, []string](ttl, 1000, now),
		dms:     expiring.New[string, string](ttl, maxRemembered, now),
	}
}

// Prune drops the expired entries of the guard's tables; call it on a
// timer.
func (g *Guard) Prune() {
	g.persons.Prune()
	g.groups.Prune()
	g.dms.Prune()
}

// Sizes reports how many entries each of the guard's in-memory tables
// holds, by name, for metrics.
func (g *Guard) Sizes() map[string]int {
	return map[string]int{"guard_people": g.persons.Len(), "guard_groups": g.groups.Len(), "guard_dms": g.dms.Len()}
}

// Policy is the policy the guard applies.
func (g *Guard) Policy() Policy { return g.policy }

// Authorize applies the whole policy to a user acting in a channel: the
// channel rules, then who they are (organisation, guest), then the lists of
// people who may invite.
func (g *Guard) Authorize(ctx context.Context, userID, channelID string) error {
	if err := g.checkChannel(ctx, userID, channelID); err != nil {
		return err
	}
	if !g.policy.AllowGuests || !g.policy.AllowExternal {
		p, err := g.person(ctx, userID)
		if err != nil {
			g.log.WarnContext(ctx, "could not check who the user is", "slack_user", userID, "err", err)
			return &RefusedError{Reason: RefusedNoLookup}
		}
		if !g.policy.AllowExternal && g.policy.Home.Foreign(p) {
			return &RefusedError{Reason: RefusedExternal}
		}
		if !g.policy.AllowGuests && p.Guest {
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

// checkChannel applies the channel rules; a direct message the lists
// would refuse is let through only when it is userID's own with the bot.
func (g *Guard) checkChannel(ctx context.Context, userID, channelID string) error {
	if channelID == "" || g.policy.channelAllowed(channelID) {
		return nil
	}
	if conv, ok := g.people.(Conversations); ok && channelID[0] == 'D' {
		with, err := lookup(ctx, &g.dmLookup, g.dms, channelID, conv.DirectWith)
		if err != nil {
			g.log.WarnContext(ctx, "could not check whose direct message this is", "channel", channelID, "err", err)
			return &RefusedError{Reason: RefusedNoLookup}
		}
		if with == userID {
			return nil
		}
	}
	return &RefusedError{Reason: RefusedChannel}
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
