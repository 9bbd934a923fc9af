package ops_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/ops"
)

// roundTripFunc answers requests without a network, so the table can use the
// real Slack and Huawei hosts.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func answer(status int) roundTripFunc {
	return func(r *http.Request) (*http.Response, error) {
		return &http.Response{
			StatusCode: status,
			Body:       io.NopCloser(strings.NewReader("{}")),
			Header:     http.Header{},
			Request:    r,
		}, nil
	}
}

// secrets appear in the URLs below and must never reach a label.
var secrets = []string{
	"xoxb", "xapp", "s3cr3t", "U012ABC", "T0001", "1234567890", "AbCdEf",
	"ticket", "914083136", "conferenceID", "alice@example.org", "searchKey", "uuid-42",
}

func TestTransportEndpoints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		service  string
		method   string
		url      string
		status   int
		endpoint string
	}{
		// Slack Web API: the method name, whatever the query carries.
		{"users.info with token in query", ops.ServiceSlack, http.MethodGet, "https://slack.com/api/users.info?token=xoxb-1-s3cr3t&user=U012ABC", 200, "users.info"},
		{"chat.postMessage", ops.ServiceSlack, http.MethodPost, "https://slack.com/api/chat.postMessage", 200, "chat.postMessage"},
		{"rate limited", ops.ServiceSlack, http.MethodPost, "https://slack.com/api/conversations.members?channel=C1&cursor=dXNlcjpVMDYxTkZUVDI=", 429, "conversations.members"},
		{"apps.connections.open on the fake", ops.ServiceSlack, http.MethodPost, "http://127.0.0.1:43123/api/apps.connections.open?token=xapp-1-s3cr3t", 200, "apps.connections.open"},
		{"method-like path that is an ID", ops.ServiceSlack, http.MethodGet, "https://slack.com/api/U012ABC", 200, "other"},
		{"api root", ops.ServiceSlack, http.MethodGet, "https://slack.com/api/", 404, "other"},
		{"a file", ops.ServiceSlack, http.MethodGet, "https://files.slack.com/files-pri/T0001-F1/s3cr3t.txt", 200, "other"},
		// response_url posts.
		{"command response_url", ops.ServiceSlack, http.MethodPost, "https://hooks.slack.com/commands/T0001/1234567890/AbCdEfs3cr3t", 200, "response_url"},
		{"action response_url", ops.ServiceSlack, http.MethodPost, "https://hooks.slack.com/actions/T0001/1234567890/AbCdEfs3cr3t", 404, "response_url"},
		{"slackfake response_url", ops.ServiceSlack, http.MethodPost, "http://127.0.0.1:43123/response/T0001/17/AbCdEf0123456789", 200, "response_url"},
		// Socket Mode.
		{"socket mode link", ops.ServiceSlack, http.MethodGet, "wss://wss-primary.slack.com/link/?ticket=s3cr3t&app_id=A1", 101, "socket"},
		// Huawei Cloud Meeting, with and without a base path prefix.
		{"appauth", ops.ServiceMeeting, http.MethodPost, "https://api.meeting.huaweicloud.com/v2/usg/acs/auth/appauth", 200, "appauth"},
		{"account auth", ops.ServiceMeeting, http.MethodPost, "https://api-intl.meeting.huaweicloud.com/v1/usg/acs/auth/account", 401, "accountauth"},
		{"confDetail with conference ID", ops.ServiceMeeting, http.MethodGet, "https://api.meeting.huaweicloud.com/v1/mmc/management/conferences/confDetail?conferenceID=914083136&userUUID=uuid-42", 200, "confDetail"},
		{"control token", ops.ServiceMeeting, http.MethodGet, "http://127.0.0.1:8080/api/v1/mmc/control/conferences/token?conferenceID=914083136", 200, "controlToken"},
		{"invite", ops.ServiceMeeting, http.MethodPost, "https://api.meeting.huaweicloud.com/v1/mmc/control/conferences/participants?conferenceID=914083136", 400, "invite"},
		{"directory search", ops.ServiceMeeting, http.MethodGet, "https://api.meeting.huaweicloud.com/v1/usg/abs/users?searchKey=alice%40example.org&offset=0&limit=10", 200, "directory"},
		{"online attendees", ops.ServiceMeeting, http.MethodGet, "https://api.meeting.huaweicloud.com/v1/mmc/management/conferences/online/conf-attendee?conf_id=914083136&offset=0&limit=500", 200, "onlineAttendees"},
		{"online meetings", ops.ServiceMeeting, http.MethodGet, "https://api.meeting.huaweicloud.com/v1/mmc/management/conferences/online?searchKey=88812345&queryAll=true", 200, "onlineMeetings"},
		{"real-time info", ops.ServiceMeeting, http.MethodGet, "https://api.meeting.huaweicloud.com/v1/mmc/control/conferences/realTimeInfo?conferenceID=914083136", 200, "realTimeInfo"},
		{"websocket token", ops.ServiceMeeting, http.MethodGet, "https://api.meeting.huaweicloud.com/v1/mmc/control/conferences/wsToken?conferenceID=914083136", 200, "wsToken"},
		{"unknown meeting path with ID", ops.ServiceMeeting, http.MethodGet, "https://api.meeting.huaweicloud.com/v1/mmc/management/conferences/914083136", 404, "other"},
		// Another service gets no endpoint names.
		{"unknown service", "ldap", http.MethodGet, "https://example.org/api/users.info?token=xoxb-1-s3cr3t", 200, "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := ops.NewMetrics()
			client := &http.Client{Transport: m.Transport(tt.service, answer(tt.status))}
			req, err := http.NewRequestWithContext(t.Context(), tt.method, tt.url, nil)
			require.NoError(t, err)
			resp, err := client.Do(req)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())

			text := scrape(t, m)
			got := requireSample(t, text, "meet_invite_upstream_requests_total", map[string]string{
				"service": tt.service, "endpoint": tt.endpoint, "status": strconv.Itoa(tt.status),
			})
			assert.InDelta(t, 1, got, 0)
			got = requireSample(t, text, "meet_invite_upstream_duration_seconds_count", map[string]string{
				"service": tt.service, "endpoint": tt.endpoint,
			})
			assert.InDelta(t, 1, got, 0)
			own := ownLines(text)
			require.NotEmpty(t, own)
			for _, s := range secrets {
				assert.NotContains(t, own, s)
			}
		})
	}
}

