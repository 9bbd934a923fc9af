package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Slack asks Socket Mode apps to reconnect from time to time (a
// "disconnect" message). slack-go reconnects by itself and never passes the
// message on; the bot sees the new connection, counts it and keeps serving.
func TestASlackRequestedReconnectIsSeen(t *testing.T) {
	t.Parallel()
	b := startBot(t, withEnv("SOCKET_CONNECTIONS", "1")) // one socket, reconnected once
	metric := func() string {
		resp, err := http.Get("http://" + b.ops + "/metrics")
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	require.Contains(t, metric(), "meet_invite_slack_reconnects_total 0")

	b.slack.Disconnect("refresh_requested")

	require.Eventually(t, func() bool { return strings.Contains(metric(), "meet_invite_slack_reconnects_total 1") },
		10*time.Second, 10*time.Millisecond, "the reconnect is counted")
	assert.Equal(t, 2, b.slack.Connections())
	assert.Contains(t, b.logs.String(), "reconnected to Slack")

	b.command(t, "CGENERAL", running+" <@UALICE>")
	assert.Equal(t, "post", b.waitMessages(t, 1)[0].Kind, "still serving")
}
