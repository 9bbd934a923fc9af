package slackfake_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// clock is a manual clock for the fake's rate limits.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func limited(t *testing.T) (*slackfake.Server, *clock) {
	t.Helper()
	clk := &clock{now: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
	cfg := seed()
	cfg.RateLimits = &slackfake.RateLimits{Now: clk.Now}
	return start(t, cfg), clk
}

// retryAfter returns the wait a 429 asked for, failing the test on any other outcome.
func retryAfter(t *testing.T, err error) time.Duration {
	t.Helper()
	var rl *slack.RateLimitedError
	require.ErrorAs(t, err, &rl, "want HTTP 429 with Retry-After, got %v", err)
	return rl.RetryAfter
}

func TestTieredMethodsAllowTheirPerMinuteFloor(t *testing.T) {
	t.Parallel()
	fake, clk := limited(t)
	api := apiClient(fake)

	for i := range slackfake.Tier2 { // usergroups.users.list is Tier 2: 20 a minute
		_, err := api.GetUserGroupMembersContext(t.Context(), "S1")
		require.NoError(t, err, "call %d", i+1)
		clk.advance(time.Second)
	}
	_, err := api.GetUserGroupMembersContext(t.Context(), "S1")
	assert.Equal(t, 40*time.Second, retryAfter(t, err), "the first call leaves the window 60 s after it was made")
	assert.Equal(t, 1, fake.RateLimited("usergroups.users.list"))

	clk.advance(40 * time.Second)
	_, err = api.GetUserGroupMembersContext(t.Context(), "S1")
	require.NoError(t, err, "a call is allowed once the oldest left the window")
	_, err = api.GetUserInfoContext(t.Context(), "U1")
	require.NoError(t, err, "limits are per method")
}

func TestPostsAreLimitedPerChannelWithShortBursts(t *testing.T) {
	t.Parallel()
	fake, clk := limited(t)
	api := apiClient(fake)
	post := func(channel string) error {
		_, _, err := api.PostMessageContext(t.Context(), channel, slack.MsgOptionText("hi", false))
		return err
	}

	for i := range 3 {
		require.NoError(t, post("C1"), "burst post %d", i+1)
	}
	assert.Equal(t, time.Second, retryAfter(t, post("C1")), "one message per second once the burst is spent")
	require.NoError(t, post("G2"), "another channel has its own allowance")

	clk.advance(time.Second)
	require.NoError(t, post("C1"))
	retryAfter(t, post("C1"))
	assert.Equal(t, 2, fake.RateLimited("chat.postMessage"))
	assert.Len(t, fake.Messages(), 5, "refused posts are not recorded")
}

func TestChatUpdateIsTier3(t *testing.T) {
	t.Parallel()
	fake, _ := limited(t)
	api := apiClient(fake)
	_, ts, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionText("v0", false))
	require.NoError(t, err)
	for i := range slackfake.Tier3 {
		_, _, _, err := api.UpdateMessageContext(t.Context(), "C1", ts, slack.MsgOptionText("v", false))
		require.NoError(t, err, "update %d", i+1)
	}
	_, _, _, err = api.UpdateMessageContext(t.Context(), "C1", ts, slack.MsgOptionText("v", false))
	retryAfter(t, err)
}

func TestRateLimitsAreOffByDefault(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	api := apiClient(fake)
	for i := range slackfake.Tier2 + 5 {
		_, err := api.GetUserGroupMembersContext(t.Context(), "S1")
		require.NoError(t, err, "call %d", i+1)
	}
	for i := range 10 {
		_, _, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionText("hi", false))
		require.NoError(t, err, "post %d", i+1)
	}
}

func TestArchivedAndAnnouncementOnlyChannels(t *testing.T) {
	t.Parallel()
	cfg := seed()
	cfg.Channels = append(cfg.Channels,
		slackfake.Channel{ID: "C3", Name: "old", Members: []string{"U1"}, BotIsMember: true, Archived: true},
		slackfake.Channel{ID: "C4", Name: "announcements", Members: []string{"U1"}, BotIsMember: true, AnnouncementOnly: true})
	fake := start(t, cfg)
	api := apiClient(fake)

	_, _, err := api.PostMessageContext(t.Context(), "C3", slack.MsgOptionText("hi", false))
	assert.Equal(t, "is_archived", slackErr(t, err))
	_, err = api.PostEphemeralContext(t.Context(), "C3", "U1", slack.MsgOptionText("hi", false))
	assert.Equal(t, "is_archived", slackErr(t, err))
	_, _, err = api.PostMessageContext(t.Context(), "C4", slack.MsgOptionText("hi", false))
	assert.Equal(t, "restricted_action", slackErr(t, err))
	_, err = api.PostEphemeralContext(t.Context(), "C4", "U1", slack.MsgOptionText("only you", false))
	require.NoError(t, err, "ephemeral notes still reach members of an announcement-only channel")
	assert.Len(t, fake.Messages(), 1)
}

func TestTooMuchBlockTextIsRefused(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	var blocks []slack.Block
	for range 6 { // 6 × 2,000 characters: each block is fine, the message is not
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, strings.Repeat("x", 2000), false, false), nil, nil))
	}
	_, _, err := apiClient(fake).PostMessageContext(t.Context(), "C1", slack.MsgOptionText("x", false), slack.MsgOptionBlocks(blocks...))
	assert.Equal(t, "msg_blocks_too_long", slackErr(t, err))
}
