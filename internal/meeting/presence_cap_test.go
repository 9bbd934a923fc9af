package meeting_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meeting"
	"github.com/meet-invite/meet-invite/internal/meetingfake"
)

// At most MaxFollowed conferences are followed: following one more drops
// the one least recently wanted (its watch closes); it is then asked about
// with a request, and followed again when wanted.
func TestPresenceFollowsAtMostMaxFollowed(t *testing.T) {
	t.Parallel()
	ids := []string{"914000101", "914000102", "914000103"}
	s := startFake(t, func(cfg *meetingfake.Config) {
		for _, id := range ids {
			cfg.Conferences = append(cfg.Conferences, meetingfake.Conference{ID: id, Subject: "M " + id, ChairPassword: chairPW})
		}
	})
	c := fakeClient(t, s)
	p := meeting.NewPresence(c, time.Hour, meeting.MaxFollowed(2))
	t.Cleanup(p.Close)
	for _, id := range ids {
		_, err := c.Prepare(t.Context(), id, "")
		require.NoError(t, err)
	}
	live := func(id string) bool {
		_, ok := p.Find(id, func(meeting.Participant) bool { return false })
		return ok
	}

	followLive(t, p, ids[0])
	followLive(t, p, ids[1])
	_, err := p.Participants(t.Context(), ids[0]) // wanted again: ids[1] is now the least recently wanted
	require.NoError(t, err)
	followLive(t, p, ids[2])

	assert.Equal(t, map[string]int{"followed_meetings": 2}, p.Sizes())
	assert.True(t, live(ids[0]))
	assert.False(t, live(ids[1]), "the least recently wanted is dropped")
	assert.True(t, live(ids[2]))

	before := s.Calls(meetingfake.EndpointRealTimeInfo) + s.Calls(meetingfake.EndpointOnlineAttendees)
	_, err = p.Participants(t.Context(), ids[1])
	require.NoError(t, err)
	after := s.Calls(meetingfake.EndpointRealTimeInfo) + s.Calls(meetingfake.EndpointOnlineAttendees)
	assert.Equal(t, before+1, after, "a conference not followed is asked about")
}
