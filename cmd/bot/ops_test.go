package main

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHealthAndMetrics(t *testing.T) {
	t.Parallel()
	b := startBot(t, withEnv("OPS_ADDR", "127.0.0.1:0"))
	var addr string
	require.Eventually(t, func() bool {
		m := regexp.MustCompile(`"msg":"serving /healthz and /metrics","addr":"([^"]+)"`).FindStringSubmatch(b.logs.String())
		if m != nil {
			addr = m[1]
		}
		return m != nil
	}, 5*time.Second, 10*time.Millisecond)
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}

	require.Eventually(t, func() bool { code, _ := get("/healthz"); return code == http.StatusOK }, 5*time.Second, 20*time.Millisecond)
	b.command(t, "CGENERAL", running+" <@UALICE> <@UDAVE>")
	b.waitMessages(t, 2)
	require.Eventually(t, func() bool { return b.meet.Subscribers(running) == 1 }, 5*time.Second, 10*time.Millisecond)
	require.True(t, b.meet.Answer(running, aliceSIP))
	b.waitMessages(t, 3) // the post, updated: Alice joined

	code, body := get("/healthz")
	assert.Equal(t, http.StatusOK, code)
	var health map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &health))
	assert.Equal(t, "connected", health["slack"])
	assert.Equal(t, "ok", health["meeting"])

	code, metrics := get("/metrics")
	require.Equal(t, http.StatusOK, code)
	for _, want := range []string{
		`meet_invite_requests_total{kind="command",outcome="partial"} 1`,
		`meet_invite_invitees_total{via="app"} 1`,
		`meet_invite_skipped_total{reason="no_contact"} 1`,
		`meet_invite_upstream_requests_total{endpoint="invite",service="meeting",status="200"} 1`,
		`meet_invite_upstream_requests_total{endpoint="users.info",service="slack",status="200"} 3`,
		`meet_invite_upstream_requests_total{endpoint="onlineAttendees",service="meeting",status="200"} 1`,
		`meet_invite_upstream_requests_total{endpoint="wsToken",service="meeting",status="200"} 1`,
		`meet_invite_ack_seconds_count 1`,
	} {
		assert.Contains(t, metrics, want)
	}
	require.Eventually(t, func() bool {
		_, metrics := get("/metrics")
		return strings.Contains(metrics, `meet_invite_calls_total{outcome="joined"} 1`)
	}, 5*time.Second, 20*time.Millisecond, "Alice's answered call is counted")
	assertNoSecrets(t, metrics, b.slack, chairPassword)
	assert.NotContains(t, metrics, running, "no meeting IDs in labels")

	// The meeting service going away turns health red.
	b.meet.Close()
	b.command(t, "CGENERAL", running+" <@UBOB>")
	b.waitMessages(t, 4)
	code, body = get("/healthz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Contains(t, body, `"meeting":"failing"`)
}

func TestWrongMeetingCredentialsShowAtStart(t *testing.T) {
	t.Parallel()
	b := startBot(t, withEnv("MEETING_APP_KEY", "not-the-key"), withEnv("OPS_ADDR", "127.0.0.1:0"))
	require.Eventually(t, func() bool {
		return strings.Contains(b.logs.String(), "Huawei Cloud Meeting refused the credentials")
	}, 5*time.Second, 10*time.Millisecond, "logged at start, before anyone invites")
	assert.NotContains(t, b.logs.String(), "not-the-key")

	addr := regexp.MustCompile(`"msg":"serving /healthz and /metrics","addr":"([^"]+)"`).FindStringSubmatch(b.logs.String())[1]
	resp, err := http.Get("http://" + addr + "/healthz")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Contains(t, string(body), `"meeting":"failing"`)
}
