package commands

import (
	"context"
	"errors"
	"sync"
)

// Plan is who an invitation would reach: the users named directly, then
// the members of each user group and channel, each once.
type Plan struct {
	UserIDs []string
	Direct  int       // phone numbers and emails typed directly
	Skipped []Skipped // groups and channels that could not be expanded

	brought map[string]bool // users who came in through a group or channel
	partial bool            // a channel was counted only as far as past MaxPeople
}

// expansions is how many user groups and channels of one invitation are
// expanded at once: a few, so that one request cannot spend the token's
// rate limits (usergroups.users.list is Tier 2, about 20 a minute).
const expansions = 3

// checkSize refuses, before anything is looked up, an invitation that names
// more user groups and channels than MaxGroups or more people than
// MaxPeople.
func (in *Inviter) checkSize(inv Invitation) error {
	if n := len(inv.GroupIDs) + len(inv.ChannelIDs); n > in.cfg.MaxGroups {
		return &TooManyGroupsError{Count: n, Max: in.cfg.MaxGroups}
	}
	if n := inv.Named(); n > in.cfg.MaxPeople {
		return &TooManyError{Count: n, Max: in.cfg.MaxPeople, Host: len(inv.Hosts) > 0}
	}
	return nil
}

// Count is how many people the plan reaches.
func (p Plan) Count() int { return len(p.UserIDs) + p.Direct }

// Plan authorizes the invoker, then expands the invitation's user groups
// and channels into people, without looking anyone up, so that they can be
// counted (and confirmed) before anyone is called. It fails when the
// invitation names too many groups and channels, the invoker may not
// invite, or the plan reaches more than MaxPeople.
func (in *Inviter) Plan(ctx context.Context, inv Invitation) (Plan, error) {
	if err := in.checkSize(inv); err != nil {
		return Plan{}, err
	}
	if in.auth != nil {
		if err := in.auth.Authorize(ctx, inv.Invoker, inv.Channel); err != nil {
			return Plan{}, err
		}
	}
	plan := in.expand(ctx, inv)
	if n := plan.Count(); n > in.cfg.MaxPeople {
		return plan, &TooManyError{Count: n, Max: in.cfg.MaxPeople, AtLeast: plan.partial, Host: len(inv.Hosts) > 0}
	}
	return plan, nil
}

// expand expands the invitation's user groups and channels into people.
// The invoker is not brought in by a group or channel (they are presumably
// in the meeting); named directly, they are.
func (in *Inviter) expand(ctx context.Context, inv Invitation) Plan {
	// A channel is paged only until it has more members than could be
	// invited (the invoker, one of them, is left out).
	atMost := in.cfg.MaxPeople + 1
	exps := in.fetchMembers(ctx, inv, atMost)

	plan := Plan{Direct: len(inv.Phones) + len(inv.Emails), brought: map[string]bool{}}
	seen := map[string]bool{}
	for _, id := range inv.UserIDs {
		if !seen[id] {
			seen[id] = true
			plan.UserIDs = append(plan.UserIDs, id)
		}
	}
	for _, e := range exps {
		if r := in.expansionProblem(ctx, e); r != 0 {
			plan.Skipped = append(plan.Skipped, Skipped{GroupID: e.groupID, ChannelID: e.channelID, Reason: r})
		}
		if e.channelID != "" && len(e.members) == atMost+1 {
			plan.partial = true // perhaps cut short: more than atMost, in any case
		}
		for _, id := range e.members {
			if !seen[id] && id != inv.Invoker {
				seen[id] = true
				plan.brought[id] = true
				plan.UserIDs = append(plan.UserIDs, id)
			}
		}
	}
	return plan
}

// expansion is one group's or channel's members, as fetched.
type expansion struct {
	groupID, channelID string
	members            []string
	err                error
}

// fetchMembers reads the members of the invitation's groups and channels,
// a few at a time, each channel up to atMost.
func (in *Inviter) fetchMembers(ctx context.Context, inv Invitation, atMost int) []expansion {
	exps := make([]expansion, 0, len(inv.GroupIDs)+len(inv.ChannelIDs))
	for _, g := range inv.GroupIDs {
		exps = append(exps, expansion{groupID: g})
	}
	for _, c := range inv.ChannelIDs {
		exps = append(exps, expansion{channelID: c})
	}
	sem := make(chan struct{}, expansions)
	var wg sync.WaitGroup
	for i := range exps {
		e := &exps[i]
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if e.groupID != "" {
				e.members, e.err = in.people.GroupMembers(ctx, e.groupID)
			} else {
				e.members, e.err = in.people.ChannelMembers(ctx, e.channelID, atMost)
			}
		})
	}
	wg.Wait()
	return exps
}

// expansionProblem says why a group or channel brought nobody, or 0.
func (in *Inviter) expansionProblem(ctx context.Context, e expansion) SkipReason {
	switch {
	case errors.Is(e.err, ErrNoSuchGroup):
		return SkipUnknownGroup
	case errors.Is(e.err, ErrNoSuchChannel):
		return SkipUnknownChannel
	case e.err != nil:
		in.log.WarnContext(ctx, "expanding a group or channel failed", "group", e.groupID, "channel", e.channelID, "err", e.err)
		return SkipLookupFailed
	case len(e.members) == 0:
		return SkipEmptyGroup
	}
	return 0
}
