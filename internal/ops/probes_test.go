package ops_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/ops"
	"github.com/meet-invite/meet-invite/internal/version"
)

// TestProbes: /livez stays 200 while Slack and Huawei are down (a liveness
// probe must not restart the bot for their outage) and turns 503 only once
// the loops stopped; /readyz and /healthz give the same readiness answer.
func TestProbes(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var h ops.Health
	addr, err := ops.Serve(ctx, "127.0.0.1:0", &h, nil, nil)
	require.NoError(t, err)
	base := "http://" + addr

	status := func(path string) (int, string) {
		code, body := get(t, base+path)
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(body), &v), "%s: %s", path, body)
		return code, v["status"].(string)
	}

	// Slack not connected, Huawei failing: not ready, but alive.
	h.MeetingResult(errMeetingDown)
	for _, p := range []string{ops.PathReady, ops.PathHealth} {
		code, st := status(p)
		assert.Equal(t, http.StatusServiceUnavailable, code, p)
		assert.Equal(t, "unavailable", st, p)
	}
	code, st := status(ops.PathLive)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "alive", st)

	h.SetSlackConnected(true)
	h.MeetingResult(nil)
	for _, p := range []string{ops.PathReady, ops.PathHealth} {
		code, _ := status(p)
		assert.Equal(t, http.StatusOK, code, p)
	}

	h.Stopped()
	code, st = status(ops.PathLive)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "stopped", st)
}

func TestBuildInfoMetric(t *testing.T) {
	t.Parallel()
	b := version.Get()
	text := scrape(t, ops.NewMetrics())
	got := requireSample(t, text, "meet_invite_build_info", map[string]string{
		"version": b.Version, "commit": b.Commit, "goversion": b.GoVersion,
	})
	assert.Equal(t, 1.0, got)
}
