package commands

import (
	"context"
	"errors"
	"sync"
	"unicode/utf8"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// direct turns phone numbers and emails typed in the command into
// invitees, or skips them when configuration does not allow it.
func (in *Inviter) direct(inv Invitation) []resolution {
	var out []resolution
	add := func(addr string, via Via, name string) {
		if !in.cfg.AllowDirect {
			out = append(out, resolution{skip: &Skipped{Address: addr, Name: name, Reason: SkipDirectNotAllowed}})
			return
		}
		out = append(out, resolution{invitee: &Invitee{Person: Person{Name: name}, Via: via, Address: addr}})
	}
	for _, p := range inv.Phones {
		add(p, ViaPhone, MaskPhone(p))
	}
	for _, e := range inv.Emails {
		add(e, ViaLink, MaskEmail(e))
	}
	return out
}

// Reach tells how an invitation would reach the person asking, from where
// they asked: the invitee it would call, or why they would be left out. It
// applies the same access rules as an invitation, looks them up as one
// does (sharing its cache), and calls nobody.
func (in *Inviter) Reach(ctx context.Context, userID, channelID string) (Invitee, *Skipped, error) {
	if in.auth != nil {
		if err := in.auth.Authorize(ctx, userID, channelID); err != nil {
			return Invitee{}, nil, err
		}
	}
	r := in.resolveAll(ctx, []string{userID})[0]
	if r.skip != nil {
		return Invitee{}, r.skip, nil
	}
	return *r.invitee, nil, nil
}

// resolveAll resolves every user, at most cfg.Concurrency at a time, and
// returns the results in the order of ids.
func (in *Inviter) resolveAll(ctx context.Context, ids []string) []resolution {
	out := make([]resolution, len(ids))
	sem := make(chan struct{}, in.cfg.Concurrency)
	var wg sync.WaitGroup
	for i, id := range ids {
		if r, ok := in.cache.Get(id); ok {
			out[i] = r
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			// Concurrent invitations naming one person look them up once.
			r, err := in.flight.Do(ctx, id, func(ctx context.Context) (resolution, error) {
				r, cacheable := in.resolve(ctx, id)
				if cacheable {
					in.cache.Set(id, r)
				}
				return r, nil
			})
			if err != nil { // ctx ended while another invitation looked them up
				r = resolution{skip: &Skipped{UserID: id, Reason: SkipLookupFailed}}
			}
			out[i] = r
		})
	}
	wg.Wait()
	return out
}

// resolve finds how to reach one user: their meeting number from the
// directory (found by email), else their profile phone, else their email.
// cacheable is false for outcomes that a retry might change.
func (in *Inviter) resolve(ctx context.Context, id string) (r resolution, cacheable bool) {
	skip := func(p Person, reason SkipReason) resolution {
		return resolution{skip: &Skipped{UserID: id, Name: p.Name, Reason: reason}}
	}
	p, err := in.people.Person(ctx, id)
	switch {
	case errors.Is(err, ErrNoSuchPerson):
		return skip(Person{}, SkipNotFound), true
	case err != nil:
		in.log.WarnContext(ctx, "user lookup failed", "slack_user", id, "err", err)
		return skip(Person{}, SkipLookupFailed), false
	case p.Deleted:
		return skip(p, SkipDeactivated), true
	case p.Bot:
		return skip(p, SkipBot), true
	case !in.cfg.AllowExternal && in.cfg.Home.Foreign(p):
		// Their profile is their own organisation's: its phone is not
		// ours to ring. Guests, whom an admin let in, are called.
		return skip(p, SkipExternal), true
	}

	cacheable = true
	profilePhone, _ := NormalizePhone(p.Phone)
	if p.Email != "" {
		u, err := in.meetings.FindUserByEmail(ctx, p.Email)
		var dirPhone string
		if err == nil && !u.HidePhone {
			dirPhone, _ = NormalizePhone(u.Phone)
		}
		switch {
		case err == nil && u.Number != "":
			return resolution{invitee: &Invitee{Person: p, Via: ViaApp, Address: u.Number, Also: otherNumbers(u.Number, dirPhone, profilePhone)}}, true
		case dirPhone != "":
			return resolution{invitee: &Invitee{Person: p, Via: ViaPhone, Address: dirPhone, Also: otherNumbers(dirPhone, profilePhone)}}, true
		case err != nil && !errors.Is(err, meeting.ErrNoDirectoryMatch):
			// The directory is a nicety: fall back to the profile, but do
			// not remember the fallback, so the next request tries again.
			in.log.WarnContext(ctx, "directory lookup failed", "slack_user", id, "err", err)
			cacheable = false
		}
	}
	if p.Phone != "" {
		if n, ok := NormalizePhone(p.Phone); ok {
			return resolution{invitee: &Invitee{Person: p, Via: ViaPhone, Address: n}}, cacheable
		}
		if p.Email == "" {
			return skip(p, SkipBadPhone), true
		}
	}
	if p.Email != "" {
		return resolution{invitee: &Invitee{Person: p, Via: ViaLink, Address: p.Email}}, cacheable
	}
	return skip(p, SkipNoContact), true
}

// otherNumbers returns the numbers after the first that differ from it and
// from each other, leaving out empty ones.
func otherNumbers(addr string, numbers ...string) []string {
	seen := map[string]bool{canonicalNumber(addr): true}
	var out []string
	for _, n := range numbers {
		if c := canonicalNumber(n); c != "" && !seen[c] {
			seen[c] = true
			out = append(out, n)
		}
	}
	return out
}

// attendee builds the meeting service's attendee for an invitee called
// by number (ViaApp or ViaPhone; ViaLink ones are never sent).
func attendee(iv Invitee, role meeting.Role) meeting.Attendee {
	a := meeting.Attendee{Name: truncate(iv.Person.Name, 96), Role: role}
	switch iv.Via {
	case ViaApp:
		a.Phone, a.Type = iv.Address, meeting.TypeNormal
	case ViaPhone:
		a.Phone, a.Type = iv.Address, meeting.TypeMobile
	}
	if iv.Person.ID == "" {
		// Typed directly: Person.Name is masked for Slack; the meeting
		// roster shows the number or address itself.
		a.Name = truncate(iv.Address, 96)
	}
	if a.Name == "" {
		a.Name = iv.Person.ID
	}
	return a
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}
