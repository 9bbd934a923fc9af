package slackapp

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/slack-go/slack/socketmode"

	"github.com/meet-invite/meet-invite/internal/commands"
)

// Inviter runs an invitation to its end. *commands.Inviter implements it.
type Inviter interface {
	Invite(ctx context.Context, inv commands.Invitation) commands.Report
	Plan(ctx context.Context, inv commands.Invitation) commands.Plan
	InvitePlanned(ctx context.Context, inv commands.Invitation, plan commands.Plan) commands.Report
	FollowCalls(ctx context.Context, rep commands.Report, poll time.Duration, update func([]commands.CallState)) ([]commands.CallState, bool)
	Reach(ctx context.Context, userID string) (commands.Invitee, *commands.Skipped)
}

// Monitor is told what the app does, for health checks and metrics. It
// must be safe for concurrent use.
type Monitor interface {
	Connected(ok bool)                                             // the Socket Mode connection is up or down
	Acked(took time.Duration)                                      // an envelope was acknowledged, took after it arrived
	Queued()                                                       // a request waits for a free slot
	Refused(kind, outcome string)                                  // a request ended without an invitation: "bad_input" or "refused"
	Finished(kind string, rep commands.Report, took time.Duration) // an invitation ended
	CallsEnded(states []commands.CallState)                        // the calls of an invitation were followed to their end
}

type noMonitor struct{}

func (noMonitor) Connected(bool)                                  {}
func (noMonitor) Acked(time.Duration)                             {}
func (noMonitor) Queued()                                         {}
func (noMonitor) Refused(string, string)                          {}
func (noMonitor) Finished(string, commands.Report, time.Duration) {}
func (noMonitor) CallsEnded([]commands.CallState)                 {}

// Config tunes the app. Zero values take the defaults.
type Config struct {
	Command       string               // the slash command; default "/meet-invite"
	InviteTimeout time.Duration        // one invitation, from ack to outcome message; default 60 s
	ShutdownGrace time.Duration        // how long in-flight invitations may finish at shutdown; default 20 s
	AckTimeout    time.Duration        // how long an ack may wait for the socket; default 2 s
	Simulated     bool                 // the meeting service is a simulator: say so in every message
	MaxPeople     int                  // most people one request may reach; 0 = no check here (the inviter checks too)
	ConfirmAbove  int                  // ask before inviting more people than this through groups or channels; default 10
	AllowDirect   bool                 // phone numbers and emails may be typed in a command
	Policy        Policy               // who may invite, and from where
	MaxConcurrent int                  // invitations running at once; more wait their turn; default 32
	QueuedAfter   time.Duration        // a request waiting this long is told it is queued; default 1 s
	Monitor       Monitor              // optional
	Interpreter   commands.Interpreter // optional: reads plain-words requests the strict grammar rejects
	// After posting an invitation the channel post is updated as calls are
	// answered or missed, for up to CallWatch (default 90 s; negative: off),
	// looking every CallPoll (default 1 s).
	CallWatch time.Duration
	CallPoll  time.Duration
}

// App is the Slack side of the bot: it receives commands over Socket Mode,
// acknowledges them at once, runs the invitation in the background and
// reports the outcome in Slack.
type App struct {
	log     *slog.Logger
	sm      *socketmode.Client
	inviter Inviter
	cfg     Config
	jobs    jobs
	pending pendingStore // invitations waiting for their invoker's confirmation

	policyCache policyCache
	envelopes   envelopes     // envelope IDs seen lately, to ignore redeliveries
	slots       chan struct{} // one per invitation running; bounds the work a burst can start
	arrived     sync.Map      // envelope ID → when its handler started, for ack latency

	life        context.Context // ends when the app stops; bounds following calls
	stop        context.CancelFunc
	callMu      sync.Mutex     // guards callsClosed and the Add side of calling
	callsClosed bool           // the app has stopped: follow no more calls
	calling     sync.WaitGroup // posts being updated as calls go

	posts posts // recent invitation posts, to mark when their meeting ends
}

// busy reports whether every slot is taken, so that a new request would wait.
func (a *App) busy() bool { return len(a.slots) == cap(a.slots) }

