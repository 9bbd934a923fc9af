package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// withRateLimits turns on the fake's Slack rate limits: chat.postMessage
// about once a second per channel, the methods' tiers per minute.
func withRateLimits() option {
	return withSlack(func(c *slackfake.Config) { c.RateLimits = &slackfake.RateLimits{} })
}

// Forty commands in one channel within a second: Slack takes about one
// post a second there, so the bot queues the posts at that pace instead of
// racing into 429s, and every command gets its post, however long it
// waited (longer than one call's 15 s).
func TestABurstInOneChannelIsPostedAtSlacksPace(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("takes about 40 s: Slack's pace")
	}
	const n = 40
	b := startBot(t, withCrowd(n), withRateLimits())

	start := time.Now()
	for i := range n {
		b.command(t, "CGENERAL", fmt.Sprintf("%s <@UCROWD%04d>", running, i))
	}
	t.Logf("%d commands sent in %v", n, time.Since(start).Round(time.Millisecond))

	posts := func() []slackfake.Message {
		var out []slackfake.Message
		for _, m := range b.slack.Messages() {
			if m.Kind == "post" && m.Channel == "CGENERAL" && m.ThreadTS == "" {
				out = append(out, m)
			}
		}
		return out
	}
	require.Eventually(t, func() bool { return len(posts()) >= n }, 90*time.Second, 100*time.Millisecond,
		"every command's outcome is posted")
	t.Logf("the last post came %v after the first command", time.Since(start).Round(100*time.Millisecond))
	b.settle(t)

	for i := range n {
		mention := fmt.Sprintf("<@UCROWD%04d>", i)
		count := 0
		for _, m := range posts() {
			if strings.Contains(m.Text+blocksText(t, m.Blocks), mention) {
				count++
			}
		}
		assert.Equal(t, 1, count, "%s is in exactly one post", mention)
	}
	for _, m := range b.slack.Messages() {
		assert.NotContains(t, m.Text, "couldn't post", "no outcome went elsewhere")
	}
	limited := b.slack.RateLimited("chat.postMessage")
	t.Logf("429s on chat.postMessage: %d", limited)
	assert.LessOrEqual(t, limited, 2, "no storm of 429s")
}

// In an archived channel the post fails (is_archived), and so do the
// response_url and the ephemeral message there: the invoker still learns,
// by direct message, that the calls went out and where the post could
// not go.
func TestAnArchivedChannelStillGetsTheInvokerAnAnswer(t *testing.T) {
	t.Parallel()
	b := startBot(t, withSlack(func(c *slackfake.Config) {
		c.Channels = append(c.Channels, slackfake.Channel{ID: "COLD", Name: "old", Members: []string{"UCAROL", "UALICE"}, BotIsMember: true, Archived: true})
	}))
	b.slack.FailNext("response_url", slackfake.Failure{Status: 404, Body: "no_service"})
	b.slack.FailNext("response_url", slackfake.Failure{Status: 404, Body: "no_service"})

	b.command(t, "COLD", running+" <@UALICE>")
	dm := b.waitMatch(t, "a direct message to Carol", func(m slackfake.Message) bool { return m.User == "UCAROL" && m.Kind == "post" })
	assert.Contains(t, dm.Text, "invited 1 person")
	assert.Contains(t, dm.Text, "<#COLD> is archived, so I couldn't post the result there. The calls went out.")
	assert.Contains(t, blocksText(t, dm.Blocks), "<@UALICE>", "the outcome itself, with who was called")
	b.settle(t)
	assert.Len(t, b.meet.Invitations(running), 1)
	assert.Equal(t, 2, b.slack.Calls("chat.postMessage"), "the post and the direct message, and nothing more")
}

// In an announcement-only channel the post fails (restricted_action); the
// outcome goes to the channel through the command's response_url.
func TestAnAnnouncementChannelGetsTheOutcomeThroughTheResponseURL(t *testing.T) {
	t.Parallel()
	b := startBot(t, withSlack(func(c *slackfake.Config) {
		c.Channels = append(c.Channels, slackfake.Channel{ID: "CNEWS", Name: "news", Members: []string{"UCAROL", "UALICE"}, BotIsMember: true, AnnouncementOnly: true})
	}))

	b.command(t, "CNEWS", running+" <@UALICE>")
	msg := b.waitMessages(t, 1)[0]
	assert.Equal(t, "response", msg.Kind)
	assert.Equal(t, "in_channel", msg.ResponseType, "visible in the channel")
	assert.Contains(t, msg.Text, "invited 1 person")
	b.settle(t)
	assert.Len(t, b.slack.Messages(), 1)

	// When the response_url fails too, the invoker is told privately.
	b.slack.FailNext("response_url", slackfake.Failure{Status: 404, Body: "no_service"})
	b.command(t, "CNEWS", running+" <@UBOB>")
	note := b.waitMatch(t, "the private note", func(m slackfake.Message) bool { return m.Kind == "response" && m.ResponseType == "ephemeral" })
	assert.Contains(t, note.Text, "Only some people may post in <#CNEWS>, so I couldn't post the result there. The calls went out.")
}
