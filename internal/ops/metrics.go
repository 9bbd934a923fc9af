package ops

import (
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/meet-invite/meet-invite/internal/version"
)

// Label values the bot uses. They are listed so that their series exist (at zero)
// from the start, which keeps rate() and absent() queries meaningful after a restart.
var (
	requestKinds    = []string{"command", "modal", "shortcut", "button"}
	requestOutcomes = []string{"invited", "partial", "failed", "refused", "bad_input"}
	inviteVias      = []string{"app", "phone", "email", "link"}
)

// maxUnknownCodes bounds the distinct code labels of
// meet_invite_huawei_unknown_codes_total; further codes count as "other".
const maxUnknownCodes = 50

// Metrics records what the bot does, in its own Prometheus registry.
// Create it with NewMetrics. Its methods are safe for concurrent use and do
// nothing on a nil *Metrics, so metrics can be left out of tests and tools.
type Metrics struct {
	reg *prometheus.Registry

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	invitees        *prometheus.CounterVec
	skipped         *prometheus.CounterVec
	failures        *prometheus.CounterVec
	ack             prometheus.Histogram
	queued          prometheus.Counter
	inFlight        *prometheus.GaugeVec
	reconnects      prometheus.Counter
	calls           *prometheus.CounterVec
	unknownCodes    *prometheus.CounterVec
	unknownMu       sync.Mutex
	unknownSeen     map[string]bool

	upstreamRequests *prometheus.CounterVec
	upstreamDuration *prometheus.HistogramVec
	buildInfo        *prometheus.GaugeVec
	tables           *tables
}

// NewMetrics returns Metrics registered in a fresh registry, together with the
// Go runtime and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "meet_invite_requests_total",
			Help: "Requests handled, by kind (command, modal, shortcut, button) and outcome (invited, partial, failed, refused, bad_input).",
		}, []string{"kind", "outcome"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "meet_invite_request_duration_seconds",
			Help:    "Time from receiving a request to its outcome, by kind.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60},
		}, []string{"kind"}),
		invitees: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "meet_invite_invitees_total",
			Help: "People invited into a meeting, by how they are reached (app, phone, email).",
		}, []string{"via"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "meet_invite_skipped_total",
			Help: "People not invited, by reason.",
		}, []string{"reason"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "meet_invite_failures_total",
			Help: "Failed invitations, by Huawei error_code or a category such as timeout or unavailable.",
		}, []string{"code"}),
		ack: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "meet_invite_ack_seconds",
			Help:    "Time to acknowledge a Slack request (Slack allows 3 s).",
			Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5},
		}),
		queued: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "meet_invite_queued_total",
			Help: "Invitations accepted for background work.",
		}),
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "meet_invite_in_flight",
			Help: "Work in flight, by kind: requests being run (request), invitations whose calls are being followed and posts whose updates wait their turn (calls).",
		}, []string{"work"}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "meet_invite_slack_reconnects_total",
			Help: "Socket Mode connections opened again after the first: Slack asks apps to reconnect from time to time (a disconnect message), or the connection dropped.",
		}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "meet_invite_calls_total",
			Help: "Calls followed to their end, by outcome (joined, missed, busy, declined, failed, no_pstn).",
		}, []string{"outcome"}),
		unknownCodes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "meet_invite_huawei_unknown_codes_total",
			Help: "Huawei error codes the bot's table does not know, by code (so that the table can be corrected from real traffic).",
		}, []string{"code"}),
		unknownSeen: map[string]bool{},
		upstreamRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "meet_invite_upstream_requests_total",
			Help: "HTTP calls to Slack and Huawei Cloud Meeting, by service, endpoint and status (HTTP code, or error when no response came).",
		}, []string{"service", "endpoint", "status"}),
		upstreamDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "meet_invite_upstream_duration_seconds",
			Help:    "Time until the response headers of an HTTP call to Slack or Huawei Cloud Meeting, by service and endpoint.",
			Buckets: prometheus.DefBuckets,
		}, []string{"service", "endpoint"}),
		buildInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "meet_invite_build_info",
			Help: "Always 1; its labels say which build is running (version, commit, Go version).",
		}, []string{"version", "commit", "goversion"}),
		tables: newTables(),
	}
	m.reg.MustRegister(m.tables,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.requestDuration, m.invitees, m.skipped, m.failures,
		m.ack, m.queued, m.inFlight, m.reconnects, m.calls, m.unknownCodes, m.upstreamRequests, m.upstreamDuration, m.buildInfo,
	)
	b := version.Get()
	m.buildInfo.WithLabelValues(b.Version, b.Commit, b.GoVersion).Set(1)
	for _, outcome := range []string{"joined", "missed", "busy", "declined", "failed", "no_pstn"} {
		m.calls.WithLabelValues(outcome)
	}
	for _, kind := range requestKinds {
		for _, outcome := range requestOutcomes {
			m.requests.WithLabelValues(kind, outcome)
		}
	}
	for _, via := range inviteVias {
		m.invitees.WithLabelValues(via)
	}
	for _, work := range []string{"request", "calls"} {
		m.inFlight.WithLabelValues(work) // shown as 0 before any work
	}
	return m
}