// acquire waits for a free slot to run an invitation. A request that waits
// longer than QueuedAfter is told privately that it is queued.
func (a *App) acquire(ctx context.Context, log *slog.Logger, t target) (release func(), err error) {
	release = func() { <-a.slots }
	select {
	case a.slots <- struct{}{}:
		return release, nil
	default:
	}
	timer := time.NewTimer(a.cfg.QueuedAfter)
	defer timer.Stop()
	select {
	case a.slots <- struct{}{}:
		return release, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-timer.C:
	}
	log.Info("invitation queued", "running", len(a.slots))
	a.cfg.Monitor.Queued()
	if !t.toldQueued {
		if err := a.postPrivate(ctx, t, message{text: queuedNote}); err != nil {
			log.Warn("could not post the queued note", "err", err)
		}
	}
	select {
	case a.slots <- struct{}{}:
		return release, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// envelopes remembers recent envelope IDs. Slack re-sends an envelope it
// thinks was not acknowledged, with the same ID; acting on it again could
// call people twice.
type envelopes struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

// first reports whether id is seen for the first time in the last ten minutes.
func (e *envelopes) first(id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	if e.seen == nil {
		e.seen = map[string]time.Time{}
	}
	if t, ok := e.seen[id]; ok && now.Sub(t) < 10*time.Minute {
		return false
	}
	if len(e.seen) > 10000 {
		for k, t := range e.seen {
			if now.Sub(t) >= 10*time.Minute {
				delete(e.seen, k)
			}
		}
	}
	e.seen[id] = now
	return true
}

// New returns an App that talks to Slack through sm and invites through inviter.
func New(logger *slog.Logger, sm *socketmode.Client, inviter Inviter, cfg Config) *App {
	if cfg.Command == "" {
		cfg.Command = "/meet-invite"
	}
	if cfg.InviteTimeout <= 0 {
		cfg.InviteTimeout = 60 * time.Second
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = 20 * time.Second
	}
	if cfg.ConfirmAbove <= 0 {
		cfg.ConfirmAbove = 10
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = 32
	}
	if cfg.QueuedAfter <= 0 {
		cfg.QueuedAfter = time.Second
	}
	if cfg.Monitor == nil {
		cfg.Monitor = noMonitor{}
	}
	if cfg.AckTimeout <= 0 {
		cfg.AckTimeout = 2 * time.Second
	}
	if cfg.CallWatch == 0 {
		cfg.CallWatch = 90 * time.Second
	}
	if cfg.CallPoll <= 0 {
		cfg.CallPoll = time.Second
	}
	life, stop := context.WithCancel(context.Background())
	return &App{log: logger, sm: sm, inviter: inviter, cfg: cfg, slots: make(chan struct{}, cfg.MaxConcurrent), life: life, stop: stop}
}

// Run serves Slack until ctx is cancelled, then stops taking work and gives
// in-flight invitations up to the shutdown grace period to finish and
// report. It returns nil after a cancelled ctx and an error when Slack
// refuses the connection for good (a revoked or wrong token).
func (a *App) Run(ctx context.Context) error {
	// Invitations outlive ctx by design: a shutdown lets them finish.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()

	h := socketmode.NewSocketmodeHandler(a.sm)
	a.routes(h, work)
	err := h.RunEventLoopContext(ctx)

	a.jobs.close()
	if n := a.jobs.count(); n > 0 {
		a.log.Info("waiting for invitations in flight", "count", n, "grace", a.cfg.ShutdownGrace)
	}
	if !a.jobs.wait(a.cfg.ShutdownGrace) {
		a.log.Warn("shutdown grace period over; cancelling invitations in flight", "count", a.jobs.count())
		stopWork()
		a.jobs.wait(5 * time.Second)
	}
	// Following calls is a nicety: it stops at once.
	a.callMu.Lock()
	a.callsClosed = true
	a.callMu.Unlock()
	a.stop()
	a.calling.Wait()
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// followCalls updates the channel post as the invitation's calls are
// answered or missed, in the background, until every call has ended or
// CallWatch has passed; whoever is still ringing then is shown as not
// having answered. Nothing is claimed when the calls cannot be seen to
// the end (the link dropped, the meeting ended).
func (a *App) followCalls(log *slog.Logger, post *postRecord) {
	if a.cfg.CallWatch < 0 {
		return
	}
	a.callMu.Lock()
	defer a.callMu.Unlock()
	if a.callsClosed {
		return
	}
	a.calling.Add(1)
	go func() {
		defer a.calling.Done()
		ctx, cancel := context.WithTimeout(a.life, a.cfg.CallWatch)
		defer cancel()
		update := func(states []commands.CallState) {
			post.update(func() bool {
				post.states = states
				a.updatePost(log, post.where, a.mark(callsMessage(post.inv, post.rep, states)))
				return false
			})
		}
		states, known := a.inviter.FollowCalls(ctx, post.rep, a.cfg.CallPoll, update)
		if !known {
			return // the link dropped or the meeting ended: say no more
		}
		a.cfg.Monitor.CallsEnded(states)
		a.tellMissed(log, post.inv, post.rep, states)
	}()
}

// posts remembers recent invitation posts by meeting, so that they can say
// so when the meeting ends, and drop their Join button.
type posts struct {
	mu sync.Mutex
	by map[string][]*postRecord // by conference ID
}

type postRecord struct {
	where posted
	inv   commands.Invitation
	rep   commands.Report
	at    time.Time

	// mu is held from deciding on an update of the post until Slack has
	// it, so that two updates of one post (a call ending, the meeting
	// ending) reach Slack in the order they were decided.
	mu     sync.Mutex
	states []commands.CallState // as last shown; nil before any call ended
	ended  bool                 // the post says its meeting ended: it changes no more
}

// A post is remembered for longer than meetings last, and a meeting's last
// postsPerMeeting posts at most.
const (
	postMemory      = 12 * time.Hour
	postsPerMeeting = 100
)

// add remembers a post and returns its record, through which it is updated.
func (p *posts) add(where posted, inv commands.Invitation, rep commands.Report) *postRecord {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.by == nil {
		p.by = map[string][]*postRecord{}
	}
	for id, rs := range p.by { // forget old posts
		rs = slices.DeleteFunc(rs, func(r *postRecord) bool { return now.Sub(r.at) > postMemory })
		if len(rs) == 0 {
			delete(p.by, id)
		} else {
			p.by[id] = rs
		}
	}
	r := &postRecord{where: where, inv: inv, rep: rep, at: now}
	rs := append(p.by[rep.ConferenceID], r)
	if len(rs) > postsPerMeeting {
		rs = slices.Clone(rs[len(rs)-postsPerMeeting:])
	}
	p.by[rep.ConferenceID] = rs
	return r
}

// update runs change with the post held, unless the post already says its
// meeting ended; change returns whether it now does.
func (r *postRecord) update(change func() (ended bool)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.ended {
		r.ended = change()
	}
}

// of returns the meeting's remembered posts.
func (p *posts) of(conferenceID string) []*postRecord {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.by[conferenceID])
}

// MeetingEnded marks the invitation posts of a meeting that has ended:
// each says so, and its Join and Call again buttons go. It returns at
// once; the posts are updated in the background, and no later update of
// a post undoes it.
func (a *App) MeetingEnded(conferenceID string) {
	a.callMu.Lock()
	defer a.callMu.Unlock()
	if a.callsClosed {
		return
	}
	a.calling.Add(1)
	go func() {
		defer a.calling.Done()
		for _, r := range a.posts.of(conferenceID) {
			if a.life.Err() != nil {
				return
			}
			r.update(func() bool {
				a.updatePost(a.log, r.where, a.mark(endedMessage(r.inv, r.rep, r.states)))
				return true
			})
		}
	}()
}

// tellMissed sends each Slack user whose call went unanswered a direct
// message saying who called and how to join, since Huawei sends them
// nothing else. Nobody asked for it is told twice: it runs once, after the
// calls ended.
func (a *App) tellMissed(log *slog.Logger, inv commands.Invitation, rep commands.Report, states []commands.CallState) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	m := a.mark(missedMessage(inv.Invoker, rep))
	for i, st := range states {
		id := rep.Invited[i].Person.ID
		if st != commands.CallMissed || id == "" || id == inv.Invoker {
			continue
		}
		if _, _, err := a.sm.PostMessageContext(ctx, id, m.options()...); err != nil {
			log.Warn("could not tell someone they missed a call", "slack_user", id, "err", err)
		}
	}
}

// updatePost replaces a posted message.
func (a *App) updatePost(log *slog.Logger, where posted, m message) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if _, _, _, err := a.sm.UpdateMessageContext(ctx, where.channel, where.ts, m.options()...); err != nil {
		log.Warn("could not update the invitation's post", "err", err)
	}
}

