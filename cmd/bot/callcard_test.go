package main

import (
	"context"
	"regexp"
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
