package meeting_test

import (
	"bytes"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meeting"
	"github.com/meet-invite/meet-invite/internal/meetingfake"
)

// Against the project's fake of Huawei's service (internal/meetingfake),
// which models each behaviour from Huawei's pages.

const (
	roomID     = "88800001" // a fixed room ID, as people read it off their screen
	roomConfID = "914000777"
)

func startFake(t *testing.T, mutate func(*meetingfake.Config)) *meetingfake.Server {
	t.Helper()
	cfg := meetingfake.Config{
		AppID: appID, AppKey: appKey, PSTNEnabled: true,
		FailAfter: 20 * time.Millisecond,
		Conferences: []meetingfake.Conference{
			{ID: confID, Subject: "Weekly sync", ChairPassword: chairPW},
			{ID: roomConfID, Subject: "Room meeting", ChairPassword: chairPW, RoomID: roomID},
		},
	}
	if mutate != nil {
		mutate(&cfg)
	}
	s, err := meetingfake.Start(cfg)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

func fakeClient(t *testing.T, s *meetingfake.Server, opts ...meeting.Option) *meeting.Client {
	t.Helper()
	c, err := meeting.NewClient(appCreds, append([]meeting.Option{meeting.WithBaseURL(s.URL())}, opts...)...)
	require.NoError(t, err)
	return c
}

func att(name, phone string, typ meeting.AttendeeType) meeting.Attendee {
	return meeting.Attendee{Name: name, Phone: phone, Type: typ}
}

// followLive follows the conference and waits until its watch is live.
func followLive(t *testing.T, p *meeting.Presence, id string) {
	t.Helper()
	p.Follow(id)
	require.Eventually(t, func() bool {
		_, live := p.Find(id, func(meeting.Participant) bool { return false })
		return live
	}, 5*time.Second, 5*time.Millisecond, "the watch goes live")
}

func TestFixedRoomIDInvitesIntoTheRunningMeeting(t *testing.T) {
	t.Parallel()
	s := startFake(t, nil)
	c := fakeClient(t, s)

	conf, err := c.Prepare(t.Context(), roomID, "")

	require.NoError(t, err, "confDetail does not know the room ID; the online search does")
	assert.Equal(t, roomConfID, conf.ID)
	assert.Equal(t, roomID, conf.DisplayID, "the number the user typed stays")
	_, err = c.Invite(t.Context(), roomID, []meeting.Attendee{att("Bob", "+442079460000", meeting.TypeMobile)})
	require.NoError(t, err)
	invs := s.Invitations(roomConfID)
	require.Len(t, invs, 1, "into the running meeting's conferenceID")
	assert.Equal(t, "+442079460000", invs[0].Attendees[0].Phone)
	assert.Equal(t, 1, s.Calls(meetingfake.EndpointOnlineMeetings))

	// Watching the typed number watches the running meeting.
	p := meeting.NewPresence(c, time.Minute)
	t.Cleanup(p.Close)
	followLive(t, p, roomID)
	found, live := p.Find(roomID, func(pt meeting.Participant) bool { return pt.Number == "+442079460000" })
	assert.True(t, live)
	assert.Len(t, found, 1, "being called")
}

func TestAnUnknownIDIsStillNotFound(t *testing.T) {
	t.Parallel()
	s := startFake(t, nil)
	c := fakeClient(t, s)

	_, err := c.Prepare(t.Context(), "123456789", "")

	require.ErrorIs(t, err, meeting.ErrNotFound)
	assert.Equal(t, 1, s.Calls(meetingfake.EndpointOnlineMeetings), "looked up once among running meetings")
}

func TestALockedMeetingTakesTheInvitation(t *testing.T) {
	t.Parallel()
	s := startFake(t, func(cfg *meetingfake.Config) { cfg.Conferences[0].Locked = true })
	c := fakeClient(t, s)

	_, err := c.Invite(t.Context(), confID, []meeting.Attendee{att("Bob", "+442079460000", meeting.TypeMobile)})

	require.NoError(t, err, "meeting_21_0037: a lock does not stop the host's invitations")
	assert.Len(t, s.Invitations(confID), 1)
}

func TestTheLiveRosterSurvivesVersionGaps(t *testing.T) {
	t.Parallel()
	s := startFake(t, func(cfg *meetingfake.Config) { cfg.AnswerAfter = 10 * time.Millisecond })
	c := fakeClient(t, s)
	p := meeting.NewPresence(c, time.Minute)
	t.Cleanup(p.Close)
	_, err := c.Prepare(t.Context(), confID, "")
	require.NoError(t, err)
	followLive(t, p, confID)

	// Each call pushes a participant increment and an invite result, from
	// one counter that also skips numbers.
	numbers := []string{"+442079460001", "+442079460002", "+442079460003", "+442079460004"}
	for _, n := range numbers {
		_, err := c.Invite(t.Context(), confID, []meeting.Attendee{att("P", n, meeting.TypeMobile)})
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			found, live := p.Find(confID, func(pt meeting.Participant) bool { return pt.Number == n && pt.State == meeting.InMeeting })
			return live && len(found) == 1
		}, 5*time.Second, 5*time.Millisecond, "%s answered, seen live", n)
	}

	ps, err := p.Participants(t.Context(), confID)
	require.NoError(t, err)
	assert.Len(t, ps, len(numbers))
	assert.Zero(t, s.Calls(meetingfake.EndpointOnlineAttendees), "never asked: the watch kept up")
	assert.Zero(t, s.Calls(meetingfake.EndpointRealTimeInfo))
	assert.Equal(t, 1, s.Calls(meetingfake.EndpointWebSocket), "one connection throughout")
}

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestARefusedSubscriptionFallsBackToAsking(t *testing.T) {
	t.Parallel()
	s := startFake(t, nil)
	s.RefuseSubscriptions(confID, true)
	var logs logBuffer
	c := fakeClient(t, s, meeting.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	p := meeting.NewPresence(c, time.Minute)
	t.Cleanup(p.Close)
	_, err := c.Prepare(t.Context(), confID, "")
	require.NoError(t, err)
	s.Join(confID, meetingfake.Participant{Name: "Carol", Number: "+99111244216210001"})

	p.Follow(confID)
	require.Eventually(t, func() bool { return s.Calls(meetingfake.EndpointWebSocket) == 1 }, 5*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return bytes.Contains([]byte(logs.String()), []byte("refused")) },
		5*time.Second, 5*time.Millisecond, "the refusal is logged with why")
	ps, err := p.Participants(t.Context(), confID)

	require.NoError(t, err)
	assert.Equal(t, []meeting.Participant{{ID: ps[0].ID, Name: "Carol", Number: "+99111244216210001", State: meeting.InMeeting}}, ps,
		"asked realTimeInfo, with the control token in hand: states are known")
	assert.Equal(t, 1, s.Calls(meetingfake.EndpointRealTimeInfo))
	assert.Zero(t, s.Calls(meetingfake.EndpointOnlineAttendees))
	_, live := p.Find(confID, func(meeting.Participant) bool { return true })
	assert.False(t, live)
	assert.Contains(t, logs.String(), "subscription refused", "Huawei's reason")
}

