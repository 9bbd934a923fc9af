package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// With SOCKET_CONNECTIONS=3 the bot holds three sockets, and the commands
// Slack spreads over them are each acknowledged once and run once.
func TestTheBotServesEveryConnection(t *testing.T) {
	t.Parallel()
	b := startBot(t, withEnv("SOCKET_CONNECTIONS", "3"), withEnv("CALL_STATUS_FOR", "1ms"), withEnv("ALLOW_DIRECT_INVITES", "true"))
	require.Eventually(t, func() bool { return b.slack.OpenConnections() == 3 }, 10*time.Second, 5*time.Millisecond)

	const n = 6 // two rounds over the three sockets
	ids := make([]string, n)
	for i := range n {
		sent, err := b.slack.SendCommand(t.Context(), slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL",
			Text: fmt.Sprintf("%s +4420794600%02d", running, i)})
		require.NoError(t, err)
		ids[i] = sent.EnvelopeID
	}
	for _, id := range ids {
		ack, err := b.slack.WaitAck(t.Context(), id)
		require.NoError(t, err)
		assert.Contains(t, string(ack.Payload), "Inviting", "acknowledged with the usual note")
	}
	b.settle(t)
	for _, id := range ids {
		assert.Equal(t, 1, b.slack.AckCount(id))
	}
	assert.Len(t, b.meet.Invitations(running), n, "each command ran once")
	assert.Equal(t, 3, b.slack.Connections(), "no socket was opened again")
}
