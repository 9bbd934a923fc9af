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
