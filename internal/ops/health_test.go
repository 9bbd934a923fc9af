package ops_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/ops"
)

var errMeetingDown = errors.New("meeting api: status 503")

func TestHealth(t *testing.T) {
	t.Parallel()
	type step func(*ops.Health)
	connected := func(h *ops.Health) { h.SetSlackConnected(true) }
	disconnected := func(h *ops.Health) { h.SetSlackConnected(false) }
	meetingOK := func(h *ops.Health) { h.MeetingResult(nil) }
	meetingFails := func(h *ops.Health) { h.MeetingResult(errMeetingDown) }

	tests := []struct {
		name        string
		steps       []step
		wantCode    int
		wantStatus  string
		wantSlack   string
		wantMeeting string
		wantSuccess bool // meeting_last_success present
		wantFailure bool // meeting_last_failure present
	}{
		{name: "nothing known yet", wantCode: 503, wantStatus: "unavailable", wantSlack: "disconnected", wantMeeting: "unknown"},
		{name: "connected, meeting not yet called", steps: []step{connected},
			wantCode: 200, wantStatus: "ok", wantSlack: "connected", wantMeeting: "unknown"},
		{name: "connected, meeting ok", steps: []step{connected, meetingOK},
			wantCode: 200, wantStatus: "ok", wantSlack: "connected", wantMeeting: "ok", wantSuccess: true},
		{name: "connected, meeting failing", steps: []step{connected, meetingFails},
			wantCode: 503, wantStatus: "unavailable", wantSlack: "connected", wantMeeting: "failing", wantFailure: true},
		{name: "meeting recovers", steps: []step{connected, meetingFails, meetingOK},
			wantCode: 200, wantStatus: "ok", wantSlack: "connected", wantMeeting: "ok", wantSuccess: true, wantFailure: true},
		{name: "meeting starts failing", steps: []step{connected, meetingOK, meetingFails},
			wantCode: 503, wantStatus: "unavailable", wantSlack: "connected", wantMeeting: "failing", wantSuccess: true, wantFailure: true},
		{name: "slack drops", steps: []step{connected, meetingOK, disconnected},
			wantCode: 503, wantStatus: "unavailable", wantSlack: "disconnected", wantMeeting: "ok", wantSuccess: true},
		{name: "slack reconnects", steps: []step{connected, disconnected, connected},
			wantCode: 200, wantStatus: "ok", wantSlack: "connected", wantMeeting: "unknown"},
		{name: "both wrong", steps: []step{meetingFails},
			wantCode: 503, wantStatus: "unavailable", wantSlack: "disconnected", wantMeeting: "failing", wantFailure: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var h ops.Health
			for _, s := range tt.steps {
				s(&h)
			}
			rec := httptest.NewRecorder()
			h.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))

			assert.Equal(t, tt.wantCode, rec.Code)
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			var got map[string]any
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
			assert.Equal(t, tt.wantStatus, got["status"])
			assert.Equal(t, tt.wantSlack, got["slack"])
			assert.Equal(t, tt.wantMeeting, got["meeting"])
			assert.Equal(t, tt.wantSuccess, got["meeting_last_success"] != nil)
			assert.Equal(t, tt.wantFailure, got["meeting_last_failure"] != nil)
			assert.NotContains(t, rec.Body.String(), errMeetingDown.Error())
		})
	}
}

func TestHealthMethods(t *testing.T) {
	t.Parallel()
	var h ops.Health
	h.SetSlackConnected(true)
	tests := []struct {
		name     string
		method   string
		wantCode int
		wantBody bool
	}{
		{"get", http.MethodGet, http.StatusOK, true},
		{"head", http.MethodHead, http.StatusOK, false},
		{"post", http.MethodPost, http.StatusMethodNotAllowed, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			h.Handler().ServeHTTP(rec, httptest.NewRequest(tt.method, "/healthz", nil))
			assert.Equal(t, tt.wantCode, rec.Code)
			assert.Equal(t, tt.wantBody, rec.Body.Len() > 0)
		})
	}
}

func TestHealthConcurrentUse(t *testing.T) {
	t.Parallel()
	var h ops.Health
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 50 {
				h.SetSlackConnected(true)
				if i%2 == 0 {
					h.MeetingResult(nil)
				} else {
					h.MeetingResult(errMeetingDown)
				}
				rec := httptest.NewRecorder()
				h.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
				assert.Contains(t, []int{200, 503}, rec.Code)
			}
		})
	}
	wg.Wait()
	h.MeetingResult(nil)

	rec := httptest.NewRecorder()
	h.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	assert.Equal(t, http.StatusOK, rec.Code)
}
