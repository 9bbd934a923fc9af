package meeting_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meeting"
	"github.com/meet-invite/meet-invite/internal/meetingfake"
)

func TestRunningMeetings(t *testing.T) {
	t.Parallel()
	s := startFake(t, func(cfg *meetingfake.Config) {
		cfg.Conferences[0].StartTime, cfg.Conferences[1].StartTime = "2026-03-02 09:00", "2026-03-02 08:00"
		cfg.Conferences = append(cfg.Conferences,
			meetingfake.Conference{ID: "986030665", Subject: "Design review", ChairPassword: chairPW, Scheduler: "Alice",
				StartTime: "2026-03-02 10:00"},
			meetingfake.Conference{ID: "900825541", Subject: "Weekly planning", State: meetingfake.StateSchedule})
	})
	c := fakeClient(t, s)
	ctx := context.Background()
	ids := func(ms []meeting.RunningMeeting) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}

	all, err := c.RunningMeetings(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, []string{roomConfID, confID, "986030665"}, ids(all), "running ones only, oldest first")
	assert.Equal(t, roomID, all[0].DisplayID, "a room meeting shows the room's number")
	assert.Equal(t, meeting.RunningMeeting{
		ID: "986030665", DisplayID: "986030665", Subject: "Design review", Scheduler: "Alice", StartTime: "2026-03-02 10:00",
	}, all[2])

	for key, want := range map[string][]string{
		"weekly":                       {confID},      // subject, any case; the scheduled "Weekly planning" is not running
		"alice":                        {"986030665"}, // scheduler
		confID[:3] + " " + confID[3:6]: {confID},      // a number typed in groups
		roomID:                         {roomConfID},  // the room's number
		"nothing like it":              nil,
		strings.Repeat("x", 300):       nil, // cut to 128 characters, not refused
	} {
		got, err := c.RunningMeetings(ctx, key)
		require.NoError(t, err, key)
		assert.Equal(t, want, ids(got), "search %q", key)
	}

	m, err := c.CreateMeeting(ctx, meeting.CreateMeetingRequest{Subject: "Started from Slack", MediaTypes: meeting.MediaVoice})
	require.NoError(t, err)
	got, err := c.RunningMeetings(ctx, "from slack")
	require.NoError(t, err)
	assert.Equal(t, []string{m.ID}, ids(got), "a meeting the bot started is running too")
}

func TestFitSubject(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "Weekly sync", meeting.FitSubject("Weekly sync"))
	long := meeting.FitSubject(strings.Repeat("é", meeting.MaxSubjectLen) + "🎉")
	assert.Equal(t, strings.Repeat("é", meeting.MaxSubjectLen), long, "cut by characters, not bytes")
}
