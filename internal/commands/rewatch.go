package commands

import (
	"context"
	"errors"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// Rewatch makes the meeting service's live list of the conference
// available again to FollowCalls, as an invitation does: the conference
// is prepared (after a restart nothing about it is cached) and followed.
// It is for posts and Slack calls whose meeting another process, or this
// one before a restart, was following, and for a meeting started with Start
// for nobody, whose end is to be seen all the same. Its error matches
// meeting.ErrEnded (or ErrNotStarted, ErrNotFound) when the conference is not
// running any more: when the conference has no live list (its watch failed,
// say, so that its end would go unseen) and what Prepare knows is cached, the
// meeting service is asked who is in it, which says so.
func (in *Inviter) Rewatch(ctx context.Context, conferenceID, hostPassword string) error {
	if _, err := in.meetings.Prepare(ctx, conferenceID, hostPassword); err != nil {
		return err
	}
	if in.presence == nil {
		return nil
	}
	if _, live := in.presence.Find(conferenceID, func(meeting.Participant) bool { return false }); !live {
		_, err := in.presence.Participants(ctx, conferenceID)
		if errors.Is(err, meeting.ErrEnded) || errors.Is(err, meeting.ErrNotStarted) || errors.Is(err, meeting.ErrNotFound) {
			return err
		}
	}
	in.presence.Follow(conferenceID)
	return nil
}
