package meeting_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meeting"
	"github.com/meet-invite/meet-invite/internal/meetingfake"
)

// TestCreateMeetingThenInvite: an instant meeting made by CreateMeeting
// runs at once and can be prepared and invited into, and the client knows
// its host link.
func TestCreateMeetingThenInvite(t *testing.T) {
	t.Parallel()
	s := startFake(t, nil)
	c := fakeClient(t, s)
	ctx := context.Background()

	m, err := c.CreateMeeting(ctx, meeting.CreateMeetingRequest{Subject: "#eng huddle", MediaTypes: meeting.MediaVoice, Length: 60, Language: "en-US"})
	require.NoError(t, err)
	assert.Equal(t, meeting.StateCreated, m.State)
	assert.Equal(t, "#eng huddle", m.Subject)
	assert.Equal(t, s.JoinLink(m.ID, false), m.GuestJoinURI)
	assert.Equal(t, s.JoinLink(m.ID, true), m.ChairJoinURI)
	assert.NotEmpty(t, m.HostPassword)
	assert.NotEmpty(t, m.GuestPassword)
	assert.Equal(t, 1, s.Calls(meetingfake.EndpointCreateMeeting))

	for _, printed := range []string{m.String(), fmt.Sprintf("%v", m), fmt.Sprintf("%+v", m), fmt.Sprintf("%#v", m)} {
		assert.NotContains(t, printed, m.HostPassword, "the host password is never printed")
		assert.NotContains(t, printed, keyOf(t, m.ChairJoinURI), "nor the host link")
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("meeting started", "meeting", m)
	assert.Contains(t, logged.String(), m.ID)
	assert.NotContains(t, logged.String(), m.HostPassword, "nor logged")
	assert.NotContains(t, logged.String(), keyOf(t, m.ChairJoinURI))
	assert.True(t, c.IsHostSecret(m.ID, meeting.SecretDigest(keyOf(t, m.ChairJoinURI))), "known without a Prepare")

	conf, err := c.Prepare(ctx, m.ID, "")
	require.NoError(t, err)
	assert.Equal(t, m.ID, conf.ID)
	_, err = c.Invite(ctx, m.ID, []meeting.Attendee{att("Alice", "+8613800000001", meeting.TypeMobile)})
	require.NoError(t, err)
	require.Len(t, s.Invitations(m.ID), 1)
}

func TestCreateMeetingRejectsBeforeCalling(t *testing.T) {
	t.Parallel()
	s := startFake(t, nil)
	c := fakeClient(t, s)
	for _, in := range []meeting.CreateMeetingRequest{
		{},
		{MediaTypes: "Video"},
		{MediaTypes: meeting.MediaVoice, Length: 10},
		{MediaTypes: meeting.MediaVoice, Length: 1441},
		{MediaTypes: meeting.MediaVoice, Subject: string(make([]rune, 129))},
		{MediaTypes: meeting.MediaVoice, Language: "de-DE"},
	} {
		_, err := c.CreateMeeting(context.Background(), in)
		assert.Error(t, err, "%+v", in)
	}
	assert.Zero(t, s.Calls(meetingfake.EndpointCreateMeeting))
}

func TestCreateMeetingRenewsARejectedToken(t *testing.T) {
	t.Parallel()
	s := startFake(t, nil)
	c := fakeClient(t, s)
	require.NoError(t, c.SignIn(context.Background()))
	s.ExpireAccessTokens()
	m, err := c.CreateMeeting(context.Background(), meeting.CreateMeetingRequest{MediaTypes: meeting.MediaHDVideo})
	require.NoError(t, err)
	assert.NotEmpty(t, m.ID)
	assert.Equal(t, 2, s.Calls(meetingfake.EndpointCreateMeeting), "one refused, one created")

	s.FailNext(meetingfake.EndpointCreateMeeting, meetingfake.Failure{Status: 500})
	_, err = c.CreateMeeting(context.Background(), meeting.CreateMeetingRequest{MediaTypes: meeting.MediaHDVideo})
	require.ErrorIs(t, err, meeting.ErrUnavailable)
	assert.Equal(t, 3, s.Calls(meetingfake.EndpointCreateMeeting), "a failed create is not retried: it may have created a meeting")
}

// TestCreateMeetingSaysWhenItMayHaveCreatedOne: a create request that went
// out and got no answer may have created a meeting (ErrCreateUnanswered);
// one Huawei refused, or one that never left, did not.
func TestCreateMeetingSaysWhenItMayHaveCreatedOne(t *testing.T) {
	t.Parallel()
	s := startFake(t, nil)
	c := fakeClient(t, s)
	req := meeting.CreateMeetingRequest{MediaTypes: meeting.MediaHDVideo}
	require.NoError(t, c.SignIn(t.Context()))

	s.FailNext(meetingfake.EndpointCreateMeeting, meetingfake.Failure{Delay: time.Minute})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := c.CreateMeeting(ctx, req)
	require.ErrorIs(t, err, meeting.ErrCreateUnanswered, "sent, and no answer in time")
	require.ErrorIs(t, err, context.DeadlineExceeded)

	s.FailNext(meetingfake.EndpointCreateMeeting, meetingfake.Failure{Status: 400, Code: "MMC.111070001"})
	_, err = c.CreateMeeting(t.Context(), req)
	var apiErr *meeting.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.NotErrorIs(t, err, meeting.ErrCreateUnanswered, "Huawei said no")

	gone := startFake(t, nil)
	// A new connection per request: an idle one the server dropped reads
	// EOF, which cannot tell whether the request arrived.
	c = fakeClient(t, gone, meeting.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}))
	require.NoError(t, c.SignIn(t.Context())) // the access token is at hand
	gone.Close()                              // and nothing listens any more
	_, err = c.CreateMeeting(t.Context(), req)
	var opErr *net.OpError
	require.ErrorAs(t, err, &opErr)
	assert.NotErrorIs(t, err, meeting.ErrCreateUnanswered, "nothing was sent: %v", err)
}
