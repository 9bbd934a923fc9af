package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/slackfake"
	"github.com/meet-invite/meet-invite/internal/store/storetest"
)

// replicaEnv marks a test binary started as a bot replica.
const replicaEnv = "MEET_INVITE_TEST_REPLICA"

// replica is a bot running in a process of its own.
type replica struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	ops  string
}

// startReplica runs the bot in a new process with the harness's fakes and
// environment (and its own ops address).
func (b *harness) startReplica(t *testing.T) *replica {
	t.Helper()
	r := &replica{logs: &syncBuffer{}, ops: freeAddr(t)}
	r.cmd = exec.Command(os.Args[0], "-test.run=^$")
	r.cmd.Env = append(os.Environ(), replicaEnv+"=1")
	for k, v := range b.env {
		r.cmd.Env = append(r.cmd.Env, k+"="+v)
	}
	r.cmd.Env = append(r.cmd.Env, "OPS_ADDR="+r.ops)
	r.cmd.Stderr = r.logs
	require.NoError(t, r.cmd.Start())
	t.Cleanup(func() {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		assertNoSecrets(t, r.logs.String(), b.slack, chairPassword, hiddenPassword)
	})
	return r
}

// postgresSchema makes a schema for the test, dropped at its end, and
// returns a DATABASE_URL working in it. Without PostgreSQL the test fails
// under CI=true, and is skipped otherwise.
func postgresSchema(t *testing.T) string {
	t.Helper()
	return storetest.Schema(t, "test_bot_")
}

// startReplicas starts n replicas sharing one PostgreSQL schema, each with
// one Socket Mode connection, so that Slack's envelopes alternate between
// them.
func startReplicas(t *testing.T, n int, opts ...option) (*harness, []*replica) {
	t.Helper()
	opts = append([]option{withEnv("DATABASE_URL", postgresSchema(t)), withEnv("SOCKET_CONNECTIONS", "1"),
		withEnv("BUTTON_SECRET", "a secret every replica shares, 32+ characters")}, opts...)
	b := newHarness(t, opts...)
	rs := make([]*replica, n)
	for i := range rs {
		rs[i] = b.startReplica(t)
	}
	require.Eventually(t, func() bool { return b.slack.OpenConnections() == n }, 30*time.Second, 10*time.Millisecond,
		"every replica connects")
	return b, rs
}

// A double submission landing on two replicas calls Alice once: the
// second is told she was just called.
func TestTwoReplicasCallOnce(t *testing.T) {
	t.Parallel()
	b, rs := startReplicas(t, 2)

	var ids []string
	for range 2 {
		sent, err := b.slack.SendCommand(t.Context(), slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: running + " <@UALICE>"})
		require.NoError(t, err)
		ids = append(ids, sent.EnvelopeID)
	}
	for _, id := range ids {
		_, err := b.slack.WaitAck(t.Context(), id)
		require.NoError(t, err)
	}
	for _, r := range rs {
		settleAt(t, r.ops)
		assert.Contains(t, r.logs.String(), `"conference_id":"`+running+`"`, "each replica ran one of them")
	}
	called := 0
	for _, inv := range b.meet.Invitations(running) {
		for _, a := range inv.Attendees {
			if a.Phone == aliceSIP {
				called++
			}
		}
	}
	assert.Equal(t, 1, called, "Alice is called once")
	posts, notes := 0, 0
	for _, m := range b.slack.Messages() {
		switch {
		case m.Kind == "post" && strings.Contains(m.Text, "invited 1 person"):
			posts++
		case m.Kind == "response" && strings.Contains(m.Text, "<@UALICE> — they were called into this meeting moments ago"):
			notes++
		}
	}
	assert.Equal(t, 1, posts, "one invitation post: %v", b.slack.Messages())
	assert.Equal(t, 1, notes, "the other request is told why Alice was left out: %v", b.slack.Messages())
}

