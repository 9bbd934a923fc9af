package bot

import (
	"bytes"
	"log/slog"
	"net"
	"testing"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// TestCheckSlackAtStart: auth.test names the workspace; a revoked token
// stops the start with what to do; an unreachable Slack is a network
// problem naming the host, and the start goes on.
func TestCheckSlackAtStart(t *testing.T) {
	t.Parallel()
	sf, err := slackfake.Start(slackfake.Config{})
	require.NoError(t, err)
	t.Cleanup(sf.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := ln.Addr().String()
	require.NoError(t, ln.Close())

	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))

	id, err := checkSlackAtStart(t.Context(), slack.New(sf.BotToken(), slack.OptionAPIURL(sf.APIURL())), logger)
	require.NoError(t, err)
	assert.Equal(t, Identity{TeamID: "T0FAKE", Team: "Fake Workspace", BotUserID: "UBOT", BotName: "meet-invite"}, id)

	id, err = checkSlackAtStart(t.Context(), slack.New("xoxb-gone", slack.OptionAPIURL("http://"+refused+"/api/")), logger)
	require.NoError(t, err, "an unreachable Slack does not stop the start")
	assert.Zero(t, id)
	assert.Contains(t, logs.String(), "network problem, not a credentials problem")
	assert.Contains(t, logs.String(), "connection to "+refused+" refused")

	sf.RevokeBotToken()
	_, err = checkSlackAtStart(t.Context(), slack.New(sf.BotToken(), slack.OptionAPIURL(sf.APIURL())), logger)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "token_revoked")
	assert.NotContains(t, logs.String()+err.Error(), sf.BotToken())
}
