package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// burstResult is one burst of concurrent slash commands.
type burstResult struct {
	n, channels   int
	conns         int             // the bot's Socket Mode connections
	acks          []time.Duration // Ack.Latency of every acknowledged command
	ackedOnce     int             // commands acknowledged exactly once
	outcomes      int             // commands with exactly one outcome: a channel post or a private note naming their person, or a note naming nobody (failed as a whole)
	unattributed  int             // of which private notes naming nobody: the invitation failed as a whole (e.g. INVITE_TIMEOUT)
	posted        int             // of which channel posts
	updated       int             // channel posts updated (their calls' final state) within the update window
	invites       int             // invite calls Huawei accepted
	stray         int             // messages that are not the outcome of exactly one command
	queuedNotes   int             // private notes naming nobody: "yours is queued"
	missedNotes   int             // direct messages naming nobody: "you missed a call"
	unknownAcks   int
	sendErrs      []error
	lastPost      time.Duration // first command sent → last channel post
	lastUpdate    time.Duration // first command sent → last update within the window
	limited       map[string]int
	peakInFlight  int // most invitations between ack and outcome at once
	calls         calls
	peakRSS       uint64
	peak          makeup // what the largest resident set sampled held
	mallocs       uint64
	ackCPU        time.Duration // the bot's CPU time from just before the burst to just after its last ack (work after the acks waits for the burst to calm down)
	warns, errors int
}

// callStatusFor is how long the bot follows a burst's calls before their
// final state ("didn't answer") is written into each post: short, so that
// the updates come within the run.
const callStatusFor = "2s"

// burst sends n valid invitations at once, each naming one person the bot
// has not seen, from b.opts.channels channels in turn, to a fresh bot
// against fresh fakes, and checks that every command is acknowledged once
// and gets one outcome; then it waits up to b.opts.updateWait for the
// posts' final updates.
func (b *bench) burst(ctx context.Context, n, conns int) (burstResult, error) {
	channels := min(n, b.opts.channels)
	b.logf("burst of %d concurrent commands from %d channels over %d connections (latency %v, rate limits %v, store %s)",
		n, channels, conns, b.opts.latency, b.opts.limits, storeName(b.opts.database))
	w, err := startWorld(b.people, 0, channels, b.opts.latency, b.opts.limits)
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
	bot, err := startBot(ctx, b.exe, w, "CALL_STATUS_FOR="+callStatusFor, "SHUTDOWN_GRACE=2s")
	if err != nil {
		return burstResult{}, err
	}
	defer bot.stop()
	before, err := bot.stats()
	if err != nil {
		return burstResult{}, err
	}
	callsBefore := w.calls()

	sends, t0 := sendBurst(ctx, w, n, channels)
	acked, err := bot.stats()
	if err != nil {
		return burstResult{}, err
	}

	r := burstResult{n: n, channels: channels, conns: conns, ackCPU: acked.CPU - before.CPU}
	// Every command ends within INVITE_TIMEOUT (60 s) plus its channel's
	// queue of posts.
	octx, ocancel := context.WithTimeout(ctx, 3*time.Minute)
	defer ocancel()
	if err := waitFor(octx, w, func(msgs []slackfake.Message) bool {
		s := sortOut(msgs)
		return len(s.outcome)+s.unattributed >= n
	}); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return r, err
	}
	uctx, ucancel := context.WithTimeout(ctx, b.opts.updateWait)
	defer ucancel()
	if err := waitFor(uctx, w, func(msgs []slackfake.Message) bool {
		s := sortOut(msgs)
		return len(s.updated) >= s.posts
	}); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return r, err
	}
	time.Sleep(b.settle())

	after, err := bot.stats()
	if err != nil {
		return r, err
	}
	r.calls = w.calls().since(callsBefore)
	r.limited = w.rateLimited()
	r.peakRSS, r.peak, r.mallocs = after.PeakRSS, after.Peak, after.Mallocs-before.Mallocs
	r.warns, r.errors = bot.logs.counts()
	r.unknownAcks = w.slack.UnknownAcks()
	r.invites = len(w.meet.Invitations(burstConference))

	s := sortOut(w.slack.Messages())
	r.stray, r.queuedNotes, r.missedNotes, r.posted, r.updated = s.stray, s.queued, s.missed, s.posts, len(s.updated)
	r.unattributed = s.unattributed
	for _, at := range s.updated {
		r.lastUpdate = max(r.lastUpdate, at.Sub(t0))
	}
	r.tally(w, sends, s.outcome, t0)
	r.outcomes += r.unattributed // each is some command's one outcome; the check below is that no command has two
	slices.Sort(r.acks)
	return r, nil
}