// ack acknowledges an envelope, with a payload or none. It never blocks for
// long: slack-go's plain Ack can block forever while reconnecting.
func (a *App) ack(c *socketmode.Client, req *socketmode.Request, payload any) {
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.AckTimeout)
	defer cancel()
	start, timed := a.arrived.LoadAndDelete(req.EnvelopeID)
	if err := c.AckCtx(ctx, req.EnvelopeID, payload); err != nil {
		a.log.Error("ack failed", "envelope_id", req.EnvelopeID, "err", err)
		return
	}
	if timed {
		a.cfg.Monitor.Acked(time.Since(start.(time.Time)))
	}
}

// jobs counts invitations in flight so that shutdown can wait for them.
type jobs struct {
	mu     sync.Mutex
	closed bool
	n      int
	wg     sync.WaitGroup
}

// start registers a job; it returns false once shutdown has begun.
func (j *jobs) start() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return false
	}
	j.n++
	j.wg.Add(1)
	return true
}

func (j *jobs) done() {
	j.mu.Lock()
	j.n--
	j.mu.Unlock()
	j.wg.Done()
}

func (j *jobs) close() {
	j.mu.Lock()
	j.closed = true
	j.mu.Unlock()
}

func (j *jobs) count() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
}

// wait reports whether every job finished within d.
func (j *jobs) wait(d time.Duration) bool {
	done := make(chan struct{})
	go func() { j.wg.Wait(); close(done) }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
