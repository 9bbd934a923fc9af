package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/preflight"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

var callBlock = regexp.MustCompile(`"type":"call","call_id":"([^"]+)"`)

// Two invitations into one meeting landing on two replicas that share the
// store: one call in Slack, shown in both posts, ended once with the
// meeting.
func TestTwoReplicasShareOneSlackCall(t *testing.T) {
	t.Parallel()
	b, rs := startReplicas(t, 2, withSlack(func(c *slackfake.Config) { c.Scopes = preflight.ManifestScopes }))

	for _, who := range []string{"<@UALICE>", "<@UBOB>"} {
		sent, err := b.slack.SendCommand(t.Context(), slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: running + " " + who})
		require.NoError(t, err)
		_, err = b.slack.WaitAck(t.Context(), sent.EnvelopeID)
		require.NoError(t, err)
	}
	for _, r := range rs {
		settleAt(t, r.ops)
		assert.Contains(t, r.logs.String(), `"conference_id":"`+running+`"`, "each replica ran one of them")
	}
	calls := b.slack.SlackCalls()
	require.Len(t, calls, 1, "one call for the meeting")
	assert.Equal(t, 1, b.slack.Calls("calls.add"))
	posts := 0
	for _, m := range b.slack.Messages() {
		if m.Kind == "post" {
			posts++
			got := callBlock.FindStringSubmatch(string(m.Blocks))
			require.NotNil(t, got, "the post shows the call: %s", m.Blocks)
			assert.Equal(t, calls[0].ID, got[1])
		}
	}
	assert.Equal(t, 2, posts)

	b.meet.SetState(running, meetingfake.StateDestroyed)
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	_, err := b.slack.WaitSlackCalls(ctx, func(cs []slackfake.Call) bool { return len(cs) == 1 && cs[0].Ended })
	require.NoError(t, err, "the call ends with the meeting")
	for _, r := range rs {
		settleAt(t, r.ops)
	}
	assert.Equal(t, 1, b.slack.Calls("calls.end"), "ended once, by one replica")
}

// waitCall waits until the one Slack call registered satisfies ok.
func (b *harness) waitCall(t *testing.T, what string, ok func(slackfake.Call) bool) slackfake.Call {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	calls, err := b.slack.WaitSlackCalls(ctx, func(cs []slackfake.Call) bool { return len(cs) == 1 && ok(cs[0]) })
	require.NoError(t, err, "waiting until %s; calls: %+v", what, b.slack.SlackCalls())
	return calls[0]
}

// A meeting's Slack call ends once, with the meeting, though the bot that
// registered it stopped after the post's calls were followed to their end
// (nothing of the post is resumed): the next process adopts the call,
// feeds it (who left meanwhile goes from the card), and ends it when the
// meeting ends, or at once when the meeting ended while no bot ran.
func TestARestartEndsTheSlackCallWithTheMeeting(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name         string
		endWhileDown bool
	}{
		{name: "the meeting ends after the restart"},
		{name: "the meeting ends while the bot is down", endWhileDown: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := "sqlite:" + filepath.Join(t.TempDir(), "bot.db")
			b := startBot(t, withEnv("DATABASE_URL", db), withEnv("CALL_STATUS_FOR", "2s"),
				withSlack(func(c *slackfake.Config) { c.Scopes = preflight.ManifestScopes }))

			b.command(t, "CGENERAL", running+" <@UALICE> <@UBOB>")
			post := b.waitMessages(t, 1)[0]
			require.Eventually(t, func() bool { return len(b.meet.Participants(running)) == 2 }, 5*time.Second, 10*time.Millisecond)
			require.True(t, b.meet.Answer(running, aliceSIP))
			b.waitCall(t, "Alice is shown", func(c slackfake.Call) bool { return len(c.Participants) == 1 })
			b.waitFor(t, 15*time.Second, func(m slackfake.Message) bool {
				return m.Kind == "update" && m.TS == post.TS && strings.Contains(m.Text, "1 joined, 1 didn't answer")
			})
			b.settle(t, "calls") // the post's calls were followed to their end

			require.NoError(t, b.stop())
			require.False(t, b.waitCall(t, "registered", func(slackfake.Call) bool { return true }).Ended, "the call outlives the bot")
			for _, p := range b.meet.Participants(running) {
				if p.Number == aliceSIP {
					require.True(t, b.meet.Leave(running, p.PID), "Alice hangs up while the bot is away")
				}
			}
			if tt.endWhileDown {
				b.meet.SetState(running, meetingfake.StateDestroyed)
			}

			b.launch(t)
			if !tt.endWhileDown {
				b.waitCall(t, "Alice, gone, is no longer shown", func(c slackfake.Call) bool { return len(c.Participants) == 0 })
				b.meet.SetState(running, meetingfake.StateDestroyed)
			}
			b.waitCall(t, "the call ended with the meeting", func(c slackfake.Call) bool { return c.Ended })
			b.waitFor(t, 10*time.Second, func(m slackfake.Message) bool {
				return m.Kind == "update" && m.TS == post.TS && strings.Contains(m.Text, "This meeting has ended")
			})
			b.settle(t, "calls")
			assert.Contains(t, b.logs.String(), "adopting a Slack call nobody feeds")

			// Once more: the call ended, nothing is adopted or ended again.
			require.NoError(t, b.stop())
			b.launch(t)
			b.settle(t, "calls")
			require.NoError(t, b.stop())
			assert.Equal(t, 1, b.slack.Calls("calls.end"), "ended once")
			assert.Equal(t, 1, b.slack.Calls("calls.add"))
			assert.Equal(t, 1, strings.Count(b.logs.String(), "adopting a Slack call nobody feeds"))
		})
	}
}
