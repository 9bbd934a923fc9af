package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/preflight"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// openHome opens userID's Home tab and returns its text once the bot has
// published it for the publishes-th time.
func (b *harness) openHome(t *testing.T, userID string, publishes int) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err := b.slack.OpenHome(ctx, userID, "home")
	require.NoError(t, err)
	h, err := b.slack.WaitHome(ctx, userID, publishes)
	require.NoError(t, err)
	text, err := h.Text()
	require.NoError(t, err)
	return text
}

// The Home tab lists a person's recent invitations, with how they went,
// after a restart: they are kept in the store, like the posts whose
// calls and meeting's end they tell. (The meeting's end is seen after the
// restart because its Slack call is adopted, and its meeting followed.)
func TestTheHomeTabOutlivesARestart(t *testing.T) {
	t.Parallel()
	db := "sqlite:" + filepath.Join(t.TempDir(), "bot.db")
	b := startBot(t, withEnv("DATABASE_URL", db), withSlack(func(c *slackfake.Config) { c.Scopes = preflight.ManifestScopes }))

	b.command(t, "CGENERAL", notStarted+" <@UALICE>")
	b.waitMessages(t, 1)
	b.command(t, "CGENERAL", running+" <@UALICE>")
	post := b.waitMatch(t, "the post", func(m slackfake.Message) bool { return m.Kind == "post" })
	require.Eventually(t, func() bool { return len(b.meet.Participants(running)) == 1 }, 5*time.Second, 10*time.Millisecond)
	require.True(t, b.meet.Answer(running, aliceSIP))
	b.waitMatch(t, "Alice joined", func(m slackfake.Message) bool {
		return m.Kind == "update" && m.TS == post.TS && strings.Contains(m.Text, "1 joined")
	})
	b.waitCall(t, "Alice is shown", func(c slackfake.Call) bool { return len(c.Participants) == 1 })
	b.settle(t, "calls")
	require.NoError(t, b.stop())
	for _, p := range b.meet.Participants(running) {
		require.True(t, b.meet.Leave(running, p.PID), "Alice hangs up while the bot is away")
	}

	b.launch(t)
	home := b.openHome(t, "UCAROL", 1)
	joined := strings.Index(home, "<@UCAROL> invited 1 person to *Weekly sync* (meeting "+running+"): 1 joined.")
	failed := strings.Index(home, notStarted)
	require.Positive(t, joined, "the invitation, with how its call went: %s", home)
	require.Positive(t, failed, "and the one that failed: %s", home)
	assert.Less(t, joined, failed, "newest first")
	assert.NotContains(t, home, "You haven't invited anyone lately")

	b.waitCall(t, "the meeting is followed again: Alice, gone, is no longer shown", func(c slackfake.Call) bool { return len(c.Participants) == 0 })
	b.meet.SetState(running, meetingfake.StateDestroyed)
	b.waitMatch(t, "the post says the meeting ended", func(m slackfake.Message) bool {
		return m.Kind == "update" && m.TS == post.TS && strings.Contains(m.Text, "This meeting has ended")
	})
	assert.Contains(t, b.openHome(t, "UCAROL", 2), "1 joined. :checkered_flag: This meeting has ended.", "the tab tells the meeting's end")
	assert.Contains(t, b.openHome(t, "UALICE", 1), "You haven't invited anyone lately", "Carol's invitations are hers")
}
