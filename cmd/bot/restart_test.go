package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// A bot stopped (SIGTERM: run's ctx cancelled) while it follows a post's
// calls, and started again on the same SQLite file, finishes the post: it
// keeps what it had seen (Alice joined, though she has left since), settles
// the call still ringing (Bob's, which rings on past CALL_STATUS_FOR) and
// sends Bob's missed-call message once, however often it restarts.
func TestARestartFinishesThePost(t *testing.T) {
	t.Parallel()
	db := "sqlite:" + filepath.Join(t.TempDir(), "bot.db")
	b := startBot(t, withEnv("DATABASE_URL", db), withEnv("CALL_STATUS_FOR", "4s"))

	b.command(t, "CGENERAL", running+" <@UALICE> <@UBOB>")
	post := b.waitMessages(t, 1)[0]
	require.Equal(t, "post", post.Kind)
	require.Eventually(t, func() bool { return len(b.meet.Participants(running)) == 2 }, 5*time.Second, 10*time.Millisecond)
	require.True(t, b.meet.Answer(running, aliceSIP))
	progress := b.waitMessages(t, 2)[1]
	require.Contains(t, blocksText(t, progress.Blocks), ":white_check_mark: <@UALICE> joined")
	require.Contains(t, blocksText(t, progress.Blocks), ":bell: <@UBOB> ringing")

	require.NoError(t, b.stop())
	assert.Contains(t, b.logs.String(), "leaving the post's calls to the next process")
	assert.Len(t, b.slack.Messages(), 2, "nothing said while stopping")
	for _, p := range b.meet.Participants(running) {
		if p.Number == aliceSIP {
			require.True(t, b.meet.Leave(running, p.PID), "Alice hangs up while the bot is away")
		}
	}

	b.launch(t)
	final := b.waitFor(t, 15*time.Second, func(m slackfake.Message) bool {
		return m.Kind == "update" && m.TS == post.TS && m.Text != progress.Text
	})
	assert.Equal(t, "<@UCAROL> invited 2 people to Weekly sync (meeting "+running+"): 1 joined, 1 didn't answer.", final.Text)
	blocks := blocksText(t, final.Blocks)
	assert.Contains(t, blocks, ":white_check_mark: <@UALICE> joined", "what was seen before the restart stands")
	assert.Contains(t, blocks, ":x: <@UBOB> didn't answer")
	b.waitFor(t, 10*time.Second, func(m slackfake.Message) bool { return m.User == "UBOB" && m.Kind == "post" })
	b.settle(t, "calls")
	assert.Contains(t, b.logs.String(), "resuming a post's calls")

	// Once more: the post is finished, nothing is resumed or sent again.
	require.NoError(t, b.stop())
	n := len(b.slack.Messages())
	b.launch(t)
	b.settle(t, "calls")
	require.NoError(t, b.stop())
	assert.Len(t, b.slack.Messages(), n, "nothing more after a second restart")
	assert.Equal(t, 1, strings.Count(b.logs.String(), "resuming a post's calls"), "the finished post is not resumed")
	dms := 0
	for _, m := range b.slack.Messages() {
		if m.User == "UBOB" && m.Kind == "post" {
			dms++
		}
		assert.NotEqual(t, "UALICE", m.User, "Alice joined: no missed-call message")
	}
	assert.Equal(t, 1, dms, "Bob hears of his missed call once")
}

// waitFor waits until a message matching ok has been posted, and returns it.
func (b *harness) waitFor(t *testing.T, within time.Duration, ok func(slackfake.Message) bool) slackfake.Message {
	t.Helper()
	var found slackfake.Message
	require.Eventually(t, func() bool {
		for _, m := range b.slack.Messages() {
			if ok(m) {
				found = m
				return true
			}
		}
		return false
	}, within, 10*time.Millisecond, "messages so far: %v", b.slack.Messages())
	return found
}
