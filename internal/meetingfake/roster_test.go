package meetingfake_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
)

func onlineAttendees(t *testing.T, s *meetingfake.Server, token, query string) response {
	t.Helper()
	h := map[string]string{}
	if token != "" {
		h["X-Access-Token"] = token
	}
	return do(t, http.MethodGet, s.URL()+"v1/mmc/management/conferences/online/conf-attendee?"+query, h, "")
}

func TestOnlineAttendeesListsTheRoster(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := startServer(t, baseConfig(clk))
	tok := appAuth(t, s, clk.Now(), "")
	carol := s.Join(confID, meetingfake.Participant{Name: "Carol", Number: "+99111244216210001", Role: 1})
	s.Join(confID, meetingfake.Participant{Name: "Dave", Number: "+8613800000003"})
	ctl := controlToken(t, s, confID, chairPW)
	r := invite(t, s, confID, ctl, `{"attendees":[{"name":"Bob","phone":"+442079460000","type":"mobile"}]}`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)

	body := onlineAttendees(t, s, tok, "conf_id="+confID).JSON(t)

	assert.Equal(t, float64(3), body["count"], "two joined, one ringing")
	data, _ := body["data"].([]any)
	require.Len(t, data, 3)
	first, _ := data[0].(map[string]any)
	assert.Equal(t, carol, first["participant_id"])
	assert.Equal(t, "Carol", first["name"])
	assert.Equal(t, "+99111244216210001", first["call_number"])
	assert.Equal(t, float64(1), first["role"])
	for _, k := range []string{"third_account", "account", "user_id"} {
		assert.Contains(t, first, k)
	}
	third, _ := data[2].(map[string]any)
	assert.Equal(t, "+442079460000", third["call_number"], "being called counts as online")

	paged := onlineAttendees(t, s, tok, "conf_id="+confID+"&offset=2&limit=2").JSON(t)
	assert.Len(t, paged["data"], 1)
	assert.Equal(t, float64(3), paged["count"])
	found := onlineAttendees(t, s, tok, "conf_id="+confID+"&search_key=dAV").JSON(t)
	assert.Equal(t, float64(1), found["count"], "by name, case-insensitively")
	byNumber := onlineAttendees(t, s, tok, "conf_id="+confID+"&search_key=2079").JSON(t)
	assert.Equal(t, float64(1), byNumber["count"], "by call number")
	sip := s.Join(confID, meetingfake.Participant{Name: "Room", Number: "Room1@Example.com"})
	bySIP := onlineAttendees(t, s, tok, "conf_id="+confID+"&search_key=room1@example").JSON(t)
	assert.Equal(t, float64(1), bySIP["count"])
	assert.Equal(t, sip, bySIP["data"].([]any)[0].(map[string]any)["participant_id"])
	beyond := onlineAttendees(t, s, tok, "conf_id="+confID+"&offset=99&limit=3").JSON(t)
	assert.Equal(t, float64(3), beyond["offset"], "beyond the end: the last page")
	assert.Len(t, beyond["data"], 1)
	defaults := onlineAttendees(t, s, tok, "conf_id="+confID).JSON(t)
	assert.Equal(t, float64(0), defaults["offset"])
	assert.Equal(t, float64(20), defaults["limit"])
	empty := onlineAttendees(t, s, tok, "conf_id="+otherConf).JSON(t)
	assert.Equal(t, []any{}, empty["data"])
}

func TestOnlineAttendeesErrors(t *testing.T) {
	t.Parallel()
	clk := newClock()
	cfg := baseConfig(clk)
	cfg.Conferences = append(cfg.Conferences, meetingfake.Conference{ID: "900000001", State: meetingfake.StateSchedule})
	s := startServer(t, cfg)
	tok := appAuth(t, s, clk.Now(), "")

	assertError(t, onlineAttendees(t, s, "", "conf_id="+confID), http.StatusUnauthorized, "USG.000000004")
	assertError(t, onlineAttendees(t, s, tok, "conferenceID="+confID), http.StatusBadRequest, "MMC.111071061")
	assertError(t, onlineAttendees(t, s, tok, "conf_id="+confID+"&limit=x"), http.StatusBadRequest, "MMC.111071061")
	assertError(t, onlineAttendees(t, s, tok, "conf_id=123"), http.StatusBadRequest, "MMC.111070005")
	assertError(t, onlineAttendees(t, s, tok, "conf_id=900000001"), http.StatusBadRequest, "MMC.111072005")
	assert.Equal(t, 5, s.Calls(meetingfake.EndpointOnlineAttendees))
}

