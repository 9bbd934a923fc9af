package commands

import "context"

// Rewatch makes the meeting service's live list of the conference
// available again to FollowCalls, as an invitation does: the conference
// is prepared (after a restart nothing about it is cached) and followed.
// It is for posts whose calls another process, or this one before a
// restart, was following, and for a meeting started with Start for
// nobody, whose end is to be seen all the same. Its error matches meeting.ErrEnded (or
// ErrNotStarted, ErrNotFound) when the conference is not running any more.
func (in *Inviter) Rewatch(ctx context.Context, conferenceID, hostPassword string) error {
	if _, err := in.meetings.Prepare(ctx, conferenceID, hostPassword); err != nil {
		return err
	}
	if in.presence != nil {
		in.presence.Follow(conferenceID)
	}
	return nil
}
