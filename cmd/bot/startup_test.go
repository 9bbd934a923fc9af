package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/version"
)

// TestRevokedTokenStopsTheStart: a revoked bot token ends the start at once,
// with what to do, before Socket Mode or any command.
func TestRevokedTokenStopsTheStart(t *testing.T) {
	t.Parallel()
	sf, _, env := checkFakes(t, meetingfake.Config{})
	sf.RevokeBotToken()
	logs := &syncBuffer{}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	err := run(ctx, nil, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, logs)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "slack refused SLACK_BOT_TOKEN (token_revoked)")
	assert.Contains(t, err.Error(), "Bot User OAuth Token")
	assert.Zero(t, sf.Calls("apps.connections.open"), "no Socket Mode connection is tried")
	assertNoSecrets(t, logs.String()+err.Error(), sf)
}

// TestStartLogsVersionTeamAndNetworkProblems: the first log line names the
// build, auth.test's team and bot user are logged, and an unreachable
// Huawei is told as a network problem naming the host, not as wrong
// credentials.
func TestStartLogsVersionTeamAndNetworkProblems(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := ln.Addr().String()
	require.NoError(t, ln.Close())

	b := startBot(t, withEnv("MEETING_API_URL", "http://"+refused), withEnv("OPS_ADDR", "127.0.0.1:0"))
	require.Eventually(t, func() bool {
		return strings.Contains(b.logs.String(), "cannot reach Huawei Cloud Meeting")
	}, 5*time.Second, 10*time.Millisecond)
	logs := b.logs.String()
	first, _, _ := strings.Cut(logs, "\n")
	var line map[string]any
	require.NoError(t, json.Unmarshal([]byte(first), &line))
	assert.Equal(t, "meet-invite starting", line["msg"])
	assert.Equal(t, version.Get().Version, line["version"])
	assert.Equal(t, version.Get().GoVersion, line["go"])
	assert.Contains(t, logs, `"msg":"slack: signed in","team":"Fake Workspace","team_id":"T0FAKE"`)
	assert.Contains(t, logs, "connection to "+refused+" refused")
	assert.NotContains(t, logs, "refused the credentials")

	// Huawei is down: not ready, but alive (a liveness probe must not restart the bot).
	addr := regexp.MustCompile(`"msg":"serving /healthz and /metrics","addr":"([^"]+)"`).FindStringSubmatch(logs)[1]
	for path, want := range map[string]int{"/livez": http.StatusOK, "/readyz": http.StatusServiceUnavailable, "/healthz": http.StatusServiceUnavailable} {
		resp, err := http.Get("http://" + addr + path)
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, path)
	}
}
