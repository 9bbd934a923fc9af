package commands

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// CallState is where the call to one invitee stands.
type CallState int

const (
	CallRinging  CallState = iota // being called, as far as is known
	CallJoined                    // answered: in the meeting
	CallMissed                    // stopped ringing without joining, or not answered in time
	CallNone                      // nothing rings: sent the join link (ViaLink)
	CallBusy                      // Huawei said: busy on another call
	CallDeclined                  // Huawei said: they declined the call
	CallFailed                    // Huawei said: the call could not be made (offline, unreachable…)
	CallNoPSTN                    // Huawei said: a phone call, and phone calls aren't enabled for the organisation
)

// final reports whether the state can no longer change.
func (c CallState) final() bool { return c != CallRinging }

// Unanswered reports whether the call ended without the person joining,
// for a reason that calling again might change (not declined, not a
// phone call the organisation cannot make).
func (c CallState) Unanswered() bool {
	return c == CallMissed || c == CallBusy || c == CallFailed
}

// callStates maps what Huawei pushed about a call that failed onto a state.
var callStates = map[meeting.CallOutcome]CallState{
	meeting.CallBusy: CallBusy, meeting.CallDeclined: CallDeclined, meeting.CallNoAnswer: CallMissed,
	meeting.CallNoPSTN: CallNoPSTN, meeting.CallFailed: CallFailed,
}

// CallUpdate is where an invitation's calls stand: the state of every
// invitee, in the order of Report.Invited.
type CallUpdate struct {
	States []CallState
	// Final is set on the last update, after which the calls are not
	// followed any more. Known is then false when the list was not live at
	// the end (never followed, the link dropped, the meeting ended, ctx
	// cancelled): the states say only what was seen, and calls still
	// ringing are of unknown outcome.
	Final, Known bool
}

// FollowCalls watches the calls of an accepted invitation until each one
// was answered or stopped ringing, or ctx ends, looking at the followed
// meeting's live participants at every tick (no request: Presence.Find).
// It calls show with an update each time a call changes, then with a final
// one, and returns: all on the caller's goroutine, so that following holds
// one goroutine, not two.
//
// A call counts as answered once its number is in the meeting, and as
// missed once it was seen ringing and then was absent from two live looks
// in a row (so that a meeting ending, which empties the list just before
// the link closes, is not taken for calls going unanswered). When ctx's
// deadline passes while the list is live, calls still ringing count as
// missed. A missed person may be called again at once: the recent window
// is lifted for them. Once the list was live, lostLooks looks in a row
// without it end the following, with the outcome unknown.
func (in *Inviter) FollowCalls(ctx context.Context, rep Report, ticks <-chan time.Time, show func(CallUpdate)) {
	states := make([]CallState, len(rep.Invited))
	for i, iv := range rep.Invited {
		if iv.Via == ViaLink {
			states[i] = CallNone
		}
	}
	f := &follower{in: in, rep: rep, states: states, show: show,
		seen: make([]bool, len(rep.Invited)), gone: make([]bool, len(rep.Invited)), matchers: make([]matcher, len(rep.Invited))}
	known := in.presence != nil && !done(states) && f.follow(ctx, ticks)
	show(CallUpdate{States: slices.Clone(f.states), Final: true, Known: known})
}

// follow looks at the list at every tick until the calls end or ctx does,
// and reports whether their outcome is known.
func (f *follower) follow(ctx context.Context, ticks <-chan time.Time) (known bool) {
	f.index()
	wasLive, missed := false, 0 // missed: looks in a row without the list, after it was live
	for {
		found, live := f.in.presence.Find(f.rep.ConferenceID, f.wanted)
		switch {
		case live:
			results, _ := f.in.presence.CallResults(f.rep.ConferenceID, f.rep.SentAt)
			f.look(found, results)
			if done(f.states) {
				return true
			}
			wasLive, missed = true, 0
		case wasLive:
			if missed++; missed >= lostLooks {
				return false // the meeting ended, or the link is gone: nothing more will be seen
			}
		}
		select {
		case <-ctx.Done():
			if !live || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return false
			}
			f.giveUp()
			return true
		case _, ok := <-ticks:
			if !ok {
				return false // no more looks: the outcome stays unknown
			}
		}
	}
}

