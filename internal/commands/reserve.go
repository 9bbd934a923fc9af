package commands

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Reservation is one person being called into a meeting, by their chat
// user ID (Person; empty for a number typed directly) and by every number
// or address they are known by (the one called and the others), so that a
// second request reaching them another way (their phone after their
// meeting number) does not ring them again. Holder is the request that
// reserved it: only it releases it, and a successor can count what a
// request that died still holds.
type Reservation struct {
	Meeting string
	Holder  string
	Person  string
	Numbers []string
}

// Reservations is the "called recently" window: nobody is called twice into
// a meeting while their reservation lives. The store implements it for
// every process sharing a database (internal/bot adapts it);
// NewMemoryReservations keeps it in one process, for tests.
type Reservations interface {
	// Reserve takes every key of r (the person, each number) for ttl, or
	// none: it reports false when any of them is still held, by anyone.
	Reserve(ctx context.Context, r Reservation, ttl time.Duration) (bool, error)
	// Release gives back the keys of r that r.Holder still holds.
	Release(ctx context.Context, r Reservation) error
	// TakeOver takes every key of r for ttl, those holder from holds
	// included (they pass to r.Holder without a moment free), or none: it
	// reports false when any of them is held by anyone else. held reports
	// whether from held any of them.
	TakeOver(ctx context.Context, r Reservation, from string, ttl time.Duration) (ok, held bool, err error)
	// NumberReserved reports whether number is reserved in meeting.
	NumberReserved(ctx context.Context, meeting, number string) (bool, error)
}

// releaseTimeout bounds giving reservations back, which happens after the
// request's own context may have ended.
const releaseTimeout = 5 * time.Second

// reserve marks each invitee as being called into the conference, before
// the call, and leaves out anyone reserved there already, so that a double
// submission or a repeated command, on this process or another, never rings
// a person twice. A failing store fails the invitation: calling without a
// reservation could ring someone twice.
func (in *Inviter) reserve(ctx context.Context, conferenceID, holder string, invitees []Invitee) (kept []Invitee, skipped []Skipped, err error) {
	for _, iv := range invitees {
		ok, err := in.reservations.Reserve(ctx, reservationOf(conferenceID, holder, iv), in.cfg.RecentWindow)
		if err != nil {
			in.release(conferenceID, holder, kept)
			return nil, nil, fmt.Errorf("reserve the calls: %w", err)
		}
		if !ok {
			skipped = append(skipped, skippedInvitee(iv, SkipRecentlyInvited))
			continue
		}
		kept = append(kept, iv)
	}
	return kept, skipped, nil
}

// calledRecently reports whether addr is reserved in the conference: this
// bot (any of its processes) called it within the recent window.
func (in *Inviter) calledRecently(ctx context.Context, conferenceID, addr string) bool {
	held, err := in.reservations.NumberReserved(ctx, conferenceID, reservationNumber(addr))
	if err != nil {
		in.log.WarnContext(ctx, "could not read the called-recently window", "conference_id", conferenceID, "err", err)
	}
	return held
}

// release lifts holder's reservations of invitees known not to be ringing.
// It runs on its own bounded context: the request's may have ended.
func (in *Inviter) release(conferenceID, holder string, invitees []Invitee) {
	if len(invitees) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	for _, iv := range invitees {
		if err := in.reservations.Release(ctx, reservationOf(conferenceID, holder, iv)); err != nil {
			// The reservation lapses at the end of the window anyway.
			in.log.WarnContext(ctx, "could not lift a reservation", "conference_id", conferenceID, "err", err)
		}
	}
}

// releaseCalls lifts the reservations of invitees of rep whose calls were
// seen to end unanswered.
func (in *Inviter) releaseCalls(rep Report, invitees []Invitee) {
	in.release(rep.ConferenceID, rep.Holder, invitees)
}

// reservationOf is the reservation of one invitee: their user ID and every
// number they are known by, held by holder (by its phone holder for a phone
// rung instead of the app).
func reservationOf(conferenceID, holder string, iv Invitee) Reservation {
	if iv.Instead {
		holder = phoneHolder(holder)
	}
	r := Reservation{Meeting: conferenceID, Holder: holder, Person: iv.Person.ID}
	for _, n := range append([]string{iv.Address}, iv.Also...) {
		if k := reservationNumber(n); k != "" {
			r.Numbers = append(r.Numbers, k)
		}
	}
	return r
}

// phoneHolder holds the reservation of a phone rung in place of the app
// call that holder reserved.
func phoneHolder(holder string) string { return holder + "/phone" }

// reservationNumber is the key of a number or address: spelled one way
// however it was written (spaces, dashes, "sip:"), so that the same
// number typed two ways is one reservation.
func reservationNumber(addr string) string {
	if n := canonicalNumber(addr); n != "" {
		return n
	}
	return strings.ToLower(strings.TrimSpace(addr)) // an email
}

// newHolder makes a request ID for an invitation that came without one.
func newHolder() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "inv-" + hex.EncodeToString(b)
}

// MemoryReservations is Reservations in one process's memory: for tests,
// and for an Inviter given none.
type MemoryReservations struct {
	now  func() time.Time
	mu   sync.Mutex
	held map[string]memoryHold // meeting + "|" + kind + "|" + subject
}

type memoryHold struct {
	holder  string
	expires time.Time
}

// NewMemoryReservations returns an empty window that tells time with now
// (nil: time.Now).
func NewMemoryReservations(now func() time.Time) *MemoryReservations {
	if now == nil {
		now = time.Now
	}
	return &MemoryReservations{now: now, held: map[string]memoryHold{}}
}

func (m *MemoryReservations) keys(r Reservation) []string {
	var out []string
	if r.Person != "" {
		out = append(out, r.Meeting+"|person|"+r.Person)
	}
	for _, n := range r.Numbers {
		out = append(out, r.Meeting+"|number|"+n)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Reserve implements Reservations.
func (m *MemoryReservations) Reserve(_ context.Context, r Reservation, ttl time.Duration) (bool, error) {
	ok, _ := m.take(r, "", ttl)
	return ok, nil
}

// TakeOver implements Reservations.
func (m *MemoryReservations) TakeOver(_ context.Context, r Reservation, from string, ttl time.Duration) (ok, held bool, err error) {
	ok, held = m.take(r, from, ttl)
	return ok, held, nil
}

// take takes every key of r for ttl, each free or (from not empty) held by
// from, or none; held reports whether from held any.
func (m *MemoryReservations) take(r Reservation, from string, ttl time.Duration) (ok, held bool) {
	keys := m.keys(r)
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		h, ok := m.held[k]
		switch {
		case !ok || !h.expires.After(now):
		case from != "" && h.holder == from:
			held = true
		default:
			return false, false
		}
	}
	if len(m.held) > 1024 { // forget what lapsed, so the map stays small
		for k, h := range m.held {
			if !h.expires.After(now) {
				delete(m.held, k)
			}
		}
	}
	for _, k := range keys {
		m.held[k] = memoryHold{holder: r.Holder, expires: now.Add(ttl)}
	}
	return true, held
}

// Release implements Reservations.
func (m *MemoryReservations) Release(_ context.Context, r Reservation) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range m.keys(r) {
		if h, ok := m.held[k]; ok && h.holder == r.Holder {
			delete(m.held, k)
		}
	}
	return nil
}

// NumberReserved implements Reservations.
func (m *MemoryReservations) NumberReserved(_ context.Context, meeting, number string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h, ok := m.held[meeting+"|number|"+number]
	return ok && h.expires.After(m.now()), nil
}