// ownLines keeps the meet_invite_ series of a scrape, leaving out the runtime
// collectors, whose numbers could contain any digits.
func ownLines(text string) string {
	var b strings.Builder
	for line := range strings.Lines(text) {
		if strings.HasPrefix(line, "meet_invite_") {
			b.WriteString(line)
		}
	}
	return b.String()
}

func TestTransportCountsErrors(t *testing.T) {
	t.Parallel()
	m := ops.NewMetrics()
	errDown := errors.New("connection refused")
	client := &http.Client{Transport: m.Transport(ops.ServiceMeeting, roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errDown
	}))}

	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost,
		"https://api.meeting.huaweicloud.com/v1/mmc/control/conferences/participants?conferenceID=914083136", nil)
	require.NoError(t, err)
	_, err = client.Do(req) //nolint:bodyclose // there is no response
	require.ErrorIs(t, err, errDown)

	text := scrape(t, m)
	assert.InDelta(t, 1, requireSample(t, text, "meet_invite_upstream_requests_total",
		map[string]string{"service": "meeting", "endpoint": "invite", "status": "error"}), 0)
	assert.InDelta(t, 1, requireSample(t, text, "meet_invite_upstream_duration_seconds_count",
		map[string]string{"service": "meeting", "endpoint": "invite"}), 0)
	assert.NotContains(t, ownLines(text), "914083136")
}

// TestTransportRealServer sends real requests through the default transport to
// an httptest server mounted under /api/, as the meeting client's tests do.
func TestTransportRealServer(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/mmc/management/conferences/confDetail", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "914083136", r.URL.Query().Get("conferenceID")) // the query still reaches the server
		_, _ = io.WriteString(w, `{}`)
	})
	mux.HandleFunc("POST /api/v1/mmc/control/conferences/participants", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error_code":"MMC.111072005"}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	m := ops.NewMetrics()
	client := &http.Client{Transport: m.Transport(ops.ServiceMeeting, nil)}
	do := func(method, path string) {
		req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, nil)
		require.NoError(t, err)
		resp, err := client.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		require.NoError(t, resp.Body.Close())
	}
	do(http.MethodGet, "/api/v1/mmc/management/conferences/confDetail?conferenceID=914083136")
	do(http.MethodGet, "/api/v1/mmc/management/conferences/confDetail?conferenceID=914083136")
	do(http.MethodPost, "/api/v1/mmc/control/conferences/participants?conferenceID=914083136")

	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, closedURL+"/v2/usg/acs/auth/appauth", nil)
	require.NoError(t, err)
	_, err = client.Do(req) //nolint:bodyclose // there is no response
	require.Error(t, err)

	text := scrape(t, m)
	tests := []struct {
		endpoint, status string
		want             float64
	}{
		{"confDetail", "200", 2},
		{"invite", "400", 1},
		{"appauth", "error", 1},
	}
	for _, tt := range tests {
		assert.InDelta(t, tt.want, requireSample(t, text, "meet_invite_upstream_requests_total",
			map[string]string{"service": "meeting", "endpoint": tt.endpoint, "status": tt.status}), 0, tt.endpoint)
	}
	assert.NotContains(t, ownLines(text), "914083136")
}