// Request records one handled request: kind is "command", "modal", "shortcut" or
// "button"; outcome is "invited", "partial", "failed", "refused" or "bad_input";
// took is the time from receipt to outcome.
func (m *Metrics) Request(kind, outcome string, took time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(kind, outcome).Inc()
	m.requestDuration.WithLabelValues(kind).Observe(took.Seconds())
}

// Invited counts n people invited, reached via "app", "phone" or "email".
func (m *Metrics) Invited(via string, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.invitees.WithLabelValues(via).Add(float64(n))
}

// Skipped counts n people not invited for reason (one of the caller's fixed reasons).
func (m *Metrics) Skipped(reason string, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.skipped.WithLabelValues(reason).Add(float64(n))
}

// Call counts one call followed to its end: outcome is "joined", "missed",
// "busy", "declined", "failed" or "no_pstn".
func (m *Metrics) Call(outcome string) {
	if m == nil {
		return
	}
	m.calls.WithLabelValues(outcome).Inc()
}

// Failure counts one failed invitation: code is Huawei's error_code (e.g.
// "MMC.111072005") or a category such as "timeout" or "unavailable".
func (m *Metrics) Failure(code string) {
	if m == nil {
		return
	}
	m.failures.WithLabelValues(code).Inc()
}

// UnknownHuaweiCode counts one answer from Huawei Cloud Meeting with an
// error code the bot does not know. The label is the code when it looks
// like one (letters, a dot, digits; at most 32 characters), else
// "malformed"; after 50 distinct codes, further ones count as "other".
func (m *Metrics) UnknownHuaweiCode(code string) {
	if m == nil {
		return
	}
	label := "malformed"
	if huaweiCode.MatchString(code) {
		label = code
	}
	m.unknownMu.Lock()
	if !m.unknownSeen[label] {
		if len(m.unknownSeen) >= maxUnknownCodes {
			label = "other"
		} else {
			m.unknownSeen[label] = true
		}
	}
	m.unknownMu.Unlock()
	m.unknownCodes.WithLabelValues(label).Inc()
}

var huaweiCode = regexp.MustCompile(`^([A-Za-z]{2,8}\.)?[0-9A-Za-z]{1,23}$`)

// Ack records how long acknowledging a Slack request took.
func (m *Metrics) Ack(took time.Duration) {
	if m == nil {
		return
	}
	m.ack.Observe(took.Seconds())
}

// Queued counts one invitation accepted for background work.
func (m *Metrics) Queued() {
	if m == nil {
		return
	}
	m.queued.Inc()
}

// InFlight adds delta (+1 when a piece of work starts, -1 when it ends) to
// the work in flight of its kind: "request" (a request being run) or
// "calls" (an invitation's calls being followed).
func (m *Metrics) InFlight(work string, delta int) {
	if m == nil {
		return
	}
	m.inFlight.WithLabelValues(work).Add(float64(delta))
}

// Reconnected counts one Socket Mode connection opened again.
func (m *Metrics) Reconnected() {
	if m == nil {
		return
	}
	m.reconnects.Inc()
}

// Handler serves the registry in the Prometheus exposition format.
// On a nil *Metrics it answers 404.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
