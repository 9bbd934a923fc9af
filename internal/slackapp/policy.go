package slackapp

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
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

// refusal is why a request is not allowed; "" means it is.
type refusal string

const (
	allowed           refusal = ""
	refusedChannel    refusal = "channel"
	refusedUser       refusal = "user"
	refusedGuest      refusal = "guest"
	refusedNoLookup   refusal = "lookup"
	policyCacheExpiry         = 5 * time.Minute
)

// ErrRefused is the error of an invitation the policy did not allow.
var ErrRefused = errors.New("slackapp: not allowed to invite")

type refusalError struct{ r refusal }

func (e *refusalError) Error() string        { return "not allowed to invite: " + string(e.r) }
func (e *refusalError) Is(target error) bool { return target == ErrRefused }

// authorizer returns a commands.Invitation Authorize hook applying the
// policy to the person and channel of t.
func (a *App) authorizer(t target) func(context.Context) error {
	return func(ctx context.Context) error {
		if r := a.authorize(ctx, t.userID, t.channelID); r != allowed {
			return &refusalError{r: r}
		}
		return nil
	}
}

// checkChannel applies the channel rules, which need no lookup.
func (p Policy) checkChannel(channelID string) refusal {
	if channelID == "" || channelID[0] == 'D' { // the bot's direct messages
		return allowed
	}
	if slices.Contains(p.DeniedChannels, channelID) {
		return refusedChannel
	}
	if len(p.AllowedChannels) > 0 && !slices.Contains(p.AllowedChannels, channelID) {
		return refusedChannel
	}
	return allowed
}

// policyCache remembers what authorization looked up, briefly.
type policyCache struct {
	mu       sync.Mutex
	guests   map[string]cachedBool  // user ID → is a guest
	groups   map[string]cachedList  // group ID → members
	inflight map[string]*guestCheck // user ID → a lookup under way, shared by concurrent requests
}

type guestCheck struct {
	done  chan struct{}
	guest bool
	err   error
}

type cachedBool struct {
	v       bool
	expires time.Time
}

type cachedList struct {
	v       []string
	expires time.Time
}

// authorize applies the whole policy to a user acting in a channel.
func (a *App) authorize(ctx context.Context, userID, channelID string) refusal {
	p := a.cfg.Policy
	if r := p.checkChannel(channelID); r != allowed {
		return r
	}
	if !p.AllowGuests {
		guest, err := a.isGuest(ctx, userID)
		if err != nil {
			a.log.Warn("could not check whether the user is a guest", "slack_user", userID, "err", err)
			return refusedNoLookup
		}
		if guest {
			return refusedGuest
		}
	}
	if len(p.AllowedUsers) == 0 && len(p.AllowedGroups) == 0 {
		return allowed
	}
	if slices.Contains(p.AllowedUsers, userID) {
		return allowed
	}
	for _, g := range p.AllowedGroups {
		members, err := a.groupMembers(ctx, g)
		if err != nil {
			a.log.Warn("could not read an allowed user group", "group", g, "err", err)
			continue
		}
		if slices.Contains(members, userID) {
			return allowed
		}
	}
	return refusedUser
}

func (a *App) isGuest(ctx context.Context, userID string) (bool, error) {
	c := &a.policyCache
	c.mu.Lock()
	if v, ok := c.guests[userID]; ok && time.Now().Before(v.expires) {
		c.mu.Unlock()
		return v.v, nil
	}
	if call, ok := c.inflight[userID]; ok { // someone is asking already: wait for their answer
		c.mu.Unlock()
		select {
		case <-call.done:
			return call.guest, call.err
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	call := &guestCheck{done: make(chan struct{})}
	if c.inflight == nil {
		c.inflight = map[string]*guestCheck{}
	}
	c.inflight[userID] = call
	c.mu.Unlock()

	u, err := a.sm.GetUserInfoContext(ctx, userID)
	if err == nil {
		call.guest = u.IsRestricted || u.IsUltraRestricted
	}
	call.err = err
	c.mu.Lock()
	delete(c.inflight, userID)
	if err == nil {
		if c.guests == nil {
			c.guests = map[string]cachedBool{}
		}
		c.guests[userID] = cachedBool{v: call.guest, expires: time.Now().Add(policyCacheExpiry)}
	}
	c.mu.Unlock()
	close(call.done)
	return call.guest, call.err
}

func (a *App) groupMembers(ctx context.Context, groupID string) ([]string, error) {
	c := &a.policyCache
	c.mu.Lock()
	if v, ok := c.groups[groupID]; ok && time.Now().Before(v.expires) {
		c.mu.Unlock()
		return v.v, nil
	}
	c.mu.Unlock()
	members, err := a.sm.GetUserGroupMembersContext(ctx, groupID)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.groups == nil {
		c.groups = map[string]cachedList{}
	}
	c.groups[groupID] = cachedList{v: members, expires: time.Now().Add(policyCacheExpiry)}
	c.mu.Unlock()
	return members, nil
}
