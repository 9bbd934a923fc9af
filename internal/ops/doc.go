// Package ops is meet-invite's operations surface: Prometheus metrics, a health
// check, and the small HTTP server that exposes both (/metrics and /healthz).
//
// Metrics owns its own registry (never Prometheus's global one), so every
// instance — one per process, one per test — is independent. Its methods record
// what the bot did (requests by kind and outcome, invitees by channel, skips,
// failures, Huawei error codes the bot's table does not know, ack latency, queued and
// in-flight invitations), and Transport wraps an
// http.RoundTripper to count and time calls to Slack and to Huawei Cloud Meeting.
// Every label value is drawn from a small fixed set: Transport names an endpoint
// after the API method or a fixed Huawei endpoint name and never copies query
// strings, IDs, tokens or numbers into a label. A nil *Metrics records nothing.
//
// Health tracks whether the Slack Socket Mode connection is up and whether the
// meeting service last answered, and reports both as JSON with 200 or 503.
//
// Boundary: the package knows nothing of Slack or Huawei types (it imports neither
// slack-go nor internal/meeting); callers translate their events into the plain
// strings and errors these methods take. Everything here is safe for concurrent use.
package ops
