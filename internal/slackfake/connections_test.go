package slackfake_test

import (
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// An app may hold up to ten sockets; each envelope goes over one of them,
// and they take turns; an eleventh is told too_many_websockets and closed.
func TestEnvelopesAreSpreadOverTheAppsConnections(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	dial := func() (*websocket.Conn, map[string]any) {
		_, wsURL, err := apiClient(fake).StartSocketModeContext(t.Context())
		require.NoError(t, err)
		conn, _, err := websocket.DefaultDialer.DialContext(t.Context(), wsURL, nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = conn.Close() })
		var first map[string]any
		require.NoError(t, conn.ReadJSON(&first))
		return conn, first
	}
	conns := make([]*websocket.Conn, slackfake.MaxConnections)
	for i := range conns {
		var hello map[string]any
		conns[i], hello = dial()
		require.Equal(t, "hello", hello["type"])
		assert.EqualValues(t, i+1, hello["num_connections"])
		require.Eventually(t, func() bool { return fake.OpenConnections() == i+1 }, 5*time.Second, time.Millisecond)
	}
	require.Eventually(t, func() bool { return fake.OpenConnections() == slackfake.MaxConnections }, 5*time.Second, time.Millisecond)

	extra, bye := dial()
	assert.Equal(t, map[string]any{"type": "disconnect", "reason": "too_many_websockets",
		"debug_info": map[string]any{"host": "applink-fake"}}, bye)
	_, _, err := extra.ReadMessage()
	require.Error(t, err, "the eleventh socket is closed")
	assert.Equal(t, 1, fake.RefusedConnections())
	assert.Equal(t, slackfake.MaxConnections, fake.OpenConnections())

	// Two rounds of commands: each socket gets exactly two.
	for range 2 * len(conns) {
		_, err := fake.SendCommand(timeout(t, 5*time.Second), slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: "x"})
		require.NoError(t, err)
	}
	for i, c := range conns {
		for range 2 {
			require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
			var env map[string]any
			require.NoError(t, c.ReadJSON(&env), "socket %d gets its share", i)
			assert.Equal(t, "slash_commands", env["type"])
		}
		require.NoError(t, c.SetReadDeadline(time.Now().Add(50*time.Millisecond)))
		var more map[string]any
		assert.Error(t, c.ReadJSON(&more), "socket %d gets no more than its share", i)
	}
}

// With RedeliverAfter, an envelope nobody acknowledges comes again, same
// ID, retry_attempt counting up and retry_reason "timeout", until it is
// acknowledged (or MaxRedeliveries).
func TestUnacknowledgedEnvelopesComeAgain(t *testing.T) {
	t.Parallel()
	cfg := seed()
	cfg.RedeliverAfter = 50 * time.Millisecond
	fake := start(t, cfg)
	_, wsURL, err := apiClient(fake).StartSocketModeContext(t.Context())
	require.NoError(t, err)
	conn, _, err := websocket.DefaultDialer.DialContext(t.Context(), wsURL, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	var hello map[string]any
	require.NoError(t, conn.ReadJSON(&hello))

	sent, err := fake.SendCommand(timeout(t, 5*time.Second), slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: "x"})
	require.NoError(t, err)
	read := func() map[string]any {
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
		var env map[string]any
		require.NoError(t, conn.ReadJSON(&env))
		return env
	}
	for attempt := range 3 {
		env := read()
		assert.Equal(t, sent.EnvelopeID, env["envelope_id"])
		assert.EqualValues(t, attempt, env["retry_attempt"])
		if attempt > 0 {
			assert.Equal(t, "timeout", env["retry_reason"])
		}
	}
	require.NoError(t, conn.WriteJSON(map[string]string{"envelope_id": sent.EnvelopeID}))
	_, err = fake.WaitAck(timeout(t, 5*time.Second), sent.EnvelopeID)
	require.NoError(t, err)
	// Acknowledged after the second retry: at most the one retry already
	// on its way (the third) follows, then nothing.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(300*time.Millisecond)))
	got := 0
	for {
		var env map[string]any
		if conn.ReadJSON(&env) != nil {
			break
		}
		got++
	}
	assert.LessOrEqual(t, got, 1)
}
