package slackapp

import (
	"testing"

	"github.com/slack-go/slack/slackevents"
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

// TestManifestAsksForTheHomeTabAndCalls checks that the manifest turns on
// what the Home tab and the call card need: the tab itself, the event of
// its opening (delivered over Socket Mode), and calls:write.
func TestManifestAsksForTheHomeTabAndCalls(t *testing.T) {
	t.Parallel()
	m := readManifest(t).(map[string]any)
	home, _ := m["features"].(map[string]any)["app_home"].(map[string]any)
	assert.Equal(t, true, home["home_tab_enabled"], "features.app_home.home_tab_enabled")
	events, _ := m["settings"].(map[string]any)["event_subscriptions"].(map[string]any)
	assert.Contains(t, events["bot_events"], string(slackevents.AppHomeOpened))
	scopes := m["oauth_config"].(map[string]any)["scopes"].(map[string]any)["bot"].([]any)
	assert.Contains(t, scopes, "calls:write")
}