// tally matches each command to its outcome, by the person it names.
func (r *burstResult) tally(w *world, sends []sent, outcome map[string][]slackfake.Message, t0 time.Time) {
	var spans [][2]time.Time
	for i, snt := range sends {
		if snt.err != nil {
			r.sendErrs = append(r.sendErrs, snt.err)
			continue
		}
		r.acks = append(r.acks, snt.ack.Latency)
		if w.slack.AckCount(snt.envelope) == 1 {
			r.ackedOnce++
		}
		switch got := outcome[personID(i)]; len(got) {
		case 0:
		case 1:
			r.outcomes++
			spans = append(spans, [2]time.Time{snt.ackedAt, got[0].At})
			if got[0].Kind == "post" {
				r.lastPost = max(r.lastPost, got[0].At.Sub(t0))
			}
		default:
			r.stray += len(got) - 1
		}
	}
	r.peakInFlight = peakOverlap(spans)
}

// sent is one command of a burst and its ack.
type sent struct {
	envelope string
	ack      slackfake.Ack
	ackedAt  time.Time
	err      error
}

// sendBurst sends n commands at once, the i-th naming the i-th person from
// the channel i mod channels, and waits for their acks; t0 is when they went.
func sendBurst(ctx context.Context, w *world, n, channels int) (sends []sent, t0 time.Time) {
	sends = make([]sent, n)
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range sends {
		wg.Go(func() {
			<-start
			s, err := w.slack.SendCommand(cctx, slackfake.Command{
				UserID: invokerID, ChannelID: channelName(i % channels), Text: burstConference + " <@" + personID(i) + ">",
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
	t0 = time.Now()
	close(start)
	wg.Wait()
	return sends, t0
}

// sorted is a burst's messages sorted out.
type sorted struct {
	outcome               map[string][]slackfake.Message // person → the channel posts and private notes naming only them
	posts                 int                            // channel posts
	updated               map[string]time.Time           // post ts → its last update
	queued, missed, stray int
	unattributed          int // private notes naming nobody but "queued": outcomes of invitations that failed as a whole
}

// sortOut sorts out a burst's messages: each command names one person, so
// its outcome is the one channel post or private note naming them.
func sortOut(msgs []slackfake.Message) sorted {
	s := sorted{outcome: map[string][]slackfake.Message{}, updated: map[string]time.Time{}}
	for _, m := range msgs {
		owner := ""
		if named := peopleNamed(m); len(named) == 1 {
			owner = named[0] // naming two people makes it no single command's outcome
		}
		dm := strings.HasPrefix(m.Channel, "D")
		switch {
		case m.Kind == "update":
			s.updated[m.TS] = m.At
		case m.Kind == "post" && dm:
			s.missed++ // "you missed a call from <@UINVOKER>": its answer buttons carry the person's ID, not their outcome
		case owner == "" && m.Kind != "post" && strings.Contains(m.Text, "yours is queued"):
			s.queued++
		case owner == "" && m.Kind != "post":
			s.unattributed++ // e.g. "I couldn't finish in time": names nobody
		case owner == "" || m.ThreadTS != "":
			s.stray++
		default:
			if m.Kind == "post" && !dm {
				s.posts++
			}
			s.outcome[owner] = append(s.outcome[owner], m)
		}
	}
	return s
}

// waitFor waits until done is true of the fake's messages.
func waitFor(ctx context.Context, w *world, done func([]slackfake.Message) bool) error {
	for {
		msgs := w.slack.Messages()
		if done(msgs) {
			return nil
		}
		if _, err := w.slack.WaitMessages(ctx, len(msgs)+1); err != nil {
			return err
		}
	}
}

var personRe = regexp.MustCompile(`UP[0-9]{5}`)

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
		p = append(p, fmt.Sprintf("burst %d: %d of %d commands got exactly one outcome; %d other messages", r.n, r.outcomes, r.n, r.stray))
	}
	if r.posted > r.invites {
		p = append(p, fmt.Sprintf("burst %d: %d channel posts for %d invite calls Huawei accepted", r.n, r.posted, r.invites))
	}
	if r.unknownAcks > 0 {
		p = append(p, fmt.Sprintf("burst %d: %d acks of unknown envelopes", r.n, r.unknownAcks))
	}
	return p
}
