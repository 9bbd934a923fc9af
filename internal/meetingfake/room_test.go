package meetingfake_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
)

func onlineMeetings(t *testing.T, s *meetingfake.Server, token string, q url.Values) response {
	t.Helper()
	return do(t, http.MethodGet, s.URL()+"v1/mmc/management/conferences/online?"+q.Encode(), map[string]string{"X-Access-Token": token}, "")
}

func TestAFixedRoomIDIsFoundOnlyAmongRunningMeetings(t *testing.T) {
	t.Parallel()
	clk := newClock()
	cfg := baseConfig(clk)
	cfg.Conferences = append(cfg.Conferences,
		meetingfake.Conference{ID: "914000777", Subject: "Room meeting", ChairPassword: chairPW, RoomID: "88812345"})
	s := startServer(t, cfg)
	tok := appAuth(t, s, clk.Now(), "")

	// meeting_21_0027: control calls take the conferenceID, not the room's.
	assertError(t, confDetail(t, s, tok, "88812345"), http.StatusBadRequest, "MMC.111070005")
	assertError(t, controlTokenCall(t, s, "88812345", map[string]string{"X-Password": chairPW, "X-Login-Type": "1"}),
		http.StatusBadRequest, "MMC.111072065")
	detail := confDetail(t, s, tok, "914000777").JSON(t)["conferenceData"].(map[string]any)
	assert.Equal(t, "88812345", detail["vmrConferenceID"])
	assert.Equal(t, float64(1), detail["vmrFlag"])

	own := onlineMeetings(t, s, tok, url.Values{"searchKey": {"88812345"}}).JSON(t)
	assert.Equal(t, float64(0), own["count"], "without queryAll an administrator sees only its own meetings")

	all := onlineMeetings(t, s, tok, url.Values{"searchKey": {"88812345"}, "queryAll": {"true"}}).JSON(t)
	require.Equal(t, float64(1), all["count"])
	m := all["data"].([]any)[0].(map[string]any)
	assert.Equal(t, "914000777", m["conferenceID"])
	assert.Equal(t, "88812345", m["vmrConferenceID"])
	assert.Equal(t, "Created", m["conferenceState"])
	for _, e := range m["passwordEntry"].([]any) {
		assert.Equal(t, "******", e.(map[string]any)["password"], "masked, as in the page's example")
	}

	s.SetState("914000777", meetingfake.StateDestroyed)
	gone := onlineMeetings(t, s, tok, url.Values{"searchKey": {"88812345"}, "queryAll": {"true"}}).JSON(t)
	assert.Equal(t, float64(0), gone["count"], "running meetings only")
}

func TestOnlineMeetingsValidation(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := startServer(t, baseConfig(clk))
	tok := appAuth(t, s, clk.Now(), "")

	assertError(t, onlineMeetings(t, s, tok, url.Values{"searchKey": {""}}), http.StatusBadRequest, "MMC.111071061")
	assertError(t, onlineMeetings(t, s, tok, url.Values{"searchKey": {strings.Repeat("é", 129)}}), http.StatusBadRequest, "MMC.111071061")
	assertError(t, onlineMeetings(t, s, tok, url.Values{"queryAll": {"yes"}}), http.StatusBadRequest, "MMC.111071061")
	assertError(t, onlineMeetings(t, s, tok, url.Values{"limit": {"-1"}}), http.StatusBadRequest, "MMC.111071061")
	assertError(t, onlineMeetings(t, s, "nope", url.Values{}), http.StatusUnauthorized, "USG.000000004")

	page := onlineMeetings(t, s, tok, url.Values{"queryAll": {"true"}, "limit": {"1000"}}).JSON(t)
	assert.Equal(t, float64(500), page["limit"], "at most 500")
	bySubject := onlineMeetings(t, s, tok, url.Values{"queryAll": {"true"}, "searchKey": {strings.ToUpper("weekly")}}).JSON(t)
	assert.Positive(t, bySubject["count"], "subject, case-insensitively")
}
