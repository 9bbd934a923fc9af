package ops

import (
	"net/http"
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
	inviteVias      = []string{"app", "phone", "email"}
)

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
	inFlight        prometheus.Gauge
	calls           *prometheus.CounterVec

	upstreamRequests *prometheus.CounterVec
	upstreamDuration *prometheus.HistogramVec
	buildInfo        *prometheus.GaugeVec
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
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "meet_invite_in_flight",
			Help: "Invitations currently running.",
		}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "meet_invite_calls_total",
			Help: "Calls followed to their end, by outcome (joined, missed).",
		}, []string{"outcome"}),
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
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.requestDuration, m.invitees, m.skipped, m.failures,
		m.ack, m.queued, m.inFlight, m.calls, m.upstreamRequests, m.upstreamDuration, m.buildInfo,
	)
	b := version.Get()
	m.buildInfo.WithLabelValues(b.Version, b.Commit, b.GoVersion).Set(1)
	for _, outcome := range []string{"joined", "missed"} {
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

// Call counts one call followed to its end: outcome is "joined" or "missed".
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

// InFlight adds delta (+1 when an invitation starts, -1 when it ends) to the
// number of invitations running.
func (m *Metrics) InFlight(delta int) {
	if m == nil {
		return
	}
	m.inFlight.Add(float64(delta))
}

// Handler serves the registry in the Prometheus exposition format.
// On a nil *Metrics it answers 404.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