func TestCallsRingThenAnswerOrTimeOut(t *testing.T) {
	t.Parallel()
	clk := newClock()
	cfg := baseConfig(clk)
	cfg.AnswerAfter = 30 * time.Millisecond
	s := startServer(t, cfg)
	ctl := controlToken(t, s, confID, chairPW)

	r := invite(t, s, confID, ctl, `{"attendees":[{"name":"Bob","phone":"+442079460000","type":"mobile"}]}`)
	require.Equal(t, http.StatusOK, r.Status)

	ps := s.Participants(confID)
	require.Len(t, ps, 1)
	assert.Equal(t, meetingfake.ParticipantBeingCalled, ps[0].State)
	require.Eventually(t, func() bool {
		ps := s.Participants(confID)
		return len(ps) == 1 && ps[0].State == meetingfake.ParticipantInMeeting
	}, 5*time.Second, 5*time.Millisecond, "answered after AnswerAfter")

	// Invited again while in the meeting: nothing changes.
	r = invite(t, s, confID, ctl, `{"attendees":[{"name":"Bob","phone":"+442079460000","type":"mobile"}]}`)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Len(t, s.Participants(confID), 1)
	assert.True(t, s.Leave(confID, ps[0].PID))
	assert.False(t, s.Leave(confID, ps[0].PID))
	assert.Empty(t, s.Participants(confID))
}

func TestUnansweredCallsEnd(t *testing.T) {
	t.Parallel()
	clk := newClock()
	cfg := baseConfig(clk)
	cfg.RingTimeout = 30 * time.Millisecond
	s := startServer(t, cfg)
	ctl := controlToken(t, s, confID, chairPW)

	r := invite(t, s, confID, ctl, `{"attendees":[{"name":"Bob","phone":"+442079460000","type":"mobile"},{"name":"Al","phone":"+99111244216210249","type":"normal"}]}`)
	require.Equal(t, http.StatusOK, r.Status)
	require.True(t, s.Answer(confID, "+99111244216210249"))
	assert.False(t, s.Answer(confID, "+99111244216210249"), "already answered")

	require.Eventually(t, func() bool { return len(s.Participants(confID)) == 1 }, 5*time.Second, 5*time.Millisecond)
	ps := s.Participants(confID)
	assert.Equal(t, "Al", ps[0].Name, "Bob never answered")
	assert.Equal(t, meetingfake.ParticipantInMeeting, ps[0].State)
}

func TestRealTimeInfoShowsTheRoster(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := startServer(t, baseConfig(clk))
	pid := s.Join(confID, meetingfake.Participant{Name: "Carol", Number: "+99111244216210001", Role: 1})
	ctl := controlToken(t, s, confID, chairPW)
	require.Equal(t, http.StatusOK, invite(t, s, confID, ctl, `{"attendees":[{"name":"Bob","phone":"+442079460000","type":"mobile"}]}`).Status)

	body := do(t, http.MethodGet, s.URL()+"v1/mmc/control/conferences/realTimeInfo?conferenceID="+confID,
		map[string]string{"X-Conference-Authorization": ctl}, "").JSON(t)

	parts, _ := body["participants"].([]any)
	require.Len(t, parts, 2)
	carol, _ := parts[0].(map[string]any)
	assert.Equal(t, pid, carol["pid"])
	assert.Equal(t, float64(0), carol["state"], "in the meeting")
	bob, _ := parts[1].(map[string]any)
	assert.Equal(t, float64(1), bob["state"], "being called")
	assert.Len(t, body["attendees"], 1, "only invitees are attendees")
}

func TestEndingAMeetingEmptiesItsRoster(t *testing.T) {
	t.Parallel()
	s := startServer(t, baseConfig(newClock()))
	s.Join(confID, meetingfake.Participant{Name: "Carol", Number: "+1001"})

	s.SetState(confID, meetingfake.StateDestroyed)

	assert.Empty(t, s.Participants(confID))
	assert.Empty(t, s.Join("404", meetingfake.Participant{Name: "x"}), "unknown conference")
	assert.False(t, s.Answer("404", "+1"))
}
