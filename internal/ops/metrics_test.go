package ops_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/meet-invite/meet-invite/internal/ops"
)

func TestMetricsRecorded(t *testing.T) {
	t.Parallel()
	m := ops.NewMetrics()

	m.Request("command", "invited", 500*time.Millisecond)
	m.Request("command", "invited", time.Second)
	m.Request("modal", "failed", 2*time.Second)
	m.Invited("app", 3)
	m.Invited("phone", 1)
	m.Invited("email", 0)  // nothing
	m.Invited("phone", -2) // nothing (a counter cannot go down)
	m.Skipped("no_contact", 2)
	m.Skipped("bot", 1)
	m.Skipped("bot", -1) // nothing
	m.Failure("MMC.111072005")
	m.Failure("MMC.111072005")
	m.Failure("timeout")
	m.Ack(300 * time.Microsecond)
	m.Ack(3 * time.Millisecond)
	m.Queued()
	m.Queued()
	m.InFlight("request", 1)
	m.InFlight("request", 1)
	m.InFlight("request", -1)
	m.Call("joined")
	m.Call("joined")

	text := scrape(t, m)
	tests := []struct {
		name   string
		metric string
		labels map[string]string
		want   float64
	}{
		{"requests command invited", "meet_invite_requests_total", map[string]string{"kind": "command", "outcome": "invited"}, 2},
		{"requests modal failed", "meet_invite_requests_total", map[string]string{"kind": "modal", "outcome": "failed"}, 1},
		{"requests known but unused are zero", "meet_invite_requests_total", map[string]string{"kind": "button", "outcome": "refused"}, 0},
		{"request duration count", "meet_invite_request_duration_seconds_count", map[string]string{"kind": "command"}, 2},
		{"request duration sum", "meet_invite_request_duration_seconds_sum", map[string]string{"kind": "command"}, 1.5},
		{"request duration bucket", "meet_invite_request_duration_seconds_bucket", map[string]string{"kind": "modal", "le": "2.5"}, 1},
		{"invitees app", "meet_invite_invitees_total", map[string]string{"via": "app"}, 3},
		{"invitees phone", "meet_invite_invitees_total", map[string]string{"via": "phone"}, 1},
		{"invitees email", "meet_invite_invitees_total", map[string]string{"via": "email"}, 0},
		{"skipped no_contact", "meet_invite_skipped_total", map[string]string{"reason": "no_contact"}, 2},
		{"skipped bot", "meet_invite_skipped_total", map[string]string{"reason": "bot"}, 1},
		{"failures huawei code", "meet_invite_failures_total", map[string]string{"code": "MMC.111072005"}, 2},
		{"failures category", "meet_invite_failures_total", map[string]string{"code": "timeout"}, 1},
		{"ack finest bucket", "meet_invite_ack_seconds_bucket", map[string]string{"le": "0.0005"}, 1},
		{"ack 5ms bucket", "meet_invite_ack_seconds_bucket", map[string]string{"le": "0.005"}, 2},
		{"ack largest bucket", "meet_invite_ack_seconds_bucket", map[string]string{"le": "2.5"}, 2},
		{"ack count", "meet_invite_ack_seconds_count", nil, 2},
		{"queued", "meet_invite_queued_total", nil, 2},
		{"in flight", "meet_invite_in_flight", map[string]string{"work": "request"}, 1},
		{"calls joined", "meet_invite_calls_total", map[string]string{"outcome": "joined"}, 2},
		{"calls missed known but zero", "meet_invite_calls_total", map[string]string{"outcome": "missed"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.InDelta(t, tt.want, requireSample(t, text, tt.metric, tt.labels), 1e-9)
		})
	}

	t.Run("runtime collectors", func(t *testing.T) {
		t.Parallel()
		assert.Contains(t, text, "\ngo_goroutines ")
		if runtime.GOOS == "linux" {
			assert.Contains(t, text, "\nprocess_cpu_seconds_total ")
		}
	})
	t.Run("no negative adds recorded", func(t *testing.T) {
		t.Parallel()
		_, ok := sample(t, text, "meet_invite_skipped_total", map[string]string{"reason": "email"})
		assert.False(t, ok)
	})
}

