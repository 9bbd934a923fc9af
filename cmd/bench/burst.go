package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// burstResult is one burst of concurrent slash commands.
type burstResult struct {
	n             int
	conns         int             // the bot's Socket Mode connections
	acks          []time.Duration // Ack.Latency of every acknowledged command
	ackedOnce     int             // commands acknowledged exactly once
	outcomes      int             // commands with exactly one outcome message, a channel post
	invites       int             // invite calls Huawei accepted
	stray         int             // messages that are not the outcome of exactly one command
	queuedNotes   int             // private notes naming nobody: "yours is queued"
	unknownAcks   int
	sendErrs      []error
	allDone       time.Duration // first command sent → last outcome posted
	peakInFlight  int           // most invitations between ack and outcome at once
	calls         calls
	peakRSS       uint64
	mallocs       uint64
	warns, errors int
}

// burst sends n valid invitations at once, each naming one person the bot
// has not seen, to a fresh bot against fresh fakes, and checks that every
// command is acknowledged once and gets one outcome.
func (b *bench) burst(ctx context.Context, n, conns int) (burstResult, error) {
	b.logf("burst of %d concurrent commands over %d connections (latency %v, store %s)", n, conns, b.opts.latency, b.opts.database)
	w, err := startWorld(b.people, 0, b.opts.latency)
	if err != nil {
		return burstResult{}, err
	}
	defer w.close()
	dropDB, err := w.useDatabase(b.opts.database)
	if err != nil {
		return burstResult{}, err
	}
	defer dropDB()
	w.connections = conns
	bot, err := startBot(ctx, b.exe, w)
	if err != nil {
		return burstResult{}, err
	}
	defer bot.stop()
	before, err := bot.stats()
	if err != nil {
		return burstResult{}, err
	}
	callsBefore := w.calls()

	type sent struct {
		envelope string
		ack      slackfake.Ack
		ackedAt  time.Time
		err      error
	}
	sends := make([]sent, n)
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range sends {
		wg.Go(func() {
			<-start
			s, err := w.slack.SendCommand(cctx, slackfake.Command{
				UserID: invokerID, ChannelID: channelID, Text: burstConference + " <@" + personID(i) + ">",
			})
			if err != nil {
				sends[i].err = err
				return
			}
			sends[i].envelope = s.EnvelopeID
			sends[i].ack, sends[i].err = w.slack.WaitAck(cctx, s.EnvelopeID)
			sends[i].ackedAt = time.Now()
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()

	r := burstResult{n: n, conns: conns}
	octx, ocancel := context.WithTimeout(ctx, 60*time.Second)
	defer ocancel()
	if err := waitPosts(octx, w, n); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return r, err
	}
	time.Sleep(b.settle())

	after, err := bot.stats()
	if err != nil {
		return r, err
	}
	r.calls = w.calls().since(callsBefore)
	r.peakRSS, r.mallocs = after.PeakRSS, after.Mallocs-before.Mallocs
	r.warns, r.errors = bot.logs.counts()
	r.unknownAcks = w.slack.UnknownAcks()
	r.invites = len(w.meet.Invitations(burstConference))

	// Match outcomes to commands by the one person each names.
	msgs := w.slack.Messages()
	outcome := make(map[string][]slackfake.Message, n)
	for _, m := range msgs {
		owner := ""
		if named := peopleNamed(m); len(named) == 1 {
			owner = named[0] // naming two people makes it no single command's outcome
		}
		switch {
		case owner == "" && m.Kind != "post":
			r.queuedNotes++ // "yours is queued": private, names nobody
			continue
		case owner == "" || m.Kind != "post":
			r.stray++
			continue
		}
		outcome[owner] = append(outcome[owner], m)
	}
	var spans [][2]time.Time
	var last time.Time
	for i, s := range sends {
		if s.err != nil {
			r.sendErrs = append(r.sendErrs, s.err)
			continue
		}
		r.acks = append(r.acks, s.ack.Latency)
		if w.slack.AckCount(s.envelope) == 1 {
			r.ackedOnce++
		}
		switch got := outcome[personID(i)]; len(got) {
		case 0:
		case 1:
			r.outcomes++
			spans = append(spans, [2]time.Time{s.ackedAt, got[0].At})
			if got[0].At.After(last) {
				last = got[0].At
			}
		default:
			r.stray += len(got) - 1
		}
	}
	r.allDone = last.Sub(t0)
	r.peakInFlight = peakOverlap(spans)
	slices.Sort(r.acks)
	return r, nil
}

var personRe = regexp.MustCompile(`UP[0-9]{5}`)

// waitPosts waits until the fake has recorded n channel posts.
func waitPosts(ctx context.Context, w *world, n int) error {
	for {
		msgs := w.slack.Messages()
		posts := 0
		for _, m := range msgs {
			if m.Kind == "post" {
				posts++
			}
		}
		if posts >= n {
			return nil
		}
		if _, err := w.slack.WaitMessages(ctx, len(msgs)+1); err != nil {
			return err
		}
	}
}

// peopleNamed returns the seeded people a message names, in its text or its
// blocks (where JSON may have escaped the angle brackets), once each.
func peopleNamed(m slackfake.Message) []string {
	ids := personRe.FindAllString(m.Text+" "+string(m.Blocks), -1)
	slices.Sort(ids)
	return slices.Compact(ids)
}

// peakOverlap is the most intervals open at one moment.
func peakOverlap(spans [][2]time.Time) int {
	type edge struct {
		at    time.Time
		delta int
	}
	edges := make([]edge, 0, 2*len(spans))
	for _, s := range spans {
		edges = append(edges, edge{s[0], 1}, edge{s[1], -1})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.delta - b.delta // close before open at the same instant
	})
	open, peak := 0, 0
	for _, e := range edges {
		open += e.delta
		peak = max(peak, open)
	}
	return peak
}

// problems lists what the bot got wrong in this burst.
func (r burstResult) problems() []string {
	var p []string
	if len(r.sendErrs) > 0 {
		p = append(p, fmt.Sprintf("burst %d: %d commands not acknowledged, e.g. %v", r.n, len(r.sendErrs), r.sendErrs[0]))
	}
	if r.ackedOnce != r.n {
		p = append(p, fmt.Sprintf("burst %d: %d of %d commands acknowledged exactly once", r.n, r.ackedOnce, r.n))
	}
	if r.outcomes != r.n || r.stray > 0 {
		p = append(p, fmt.Sprintf("burst %d: %d of %d commands got exactly one channel post; %d other messages", r.n, r.outcomes, r.n, r.stray))
	}
	if r.invites != r.n {
		p = append(p, fmt.Sprintf("burst %d: Huawei accepted %d invite calls, want %d", r.n, r.invites, r.n))
	}
	if r.unknownAcks > 0 {
		p = append(p, fmt.Sprintf("burst %d: %d acks of unknown envelopes", r.n, r.unknownAcks))
	}
	return p
}
