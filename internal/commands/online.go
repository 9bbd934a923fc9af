package commands

import (
	"context"
	"time"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// online starts asking who is in the conference and returns a function that
// waits for the answer: at most cfg.PresenceWait, so that a slow answer
// never holds an invitation up for long. Without an answer it returns nil,
// and everyone is called. Cancelling ctx ends the question.
func (in *Inviter) online(ctx context.Context, conferenceID string) func() []meeting.Participant {
	if in.presence == nil {
		return func() []meeting.Participant { return nil }
	}
	type answer struct {
		ps  []meeting.Participant
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		ps, err := in.presence.Participants(ctx, conferenceID)
		ch <- answer{ps, err}
	}()
	return func() []meeting.Participant {
		t := time.NewTimer(in.cfg.PresenceWait)
		defer t.Stop()
		select {
		case a := <-ch:
			if a.err != nil {
				in.log.WarnContext(ctx, "could not check who is in the meeting; calling everyone", "conference_id", conferenceID, "err", a.err)
				return nil
			}
			return a.ps
		case <-t.C:
			in.log.WarnContext(ctx, "checking who is in the meeting took too long; calling everyone", "conference_id", conferenceID)
			return nil
		}
	}
}

// leaveOutOnline leaves out invitees who are online in the meeting already.
// Someone still ringing because this bot called them is reported as such.
func (in *Inviter) leaveOutOnline(ctx context.Context, conferenceID string, invitees []Invitee, online []meeting.Participant) (kept []Invitee, skipped []Skipped) {
	if len(online) == 0 {
		return invitees, nil
	}
	for _, iv := range invitees {
		p, ok := findOnline(iv, online)
		if !ok {
			kept = append(kept, iv)
			continue
		}
		reason := SkipInMeeting
		switch {
		case p.State == meeting.InMeeting:
		case in.calledRecently(ctx, conferenceID, iv.Address):
			reason = SkipRecentlyInvited // still ringing, or perhaps (Online) joined, from this bot's call
		case p.State == meeting.BeingCalled:
			reason = SkipBeingCalled
		}
		skipped = append(skipped, skippedInvitee(iv, reason))
	}
	return kept, skipped
}
