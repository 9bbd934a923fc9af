package meetingfake_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
)

func createMeeting(t *testing.T, s *meetingfake.Server, token, body string) response {
	t.Helper()
	h := map[string]string{"Content-Type": "application/json"}
	if token != "" {
		h["X-Access-Token"] = token
	}
	return do(t, http.MethodPost, s.URL()+"v1/mmc/management/conferences", h, body)
}

func TestCreateMeetingValidation(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := startServer(t, baseConfig(clk))
	tok := appAuth(t, s, clk.Now(), "")

	assertError(t, createMeeting(t, s, "", `{"mediaTypes":"Voice"}`), http.StatusUnauthorized, "USG.000000004")
	for _, tt := range []struct{ name, body, code string }{
		{"empty body", ``, "MMC.111072057"},
		{"not JSON", `{`, "MMC.111071061"},
		{"no mediaTypes", `{"subject":"x"}`, "MMC.111071061"},
		{"unknown mediaTypes", `{"mediaTypes":"Hologram"}`, "MMC.111071061"},
		{"too short", `{"mediaTypes":"Voice","length":14}`, "MMC.111071061"},
		{"too long", `{"mediaTypes":"Voice","length":1441}`, "MMC.111071061"},
		{"long subject", `{"mediaTypes":"Voice","subject":"` + string(make129()) + `"}`, "MMC.111071061"},
		{"bad start", `{"mediaTypes":"Voice","startTime":"tomorrow"}`, "MMC.111071061"},
		{"past start", `{"mediaTypes":"Voice","startTime":"2000-01-01 00:00"}`, "MMC.111071061"},
		{"bad language", `{"mediaTypes":"Voice","language":"fr-FR"}`, "MMC.111071061"},
		{"bad guestPwd", `{"mediaTypes":"Voice","confConfigInfo":{"guestPwd":"12a4"}}`, "MMC.111071061"},
		{"attendee without a number", `{"mediaTypes":"Voice","attendees":[{"name":"a"}]}`, "MMC.111072031"},
		{"App ID attendee without accountId", `{"mediaTypes":"Voice","attendees":[{"name":"a","phone":"+8613800000001"}]}`, "MMC.111071061"},
		{"recurring", `{"mediaTypes":"Voice","cycleParams":{"cycle":"Day"}}`, "MMC.111071061"},
	} {
		assertError(t, createMeeting(t, s, tok, tt.body), http.StatusBadRequest, tt.code)
	}
	assert.Equal(t, 15, s.Calls(meetingfake.EndpointCreateMeeting))
}

func make129() []rune {
	r := make([]rune, 129)
	for i := range r {
		r[i] = 'é'
	}
	return r
}

// TestCreateInstantMeeting: an instant meeting runs at once, answers with
// both passwords and links, and can be controlled and invited into.
func TestCreateInstantMeeting(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := startServer(t, baseConfig(clk))
	tok := appAuth(t, s, clk.Now(), "")

	r := createMeeting(t, s, tok, `{"mediaTypes":"HDVideo","subject":"Standup","length":45,"language":"en-US"}`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var list []map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &list), "an array of ConferenceInfo")
	require.Len(t, list, 1)
	m := list[0]
	id, _ := m["conferenceID"].(string)
	require.Regexp(t, `^9\d{8}$`, id)
	assert.Equal(t, "Created", m["conferenceState"])
	assert.Equal(t, "IMMEDIATELY", m["confType"])
	assert.Equal(t, "Data,HDVideo", m["mediaTypes"])
	assert.Equal(t, "Standup", m["subject"])
	assert.Equal(t, clk.Now().UTC().Format("2006-01-02 15:04"), m["startTime"])
	assert.Equal(t, clk.Now().UTC().Add(45*60e9).Format("2006-01-02 15:04"), m["endTime"])
	assert.Equal(t, s.JoinLink(id, true), m["chairJoinUri"])
	assert.Equal(t, s.JoinLink(id, false), m["guestJoinUri"])
	chair := chairOf(m)
	require.Regexp(t, `^\d{6}$`, chair, "the host password, in plain text")

	detail := confDetail(t, s, tok, id).JSON(t)["conferenceData"].(map[string]any)
	assert.Equal(t, "Created", detail["conferenceState"])
	ctl := controlToken(t, s, id, chair)
	ok := invite(t, s, id, ctl, `{"attendees":[{"name":"Alice","phone":"+8613800000001","type":"mobile"}]}`)
	assert.Equal(t, http.StatusOK, ok.Status, "body: %s", ok.Body)

	own := onlineMeetings(t, s, tok, url.Values{"searchKey": {"Standup"}}).JSON(t)
	assert.Equal(t, float64(1), own["count"], "the caller's own meeting is listed without queryAll")
}

func TestCreateScheduledMeeting(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := startServer(t, baseConfig(clk))
	tok := appAuth(t, s, clk.Now(), "")
	start := clk.Now().UTC().Add(24 * 60 * 60e9).Format("2006-01-02 15:04")
	r := createMeeting(t, s, tok, `{"mediaTypes":"Voice","startTime":"`+start+`","confConfigInfo":{"guestPwd":"4321"}}`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var list []map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &list))
	m := list[0]
	assert.Equal(t, "Schedule", m["conferenceState"])
	assert.Equal(t, "FUTURE", m["confType"])
	assert.Equal(t, "Enterprise Admin's meeting", m["subject"], "no subject: the scheduler's meeting")
	assert.Contains(t, m["passwordEntry"], map[string]any{"conferenceRole": "general", "password": "4321"})
	assertError(t, controlTokenCall(t, s, m["conferenceID"].(string), map[string]string{"X-Password": chairOf(m), "X-Login-Type": "1"}),
		http.StatusBadRequest, "MMC.111072005")
}

func chairOf(m map[string]any) string {
	for _, p := range m["passwordEntry"].([]any) {
		if e := p.(map[string]any); e["conferenceRole"] == "chair" {
			s, _ := e["password"].(string)
			return s
		}
	}
	return ""
}
