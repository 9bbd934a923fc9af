package slackapp

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestManifestShowsTheMessagesTab checks that people can read what the bot
// sends them directly (missed calls, private notes that fall back to a DM):
// without the App Home messages tab, Slack has nowhere to show those DMs.
func TestManifestShowsTheMessagesTab(t *testing.T) {
	t.Parallel()
	m := readManifest(t).(map[string]any)
	home, _ := m["features"].(map[string]any)["app_home"].(map[string]any)
	assert.Equal(t, true, home["messages_tab_enabled"], "features.app_home.messages_tab_enabled")
	assert.Equal(t, true, home["messages_tab_read_only_enabled"], "the bot does not read replies, so people should not be invited to write them")
}
