package ops

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Health tracks the two things the bot cannot work without: its Socket Mode
// connection to Slack and the meeting service. The zero value is ready to use
// (Slack not yet connected, meeting service not yet called) and safe for
// concurrent use.
type Health struct {
	mu             sync.Mutex
	stopped        bool // the bot's loops have ended (Stopped)
	slackConnected bool
	meetingCalled  bool
	meetingOK      bool
	lastSuccess    time.Time
	lastFailure    time.Time
}

// SetSlackConnected records whether the Socket Mode connection is up.
func (h *Health) SetSlackConnected(connected bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.slackConnected = connected
}

// Stopped records that the bot's loops have ended: /livez answers 503 from
// then on. Until it is called the process counts as alive.
func (h *Health) Stopped() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stopped = true
}

// MeetingResult records the outcome of the latest authentication or call to the
// meeting service: nil means it answered as expected. Pass only errors that say the
// service is unreachable or refusing the bot (timeouts, 5xx, rejected
// credentials); a business answer such as "meeting not started" shows the service
// is working and should be reported as nil.
func (h *Health) MeetingResult(err error) {
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.meetingCalled = true
	h.meetingOK = err == nil
	if err == nil {
		h.lastSuccess = now
	} else {
		h.lastFailure = now
	}
}

// healthReport is the JSON body of /healthz.
type healthReport struct {
	Status             string     `json:"status"`  // "ok" or "unavailable"
	Slack              string     `json:"slack"`   // "connected" or "disconnected"
	Meeting            string     `json:"meeting"` // "ok", "failing" or "unknown"
	MeetingLastSuccess *time.Time `json:"meeting_last_success,omitempty"`
	MeetingLastFailure *time.Time `json:"meeting_last_failure,omitempty"`
}

func (h *Health) report() healthReport {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := healthReport{Status: "ok", Slack: "connected", Meeting: "unknown"}
	if !h.slackConnected {
		r.Status, r.Slack = "unavailable", "disconnected"
	}
	if h.meetingCalled {
		r.Meeting = "ok"
		if !h.meetingOK {
			r.Status, r.Meeting = "unavailable", "failing"
		}
	}
	if !h.lastSuccess.IsZero() {
		t := h.lastSuccess.UTC()
		r.MeetingLastSuccess = &t
	}
	if !h.lastFailure.IsZero() {
		t := h.lastFailure.UTC()
		r.MeetingLastFailure = &t
	}
	return r
}

// Handler answers GET (and HEAD) with the health as JSON:
// 200 {"status":"ok","slack":"connected","meeting":"ok"} when Slack is connected
// and the meeting service is not known to be failing ("meeting":"unknown" before
// the first call), otherwise 503 with "status":"unavailable" and "slack":
// "disconnected" and/or "meeting":"failing". The times of the meeting service's
// last success and failure are added when known.
func (h *Health) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		rep := h.report()
		code := http.StatusOK
		if rep.Status != "ok" {
			code = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		if r.Method == http.MethodHead {
			return
		}
		_ = json.NewEncoder(w).Encode(rep) // the client may have gone; nothing to do about it
	})
}

// LiveHandler answers GET (and HEAD) /livez: 200 {"status":"alive"} while the
// process serves and its loops have not stopped, 503 {"status":"stopped"}
// once Stopped was called. It says nothing about Slack or Huawei, so a
// liveness probe built on it does not restart the bot during their outages
// (use Handler, /readyz, for that).
func (h *Health) LiveHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h.mu.Lock()
		stopped := h.stopped
		h.mu.Unlock()
		status, code := "alive", http.StatusOK
		if stopped {
			status, code = "stopped", http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		if r.Method == http.MethodHead {
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"status": status})
	})
}