// One of two replicas is killed (SIGKILL) in the middle of a burst of 50
// commands: every command acknowledged gets exactly one outcome (run by
// the survivor, or reported cut short), and nobody is called twice.
func TestAReplicaKilledMidBurst(t *testing.T) {
	t.Parallel()
	b, rs := startReplicas(t, 2, withEnv("ALLOW_DIRECT_INVITES", "true"), withEnv("CALL_STATUS_FOR", "1s"),
		withMeetingLatency(500*time.Millisecond))

	const n = 50
	number := func(i int) string { return fmt.Sprintf("+442079461%03d", i) }
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		if i == n/2 {
			// Half the burst is out and acknowledged, the invitations under
			// way (each answer of the meeting service takes half a second,
			// so none has reached its report yet): kill the first replica.
			// (A kill between a report being posted and recorded, a window
			// of one store write, would bring a second, "cut short" note.)
			wg.Wait()
			require.NoError(t, rs[0].cmd.Process.Signal(syscall.SIGKILL))
		}
		sent, err := b.slack.SendCommand(t.Context(), slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: running + " " + number(i)})
		require.NoError(t, err)
		ids[i] = sent.EnvelopeID
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			_, _ = b.slack.WaitAck(ctx, sent.EnvelopeID) // an envelope the dead replica took is never acknowledged
		})
	}
	wg.Wait()
	_ = rs[0].cmd.Wait()

	// Every outcome names the number, masked: the post listing it, a note
	// saying why it was left out, or a note saying it was cut short.
	outcomes := func(i int) int {
		mask := "number ending in " + number(i)[len(number(i))-4:]
		c := 0
		for _, m := range b.slack.Messages() {
			if m.Kind != "update" && (strings.Contains(m.Text, mask) || strings.Contains(string(m.Blocks), mask)) {
				c++
			}
		}
		return c
	}
	acked := 0
	for i, id := range ids {
		if b.slack.AckCount(id) == 0 {
			continue
		}
		acked++
		require.Eventually(t, func() bool { return outcomes(i) > 0 }, 40*time.Second, 20*time.Millisecond,
			"command %d (acknowledged) gets an outcome", i)
	}
	settleAt(t, rs[1].ops)
	t.Logf("%d of %d commands acknowledged; survivor's log has %d lines about adopted requests", acked, n,
		strings.Count(rs[1].logs.String(), `"adopted":true`))
	assert.GreaterOrEqual(t, acked, n/2+n/4, "the first half, and the survivor's share of the rest at least")
	assert.Contains(t, rs[1].logs.String(), `"adopted":true`, "the survivor took over the dead replica's requests")
	for i := range n {
		if !assert.LessOrEqual(t, outcomes(i), 1, "command %d has at most one outcome", i) {
			mask := "number ending in " + number(i)[len(number(i))-4:]
			for _, m := range b.slack.Messages() {
				if strings.Contains(m.Text, mask) || strings.Contains(string(m.Blocks), mask) {
					t.Logf("%s %s %q", m.Kind, m.User, m.Text)
				}
			}
		}
	}
	calls := map[string]int{}
	for _, inv := range b.meet.Invitations(running) {
		for _, a := range inv.Attendees {
			calls[a.Phone]++
		}
	}
	for number, c := range calls {
		assert.Equal(t, 1, c, "%s is called once", number)
	}
}

// Replicas share confirmation cards and envelopes: Invite pressed on a card
// another replica showed runs it, and an envelope redelivered to the other
// replica is acknowledged there and not acted on again.
func TestReplicasShareCardsAndEnvelopes(t *testing.T) {
	t.Parallel()
	b, rs := startReplicas(t, 2, withEnv("INVITE_CONFIRM_ABOVE", "1"))

	// The command reaches one replica, which shows the card; Slack's
	// envelopes take turns, so the click reaches the other.
	sent, err := b.slack.SendCommand(t.Context(), slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: running + " <!subteam^SENG>"})
	require.NoError(t, err)
	_, err = b.slack.WaitAck(t.Context(), sent.EnvelopeID)
	require.NoError(t, err)
	card := b.waitFor(t, 10*time.Second, func(m slackfake.Message) bool { return strings.Contains(string(m.Blocks), "confirm_invite") })
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, _, err = b.slack.ClickButton(ctx, slackfake.Click{UserID: "UCAROL", ChannelID: "CGENERAL", ActionID: "confirm_invite", MessageTS: card.TS, ResponseURL: sent.ResponseURL})
	require.NoError(t, err)
	b.waitFor(t, 10*time.Second, func(m slackfake.Message) bool {
		return m.Kind == "post" && strings.Contains(m.Text, "invited 2 people")
	})
	require.Len(t, b.meet.Invitations(running), 1, "the card's people are called, once")

	// The command's envelope again, as Slack redelivers: the other replica
	// gets it (a help command first takes the first replica's turn),
	// acknowledges it and does nothing more.
	b.command(t, "CGENERAL", "help")
	require.NoError(t, b.slack.Redeliver(t.Context(), sent.EnvelopeID))
	require.Eventually(t, func() bool { return b.slack.AckCount(sent.EnvelopeID) == 2 }, 10*time.Second, 10*time.Millisecond)
	for _, r := range rs {
		settleAt(t, r.ops)
	}
	assert.Len(t, b.meet.Invitations(running), 1, "nothing more was called")
	handled := 0
	for _, r := range rs {
		handled += strings.Count(r.logs.String(), "ignoring an envelope another process has handled")
	}
	assert.Equal(t, 1, handled, "the redelivery was recognised by the store")
	cards := 0
	for _, m := range b.slack.Messages() {
		if strings.Contains(string(m.Blocks), "confirm_invite") {
			cards++
		}
	}
	assert.Equal(t, 1, cards, "no second card")
}
