package commands

import (
	"context"
	"time"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// CallState is where the call to one invitee stands.
type CallState int

const (
	CallRinging CallState = iota // being called, as far as is known
	CallJoined                   // answered: in the meeting
	CallMissed                   // stopped ringing without joining (no answer, busy, declined)
	CallNone                     // nothing rings: invited by email only
)

func (c CallState) String() string {
	switch c {
	case CallRinging:
		return "ringing"
	case CallJoined:
		return "joined"
	case CallMissed:
		return "missed"
	case CallNone:
		return "none"
	}
	return "unknown"
}

// final reports whether the state can no longer change.
func (c CallState) final() bool { return c != CallRinging }

// FollowCalls watches the calls of an accepted invitation until each one
// was answered or stopped ringing, or ctx ends, looking at the followed
// meeting's live participants every poll (no request: Presence.Find).
// update gets the state of every invitee, in the order of rep.Invited,
// each time one changes. It returns the last states, and whether the
// meeting was ever seen live: if not, nothing is known of the calls.
//
// A call counts as answered once its number is in the meeting, and as
// missed once it was seen ringing and then left the list without joining;
// a missed person may be called again at once (the recent window is lifted
// for them).
func (in *Inviter) FollowCalls(ctx context.Context, rep Report, poll time.Duration, update func([]CallState)) (states []CallState, observed bool) {
	states = make([]CallState, len(rep.Invited))
	seen := make([]bool, len(rep.Invited)) // seen ringing
	ringing := 0
	for i, iv := range rep.Invited {
		if iv.Via == ViaEmail {
			states[i] = CallNone
			continue
		}
		ringing++
	}
	p := in.cfg.Presence
	if p == nil || ringing == 0 || rep.Err != nil {
		return states, false
	}
	matchers := make([]matcher, len(rep.Invited))
	for i, iv := range rep.Invited {
		matchers[i] = newMatcher(iv)
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		found, live := p.Find(rep.ConferenceID, func(pt meeting.Participant) bool {
			for i, m := range matchers {
				if !states[i].final() && m.matches(pt) {
					return true
				}
			}
			return false
		})
		if live {
			observed = true
			before := append([]CallState(nil), states...)
			if advance(matchers, states, seen, found) {
				for i := range states {
					if states[i] == CallMissed && before[i] != CallMissed {
						// Known not to ring any more: free to be called again.
						in.release(rep.ConferenceID, rep.Invited[i:i+1])
					}
				}
				update(append([]CallState(nil), states...))
			}
			if done(states) {
				return states, true
			}
		}
		select {
		case <-ctx.Done():
			return states, observed
		case <-t.C:
		}
	}
}

// advance moves each call on from what the live list shows, and reports
// whether any changed.
func advance(matchers []matcher, states []CallState, seen []bool, found []meeting.Participant) bool {
	changed := false
	for i, m := range matchers {
		if states[i].final() {
			continue
		}
		var there, joined bool
		for _, pt := range found {
			if m.matches(pt) {
				there = true
				joined = joined || pt.State == meeting.InMeeting
			}
		}
		switch {
		case joined:
			states[i], changed = CallJoined, true
		case there:
			seen[i] = true
		case seen[i]:
			states[i], changed = CallMissed, true
		}
	}
	return changed
}

func done(states []CallState) bool {
	for _, s := range states {
		if !s.final() {
			return false
		}
	}
	return true
}
