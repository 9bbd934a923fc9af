package commands

import (
	"context"
	"errors"

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
	return Invitee{Person: iv.Person, Via: ViaPhone, Address: iv.Also[0], Also: also}, true
}

// CallPhone rings, once, the phone of rep.Invited[i], whom inv called in
// the meeting app: because they asked for it, or because the app went
// unanswered. It goes the way an invitation does, for one person: who is in
// the meeting is asked while the meeting is prepared, then asker's
// CallsPerMinute is taken, the called-recently window reserved, and one
// invite request sent. The window is the invitation's own: its hold on the
// app call (rep.Holder) passes to the phone call, so that a later call
// again releases it as usual; anyone else's hold (another request called
// them moments ago) refuses the call.
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
	if reason, reached := alreadyReached(phone, online()); reached {
		out.Skipped = []Skipped{skippedInvitee(phone, reason)}
		return out, nil
	}
	if err := in.limits.take(asker, 1); err != nil {
		return out, err
	}
	in.release(rep.ConferenceID, rep.Holder, []Invitee{iv})
	kept, recent, err := in.reserve(ctx, rep.ConferenceID, rep.Holder, []Invitee{phone})
	if err != nil || len(kept) == 0 {
		out.Skipped = recent
		return out, err
	}
	out.SentAt = in.cfg.Now()
	if out.RequestID, err = in.send(ctx, inv, rep.Holder, kept); err != nil {
		return out, err
	}
	out.Invited = kept
	return out, nil
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
