package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/bot"
)

// TestConfigCapsInvitationSize checks that INVITE_MAX_PEOPLE cannot exceed
// the largest invitation the Slack messages are built to carry.
func TestConfigCapsInvitationSize(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "MEETING_SIMULATOR": "true",
	}
	get := func(k string) string { return env[k] }

	env["INVITE_MAX_PEOPLE"] = "200"
	cfg, err := bot.LoadConfig(get)
	require.NoError(t, err)
	assert.Equal(t, 200, cfg.MaxPeople)

	env["INVITE_MAX_PEOPLE"] = "201"
	_, err = bot.LoadConfig(get)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "INVITE_MAX_PEOPLE must be at most 200")
}
