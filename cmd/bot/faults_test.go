package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// Fault injection: what Slack and Huawei do on a bad day.

func TestSocketDropDuringInvitation(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	b.meet.FailNext(meetingfake.EndpointInvite, meetingfake.Failure{Delay: 500 * time.Millisecond})

	b.command(t, "CGENERAL", running+" <@UALICE>")
	b.slack.DropConnection()

	msgs := b.waitMessages(t, 1)
	assert.Equal(t, "post", msgs[0].Kind, "the result is still posted")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	require.Eventually(t, func() bool { return b.slack.Connections() >= 2 }, 10*time.Second, 20*time.Millisecond, "the bot reconnects")
	require.NoError(t, b.slack.WaitConnected(ctx))
	ack := b.command(t, "CGENERAL", running+" <@UBOB>")
	assert.Contains(t, ackText(t, ack), "Inviting 1 person", "and keeps serving")
}

func TestSlackRateLimitOnPosting(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	b.slack.FailNext("chat.postMessage", slackfake.Failure{Status: 429, RetryAfter: time.Second})

	b.command(t, "CGENERAL", running+" <@UALICE>")
	msgs := b.waitMessages(t, 1)
	assert.Equal(t, "post", msgs[0].Kind, "posted once Slack allows it")
	assert.Equal(t, 2, b.slack.Calls("chat.postMessage"))
	assert.Len(t, b.meet.Invitations(running), 1, "and nobody was invited twice")
}

func TestHuaweiFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []option
		fail func(*meetingfake.Server)
		want string
	}{
		{
			name: "invite times out",
			opts: []option{withEnv("MEETING_TIMEOUT", "300ms")},
			fail: func(m *meetingfake.Server) {
				m.FailNext(meetingfake.EndpointInvite, meetingfake.Failure{Delay: 2 * time.Second})
			},
			want: "Huawei Cloud Meeting isn't responding about meeting " + running + ". I don't know whether anyone is being called",
		},
		{
			name: "rate limited on the meeting details, then fine",
			fail: func(m *meetingfake.Server) {
				m.FailNext(meetingfake.EndpointConfDetail, meetingfake.Failure{Status: 429, RetryAfter: 1})
			},
			want: "invited 1 person",
		},
		{
			name: "access token expired: renewed silently",
			fail: func(m *meetingfake.Server) { m.ExpireAccessTokens() },
			want: "invited 1 person",
		},
		{
			name: "control token expired: fetched again",
			fail: func(m *meetingfake.Server) { m.ExpireControlTokens() },
			want: "invited 1 person",
		},
		{
			name: "meeting locked",
			fail: func(m *meetingfake.Server) {
				m.FailNext(meetingfake.EndpointInvite, meetingfake.Failure{Status: 400, Code: "MMC.111072050", Msg: "CONF_LOCKED"})
			},
			want: "Meeting " + running + " is locked, and Huawei refused the invitation.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := startBot(t, tt.opts...)
			// Warm the tokens first, so that expiry means something.
			b.command(t, "CGENERAL", running+" <@UDAVE>")
			b.waitMessages(t, 1)
			tt.fail(b.meet)

			b.command(t, "CGENERAL", running+" <@UALICE>")
			msgs := b.waitMessages(t, 2)
			assert.Contains(t, msgs[1].Text, tt.want)
		})
	}
}

func TestBurstOfCommandsEachAnsweredOnce(t *testing.T) {
	t.Parallel()
	const n = 500
	b := startBot(t, withEnv("LOG_LEVEL", "warn"))
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()

	sent := make([]slackfake.Sent, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sent[i], errs[i] = b.slack.SendCommand(ctx, slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: running + " <@UALICE>"})
		})
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		ack, err := b.slack.WaitAck(ctx, sent[i].EnvelopeID)
		require.NoError(t, err, "command %d acknowledged", i)
		assert.NotNil(t, ack.Payload)
		assert.Equal(t, 1, b.slack.AckCount(sent[i].EnvelopeID), "acknowledged once")
	}
	_, err := b.slack.WaitMessages(ctx, n)
	require.NoError(t, err)
	b.settle(t)
	// Besides its outcome, a request may get a note that it is queued.
	var outcomes, posts int
	for _, m := range b.slack.Messages() {
		if strings.Contains(m.Text, "yours is queued") {
			continue
		}
		outcomes++
		if m.Kind == "post" {
			posts++
		}
	}
	assert.Equal(t, n, outcomes, "exactly one outcome per command")
	require.Len(t, b.meet.Invitations(running), 1, "Alice is called once")
	assert.Equal(t, 1, posts, fmt.Sprintf("one channel post; the other %d are told she was called moments ago", n-1))
}