func TestPresenceAsksTheAccessTokenListWithoutAControlToken(t *testing.T) {
	t.Parallel()
	s := startFake(t, nil)
	c := fakeClient(t, s)
	p := meeting.NewPresence(c, time.Minute)
	t.Cleanup(p.Close)
	s.Join(confID, meetingfake.Participant{Name: "Carol", Number: "+99111244216210001"})

	ps, err := p.Participants(t.Context(), confID)

	require.NoError(t, err)
	require.Len(t, ps, 1)
	assert.Equal(t, meeting.Online, ps[0].State, "ListOnlineConfAttendee does not say who is ringing")
	assert.Equal(t, 1, s.Calls(meetingfake.EndpointOnlineAttendees))
	assert.Zero(t, s.Calls(meetingfake.EndpointRealTimeInfo))
}

func TestCallResultsArriveByPush(t *testing.T) {
	t.Parallel()
	s := startFake(t, func(cfg *meetingfake.Config) {
		cfg.PSTNEnabled = false
		cfg.CallOutcomes = map[string]meetingfake.CallOutcome{
			"+99111244216210002": meetingfake.CallBusy,
			"+99111244216210003": meetingfake.CallDeclines,
			"+99111244216210004": meetingfake.CallFails,
		}
		cfg.RingTimeout = 50 * time.Millisecond
	})
	c := fakeClient(t, s)
	p := meeting.NewPresence(c, time.Minute)
	t.Cleanup(p.Close)
	_, err := c.Prepare(t.Context(), confID, "")
	require.NoError(t, err)
	followLive(t, p, confID)
	since := time.Now()

	_, err = c.Invite(t.Context(), confID, []meeting.Attendee{
		att("A", "+99111244216210001", meeting.TypeNormal), // rings out
		att("B", "+99111244216210002", meeting.TypeNormal),
		att("C", "+99111244216210003", meeting.TypeNormal),
		att("D", "+99111244216210004", meeting.TypeNormal),
		att("E", "+442079460000", meeting.TypeMobile), // no PSTN: accepted, then fails
	})
	require.NoError(t, err, "accepted: the calls fail afterwards")

	var got []meeting.CallResult
	require.Eventually(t, func() bool {
		var live bool
		got, live = p.CallResults(confID, since)
		return live && len(got) == 5
	}, 5*time.Second, 5*time.Millisecond)
	outcomes := map[string]meeting.CallOutcome{}
	for _, r := range got {
		outcomes[r.Number] = r.Outcome
		assert.True(t, r.Outcome.Failed(), "%v", r)
	}
	assert.Equal(t, map[string]meeting.CallOutcome{
		"+99111244216210001": meeting.CallNoAnswer,
		"+99111244216210002": meeting.CallBusy,
		"+99111244216210003": meeting.CallDeclined,
		"+99111244216210004": meeting.CallFailed,
		"+442079460000":      meeting.CallNoPSTN,
	}, outcomes)
}