func TestMetricsAreIndependent(t *testing.T) {
	t.Parallel()
	a, b := ops.NewMetrics(), ops.NewMetrics()
	a.Queued()

	assert.InDelta(t, 1, requireSample(t, scrape(t, a), "meet_invite_queued_total", nil), 0)
	assert.InDelta(t, 0, requireSample(t, scrape(t, b), "meet_invite_queued_total", nil), 0)
}

func TestMetricsConcurrentUse(t *testing.T) {
	t.Parallel()
	m := ops.NewMetrics()
	const workers, each = 8, 50
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				m.InFlight("request", 1)
				m.Request("button", "invited", time.Millisecond)
				m.Invited("app", 1)
				m.InFlight("request", -1)
			}
		})
	}
	wg.Wait()

	text := scrape(t, m)
	assert.InDelta(t, workers*each, requireSample(t, text, "meet_invite_requests_total", map[string]string{"kind": "button", "outcome": "invited"}), 0)
	assert.InDelta(t, workers*each, requireSample(t, text, "meet_invite_invitees_total", map[string]string{"via": "app"}), 0)
	assert.InDelta(t, 0, requireSample(t, text, "meet_invite_in_flight", map[string]string{"work": "request"}), 0)
}

func TestNilMetricsRecordNothing(t *testing.T) {
	t.Parallel()
	var m *ops.Metrics
	assert.NotPanics(t, func() {
		m.Request("command", "invited", time.Second)
		m.Invited("app", 1)
		m.Skipped("bot", 1)
		m.Failure("timeout")
		m.Ack(time.Millisecond)
		m.Queued()
		m.InFlight("request", 1)
	})

	next := http.DefaultTransport
	assert.Same(t, next, m.Transport(ops.ServiceSlack, next))

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
}

func TestUnknownHuaweiCodesAreCountedWithBoundedLabels(t *testing.T) {
	t.Parallel()
	m := ops.NewMetrics()
	m.UnknownHuaweiCode("MMC.111099999")
	m.UnknownHuaweiCode("MMC.111099999")
	m.UnknownHuaweiCode("<script>+8613800000000 and more</script>")
	for i := range 60 {
		m.UnknownHuaweiCode(fmt.Sprintf("MMC.1110%05d", i))
	}

	text := scrape(t, m)
	assert.InDelta(t, 2, requireSample(t, text, "meet_invite_huawei_unknown_codes_total", map[string]string{"code": "MMC.111099999"}), 0)
	assert.InDelta(t, 1, requireSample(t, text, "meet_invite_huawei_unknown_codes_total", map[string]string{"code": "malformed"}), 0)
	assert.InDelta(t, 12, requireSample(t, text, "meet_invite_huawei_unknown_codes_total", map[string]string{"code": "other"}), 0,
		"50 distinct labels, then other")
	assert.Equal(t, 51, strings.Count(text, "\nmeet_invite_huawei_unknown_codes_total{"))
}

func TestTablesAreReadOnEachScrape(t *testing.T) {
	t.Parallel()
	m := ops.NewMetrics()
	n := 3
	m.Tables(func() map[string]int { return map[string]int{"posts": n, "envelopes": 7} })
	m.Tables(func() map[string]int { return map[string]int{"followed_meetings": 2} })

	body := scrape(t, m)
	assert.Contains(t, body, `meet_invite_table_entries{table="posts"} 3`)
	assert.Contains(t, body, `meet_invite_table_entries{table="envelopes"} 7`)
	assert.Contains(t, body, `meet_invite_table_entries{table="followed_meetings"} 2`)
	n = 5
	assert.Contains(t, scrape(t, m), `meet_invite_table_entries{table="posts"} 5`)
}
