package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// floorArg makes this binary run slack-go's Socket Mode client alone, the
// way the bot uses it (one client a connection, a SocketmodeHandler, a
// goroutine an envelope), acknowledging every envelope at once with no
// payload and doing nothing else: the floor under the bot's ack latency on
// this machine, with the same fakes on the same cores.
const floorArg = "floor"

// runFloor is the floor process: its clients run until stdin ends, and it
// answers "stats" as the bot's process does.
func runFloor(getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conns, err := strconv.Atoi(getenv("SOCKET_CONNECTIONS"))
	if err != nil || conns < 1 {
		conns = 1
	}
	api := slack.New(getenv("SLACK_BOT_TOKEN"), slack.OptionAppLevelToken(getenv("SLACK_APP_TOKEN")), slack.OptionAPIURL(getenv("SLACK_API_URL")))
	var wg sync.WaitGroup
	for range conns {
		h := socketmode.NewSocketmodeHandler(socketmode.New(api))
		h.HandleDefault(func(evt *socketmode.Event, c *socketmode.Client) {
			if evt.Request != nil && evt.Request.EnvelopeID != "" {
				_ = c.AckCtx(ctx, evt.Request.EnvelopeID, nil)
			}
		})
		wg.Go(func() { _ = h.RunEventLoopContext(ctx) })
	}
	err = answerStats(stdin, stdout, nil)
	cancel()
	wg.Wait()
	return err
}

// floorResult is a burst's acks as slack-go alone gave them.
type floorResult struct {
	n, conns  int
	acks      []time.Duration
	ackedOnce int
	ackCPU    time.Duration // the process's CPU time from just before the burst to just after its last ack
}

// floor sends n commands at once to slack-go alone (runFloor) over conns
// connections and times the acks.
func (b *bench) floor(ctx context.Context, n, conns int) (floorResult, error) {
	b.logf("burst of %d to slack-go's client alone, acking at once, over %d connections", n, conns)
	w, err := startWorld(b.people, 0, min(n, b.opts.channels), b.opts.latency, b.opts.limits)
	if err != nil {
		return floorResult{}, err
	}
	defer w.close()
	w.connections = conns
	p, err := startProc(ctx, b.exe, floorArg, w)
	if err != nil {
		return floorResult{}, err
	}
	defer p.stop()
	before, err := p.stats()
	if err != nil {
		return floorResult{}, err
	}
	sends, _ := sendBurst(ctx, w, n, min(n, b.opts.channels))
	acked, err := p.stats()
	if err != nil {
		return floorResult{}, err
	}
	r := floorResult{n: n, conns: conns, ackCPU: acked.CPU - before.CPU}
	time.Sleep(b.settle()) // for any second ack
	for _, s := range sends {
		if s.err != nil {
			return r, fmt.Errorf("floor: %w", s.err)
		}
		r.acks = append(r.acks, s.ack.Latency)
		if w.slack.AckCount(s.envelope) == 1 {
			r.ackedOnce++
		}
	}
	slices.Sort(r.acks)
	return r, nil
}
