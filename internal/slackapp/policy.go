package slackapp

import (
	"context"
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
	mu     sync.Mutex
	guests map[string]cachedBool // user ID → is a guest
	groups map[string]cachedList // group ID → members
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
	c.mu.Unlock()
	u, err := a.sm.GetUserInfoContext(ctx, userID)
	if err != nil {
		return false, err
	}
	guest := u.IsRestricted || u.IsUltraRestricted
	c.mu.Lock()
	if c.guests == nil {
		c.guests = map[string]cachedBool{}
	}
	c.guests[userID] = cachedBool{v: guest, expires: time.Now().Add(policyCacheExpiry)}
	c.mu.Unlock()
	return guest, nil
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
