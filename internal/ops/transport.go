package ops

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Services that Transport knows how to name endpoints for.
const (
	ServiceSlack   = "slack"
	ServiceMeeting = "meeting"
)

// Transport returns a RoundTripper that sends requests through next (or
// http.DefaultTransport when next is nil) and records each call as
// meet_invite_upstream_requests_total{service,endpoint,status} and
// meet_invite_upstream_duration_seconds{service,endpoint}. The duration runs until
// the response headers arrive (or the call fails); status is the HTTP code, or
// "error" when there is no response. On a nil *Metrics it returns next unchanged.
//
// service is ServiceSlack or ServiceMeeting. The endpoint label comes from the URL
// path alone, never the query, and is one of a small fixed set:
//
//   - slack: the Web API method ("users.info", "chat.postMessage"),
//     "response_url" for posts to a command's or action's response URL,
//     "socket" for the Socket Mode connection, else "other";
//   - meeting: "appauth", "accountauth", "confDetail", "controlToken", "invite"
//     (participants), "directory", "onlineAttendees", "onlineMeetings", "realTimeInfo", "wsToken", else "other";
//   - any other service: "other".
func (m *Metrics) Transport(service string, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if m == nil {
		return next
	}
	return &transport{m: m, service: service, next: next}
}

type transport struct {
	m       *Metrics
	service string
	next    http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	name := endpoint(t.service, req.URL)
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	t.m.upstreamDuration.WithLabelValues(t.service, name).Observe(time.Since(start).Seconds())
	status := "error"
	if err == nil {
		status = strconv.Itoa(resp.StatusCode)
	}
	t.m.upstreamRequests.WithLabelValues(t.service, name, status).Inc()
	return resp, err
}

// slackMethod matches a Slack Web API method name: lowercase family, then
// dot-separated letters only (users.info, chat.postMessage, apps.connections.open).
// No digits, so no ID or token can pass as a method.
var slackMethod = regexp.MustCompile(`^[a-z]+(\.[a-zA-Z]+){1,3}$`)

// meetingEndpoints maps the tail of a Huawei Cloud Meeting API path onto a fixed
// name. Tails are matched at the end of the path so a base URL with a prefix
// (a proxy, or a test server's /api/) still matches.
var meetingEndpoints = []struct{ tail, name string }{
	{"/v2/usg/acs/auth/appauth", "appauth"},
	{"/v1/usg/acs/auth/account", "accountauth"},
	{"/confDetail", "confDetail"},
	{"/v1/mmc/control/conferences/token", "controlToken"},
	{"/v1/mmc/control/conferences/participants", "invite"},
	{"/v1/usg/abs/users", "directory"},
	{"/online/conf-attendee", "onlineAttendees"},
	{"/v1/mmc/management/conferences/online", "onlineMeetings"},
	{"/v1/mmc/control/conferences/realTimeInfo", "realTimeInfo"},
	{"/v1/mmc/control/conferences/wsToken", "wsToken"},
}

// endpoint names the endpoint of a call to service for the metric label
// (the vocabulary is listed on Transport). It reads only the URL's host and path.
func endpoint(service string, u *url.URL) string {
	if u == nil {
		return "other"
	}
	path := strings.TrimSuffix(u.Path, "/")
	switch service {
	case ServiceSlack:
		return slackEndpoint(u.Host, path)
	case ServiceMeeting:
		for _, e := range meetingEndpoints {
			if strings.HasSuffix(path, e.tail) {
				return e.name
			}
		}
	}
	return "other"
}

func slackEndpoint(host, path string) string {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if n := len(segs); n >= 2 && segs[n-2] == "api" && slackMethod.MatchString(segs[n-1]) {
		return segs[n-1]
	}
	if strings.EqualFold(host, "hooks.slack.com") {
		return "response_url"
	}
	for _, s := range segs {
		switch s {
		case "commands", "actions", "response": // hooks.slack.com/commands/…, /actions/…; slackfake's /response/…
			return "response_url"
		case "link": // wss-primary.slack.com/link/?ticket=…
			return "socket"
		}
	}
	return "other"
}
