package ops_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/ops"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines to log into.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func TestServe(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()

	var h ops.Health
	h.SetSlackConnected(true)
	m := ops.NewMetrics()
	m.Queued()

	addr, err := ops.Serve(ctx, "127.0.0.1:0", &h, m, logger)
	require.NoError(t, err)
	require.NotEqual(t, "127.0.0.1:0", addr)

	code, body := get(t, "http://"+addr+"/healthz")
	assert.Equal(t, http.StatusOK, code)
	var health map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &health))
	assert.Equal(t, "ok", health["status"])

	h.MeetingResult(errMeetingDown)
	code, _ = get(t, "http://"+addr+"/healthz")
	assert.Equal(t, http.StatusServiceUnavailable, code)

	code, body = get(t, "http://"+addr+"/metrics")
	assert.Equal(t, http.StatusOK, code)
	assert.InDelta(t, 1, requireSample(t, body, "meet_invite_queued_total", nil), 0)

	code, _ = get(t, "http://"+addr+"/nope")
	assert.Equal(t, http.StatusNotFound, code)

	t.Run("a busy address fails at once", func(t *testing.T) {
		_, err := ops.Serve(t.Context(), addr, &h, m, nil)
		require.Error(t, err)
	})

	cancel()
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), `"msg":"ops server stopped"`) },
		10*time.Second, 5*time.Millisecond, "the server did not stop")
	conn, err := net.Dial("tcp", addr)
	if err == nil {
		_ = conn.Close()
	}
	assert.Error(t, err, "still accepting connections after shutdown")
}

func TestServeWithoutMetrics(t *testing.T) {
	t.Parallel()
	var h ops.Health
	addr, err := ops.Serve(t.Context(), "127.0.0.1:0", &h, nil, nil)
	require.NoError(t, err)

	code, _ := get(t, "http://"+addr+"/metrics")
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = get(t, "http://"+addr+"/healthz")
	assert.Equal(t, http.StatusServiceUnavailable, code) // Slack not connected
}