// lostLooks is how many looks in a row may find the list not live, after it
// was, before FollowCalls stops: a meeting that ended or a link that broke
// shows nothing more, and a blip lasts one look.
const lostLooks = 3

// follower is the state of one FollowCalls.
type follower struct {
	in       *Inviter
	rep      Report
	states   []CallState
	show     func(CallUpdate)
	matchers []matcher
	byNumber map[string][]int // canonical number → invitees with it
	byCalled map[string][]int // canonical number called → invitees called on it
	seen     []bool           // seen ringing
	gone     []bool           // absent from the last live look, after being seen
}

// index makes a matcher per invitee, and an index of their numbers so that
// a look at a large meeting costs one map lookup a participant.
func (f *follower) index() {
	f.byNumber, f.byCalled = map[string][]int{}, map[string][]int{}
	for i, iv := range f.rep.Invited {
		f.matchers[i] = newMatcher(iv)
		for _, n := range f.matchers[i].numbers {
			f.byNumber[n] = append(f.byNumber[n], i)
		}
		if c := canonicalNumber(iv.Address); c != "" {
			f.byCalled[c] = append(f.byCalled[c], i)
		}
	}
}

// wanted matches the participants that are one of the calls still open.
func (f *follower) wanted(pt meeting.Participant) bool {
	theirs := canonicalNumber(pt.Number)
	if !strings.Contains(theirs, "*") {
		for _, i := range f.byNumber[theirs] {
			if !f.states[i].final() {
				return true
			}
		}
		return false
	}
	for i, m := range f.matchers { // masked: compare with each
		if !f.states[i].final() && m.matchesNumber(theirs, pt.Name) {
			return true
		}
	}
	return false
}

// look moves each call on from one live look at the list and what Huawei
// said of the calls that failed, and reports changes.
func (f *follower) look(found []meeting.Participant, results []meeting.CallResult) {
	missed, changed := f.failed(results)
	for i, m := range f.matchers {
		if f.states[i].final() {
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
			f.states[i], changed = CallJoined, true
		case there:
			f.seen[i], f.gone[i] = true, false
		case f.seen[i] && f.gone[i]:
			f.states[i], changed = CallMissed, true
			missed = append(missed, i)
		case f.seen[i]:
			f.gone[i] = true // missed, if still absent at the next look
		}
	}
	f.finish(missed, changed)
}

// failed ends the calls Huawei said failed (busy, declined, no PSTN…),
// found by their number, and returns them.
func (f *follower) failed(results []meeting.CallResult) (ended []int, changed bool) {
	for _, r := range results {
		st, ok := callStates[r.Outcome]
		if !ok {
			continue
		}
		for _, i := range f.callsTo(canonicalNumber(r.Number)) {
			if !f.states[i].final() {
				f.states[i], changed = st, true
				ended = append(ended, i)
			}
		}
	}
	return ended, changed
}

// callsTo finds the invitees called on a number from a call result: what
// Huawei says of a call is about the number it rang, not the person's other
// numbers (whose phone rings after their app went unanswered must not be
// taken for missed when the app's call times out). A masked number
// ("+99111****815") carries no name to confirm it, so it counts only when
// it could be exactly one of the calls still open.
func (f *follower) callsTo(number string) []int {
	if !strings.Contains(number, "*") {
		return f.byCalled[number]
	}
	var found []int
	for i, iv := range f.rep.Invited {
		if !f.states[i].final() && maskedMatch(number, canonicalNumber(iv.Address)) {
			found = append(found, i)
		}
	}
	if len(found) != 1 {
		return nil
	}
	return found
}

// giveUp counts the calls still ringing as missed.
func (f *follower) giveUp() {
	var missed []int
	for i, st := range f.states {
		if st == CallRinging {
			f.states[i] = CallMissed
			missed = append(missed, i)
		}
	}
	f.finish(missed, len(missed) > 0)
}

func (f *follower) finish(ended []int, changed bool) {
	for _, i := range ended {
		// Known not to ring any more: free to be called again.
		f.in.releaseCalls(f.rep, f.rep.Invited[i:i+1])
	}
	if changed && !done(f.states) {
		f.show(CallUpdate{States: slices.Clone(f.states)})
	}
}

func done(states []CallState) bool {
	for _, s := range states {
		if !s.final() {
			return false
		}
	}
	return true
}
