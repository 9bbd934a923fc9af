package commands

import (
	"context"
	"errors"
	"fmt"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// ErrNoPhone is CallPhone's error for an invitee who was not called in the
// meeting app, or has no phone number on file: there is no other way to
// ring them.
var ErrNoPhone = errors.New("commands: no phone to call instead")

// OnPhone is an invitee called in the meeting app (ViaApp), as called on
// their phone instead: the first of their other numbers (the directory's
// mobile, else their profile's), with the meeting number among the others,
// so that joining either way counts. ok is false for anyone else.
func OnPhone(iv Invitee) (phone Invitee, ok bool) {
	if iv.Via != ViaApp || len(iv.Also) == 0 {
		return Invitee{}, false
	}
	also := append([]string{iv.Address}, iv.Also[1:]...)
	return Invitee{Person: iv.Person, Via: ViaPhone, Address: iv.Also[0], Also: also, Instead: true}, true
}

// CallPhone rings, once, the phone of rep.Invited[i], whom inv called in
// the meeting app: because they asked for it, or because the app went
// unanswered. It goes the way an invitation does, for one person: who is in
// the meeting is asked while the meeting is prepared, then the
// called-recently window is reserved, asker's CallsPerMinute taken, and one
// invite request sent. The app call's hold (rep.Holder) passes to the phone
// call's in one step (Reservations.TakeOver), so that they are never free
// to be called by another request meanwhile; anyone else's hold (another
// request called them moments ago) refuses the call. When nothing rings (the
// limit, the meeting service refused it) the hold goes back as it was.
//
// The report names the phone call in Invited, or in Skipped why nobody was
// called (SkipInMeeting, SkipBeingCalled, SkipRecentlyInvited). The error is
// ErrNoPhone, a *SlowDownError, or the meeting service's.
func (in *Inviter) CallPhone(ctx context.Context, inv Invitation, rep Report, i int, asker string) (Report, error) {
	out := Report{ConferenceID: rep.ConferenceID, Conference: rep.Conference, Holder: rep.Holder}
	if i < 0 || i >= len(rep.Invited) {
		return out, ErrNoPhone
	}
	iv := rep.Invited[i]
	phone, ok := OnPhone(iv)
	if !ok {
		return out, ErrNoPhone
	}
	pctx, stopPresence := context.WithCancel(ctx)
	defer stopPresence()
	online := in.online(pctx, rep.ConferenceID)
	if _, err := in.meetings.Prepare(ctx, rep.ConferenceID, inv.HostPassword); err != nil {
		return out, err
	}
	if in.presence != nil {
		in.presence.Follow(rep.ConferenceID) // so that the call is seen, by whichever process rings it
	}
	if reason, reached := alreadyReached(phone, online()); reached {
		out.Skipped = []Skipped{skippedInvitee(phone, reason)}
		return out, nil
	}
	took, held, err := in.reservations.TakeOver(ctx, reservationOf(rep.ConferenceID, rep.Holder, phone), rep.Holder, in.cfg.RecentWindow)
	switch {
	case err != nil:
		return out, fmt.Errorf("reserve the call: %w", err)
	case !took:
		out.Skipped = []Skipped{skippedInvitee(phone, SkipRecentlyInvited)}
		return out, nil
	}
	if err := in.limits.take(asker, 1); err != nil {
		in.giveBack(rep, iv, phone, held)
		return out, err
	}
	out.SentAt = in.cfg.Now()
	var mayRing bool
	if out.RequestID, mayRing, err = in.send(ctx, inv, []Invitee{phone}); err != nil {
		if !mayRing {
			in.giveBack(rep, iv, phone, held)
		}
		return out, err
	}
	out.Invited = []Invitee{phone}
	return out, nil
}

// giveBack undoes the take-over of a phone call that does not ring: the
// hold goes back to the app call when it had it (it may ring still), else
// it is lifted.
func (in *Inviter) giveBack(rep Report, app, phone Invitee, held bool) {
	if !held {
		in.release(rep.ConferenceID, rep.Holder, []Invitee{phone})
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	r := reservationOf(rep.ConferenceID, rep.Holder, app)
	if _, _, err := in.reservations.TakeOver(ctx, r, phoneHolder(rep.Holder), in.cfg.RecentWindow); err != nil {
		// The phone's hold lapses at the end of the window anyway.
		in.log.WarnContext(ctx, "could not give a reservation back", "conference_id", rep.ConferenceID, "err", err)
	}
}

// alreadyReached says why a phone call needs not be made: the person is in
// the meeting, whichever way they joined, or their phone rings already.
// Their meeting number ringing is no reason: that is the call the phone
// replaces.
func alreadyReached(phone Invitee, online []meeting.Participant) (SkipReason, bool) {
	m := newMatcher(phone)
	ours := canonicalNumber(phone.Address)
	for _, p := range online {
		if !m.matches(p) {
			continue
		}
		switch {
		case p.State == meeting.InMeeting || p.State == meeting.Joining:
			return SkipInMeeting, true
		case canonicalNumber(p.Number) == ours && p.State == meeting.BeingCalled:
			return SkipBeingCalled, true
		case canonicalNumber(p.Number) == ours:
			return SkipInMeeting, true // Online: in it or ringing, the list does not say
		}
	}
	return 0, false
}
