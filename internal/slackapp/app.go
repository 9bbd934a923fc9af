package slackapp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/slack-go/slack/socketmode"
	"golang.org/x/sync/errgroup"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/expiring"
	"github.com/meet-invite/meet-invite/internal/meeting"
	"github.com/meet-invite/meet-invite/internal/store"
	"github.com/meet-invite/meet-invite/internal/tasks"
)

// Inviter runs an invitation to its end. *commands.Inviter implements it.
type Inviter interface {
	Plan(ctx context.Context, inv commands.Invitation) (commands.Plan, error)
	Invite(ctx context.Context, inv commands.Invitation) (commands.Report, error)
	InvitePlanned(ctx context.Context, inv commands.Invitation, plan commands.Plan) (commands.Report, error)
	FollowCalls(ctx context.Context, rep commands.Report, ticks <-chan time.Time, show func(commands.CallUpdate))
	Reach(ctx context.Context, userID, channelID string) (commands.Invitee, *commands.Skipped, error)
	// Authorize applies the access rules alone, before work that costs
	// something (a model reading plain words).
	Authorize(ctx context.Context, userID, channelID string) error
	// Rewatch makes a running meeting's live list available again to
	// FollowCalls, for posts resumed after a restart or from a replica
	// that died.
	Rewatch(ctx context.Context, conferenceID, hostPassword string) error
	// Present says which of invitees are in a meeting now, from its live
	// list (live false: not known), and keeps it followed: for the call
	// card.
	Present(conferenceID string, invitees []commands.Invitee) (present []bool, live bool)
	// CallPhone rings the phone of someone an invitation rang in the
	// meeting app (rep.Invited[i]), as asker.
	CallPhone(ctx context.Context, inv commands.Invitation, rep commands.Report, i int, asker string) (commands.Report, error)
	// Start starts a meeting for an invitation that asks for one
	// (Invitation.Start), once, for whoever may invite.
	Start(ctx context.Context, inv commands.Invitation, req meeting.CreateMeetingRequest) (meeting.CreatedMeeting, error)
	// Running lists the meetings running now that match what was typed,
	// the user's own first, for the form's picker.
	Running(ctx context.Context, userID, channelID, typed string) (own, others []meeting.RunningMeeting, err error)
	// NameOf and ChannelName name a meeting started from Slack: how Slack
	// shows a user, and a public channel's name ("" for a private one, a
	// direct message, or when unknown).
	NameOf(ctx context.Context, userID string) string
	ChannelName(ctx context.Context, channelID string) string
}

// Monitor is told what the app does, for health checks and metrics. It
// must be safe for concurrent use.
type Monitor interface {
	Connected(ok bool)                                                        // the Socket Mode connection is up or down
	Reconnected()                                                             // it was opened again (Slack asked, or it dropped)
	Acked(took time.Duration)                                                 // an envelope was acknowledged, took after it arrived
	Queued()                                                                  // a request waits for a free slot
	Refused(kind, outcome string)                                             // a request ended before it was run: "bad_input" or "refused"
	Finished(kind string, rep commands.Report, err error, took time.Duration) // an invitation ended (err: it failed as a whole)
	CallsEnded(states []commands.CallState)                                   // the calls of an invitation were followed to their end
	Working(work string, delta int)                                           // work in flight ("request" run, "calls" followed) started (+1) or ended (-1)
}

type noMonitor struct{}

func (noMonitor) Connected(bool)                                         {}
func (noMonitor) Reconnected()                                           {}
func (noMonitor) Acked(time.Duration)                                    {}
func (noMonitor) Queued()                                                {}
func (noMonitor) Refused(string, string)                                 {}
func (noMonitor) Finished(string, commands.Report, error, time.Duration) {}
func (noMonitor) CallsEnded([]commands.CallState)                        {}
func (noMonitor) Working(string, int)                                    {}

// Config tunes the app. internal/bot sets every field from the
// configuration, with its defaults.
type Config struct {
	InviteTimeout time.Duration // one invitation, from ack to outcome message
	ShutdownGrace time.Duration // how long in-flight invitations may finish at shutdown
	// SentGrace is how long, after the shutdown grace, a request whose
	// invite was already sent may still take to finish and report (the
	// meeting timeout and a post); the rest are cancelled at once.
	SentGrace     time.Duration
	AckTimeout    time.Duration        // how long an ack may wait for the socket
	Simulated     bool                 // the meeting service is a simulator: say so in every message
	MaxPeople     int                  // most people one request may reach; 0 = no check here (the inviter checks too)
	MaxGroups     int                  // most user groups and channels one request may name; 0 = no check here (the inviter checks too)
	ConfirmAbove  int                  // ask before inviting more people than this through groups or channels
	AllowDirect   bool                 // phone numbers and emails may be typed in a command
	Policy        commands.Policy      // its channel rules answer at once; the Inviter applies all of it
	MaxConcurrent int                  // invitations running at once; more wait their turn
	QueuedAfter   time.Duration        // a request waiting this long is told it is queued
	Monitor       Monitor              // optional
	Interpreter   commands.Interpreter // optional: reads plain-words requests the strict grammar rejects
	// After posting an invitation the channel post is updated as calls are
	// answered or missed, for up to CallWatch (negative: off),
	// looking every CallPoll.
	CallWatch time.Duration
	CallPoll  time.Duration
	// RingingDMs sends each Slack user being called a direct message with
	// answers to give (answers.go); the calls must be followed (CallWatch).
	RingingDMs bool
	// EscalateAfter rings the phone of whoever was rung in the app and
	// still rings, unanswered, this long after the invitation (0: never).
	EscalateAfter time.Duration
	// ButtonSecret signs button values and form metadata (trust.go); nil:
	// a random key made by New. SlackAPIURL's host is trusted for
	// response_urls besides hooks.slack.com (the fakes serve them there).
	ButtonSecret []byte
	SlackAPIURL  string
	// UpdateEvery is how often one post may be updated at most; default 3s.
	UpdateEvery time.Duration
	// Store keeps what outlives the process and is shared by replicas:
	// envelopes handled, confirmation cards. nil: an in-memory store of the
	// app's own (tests), closed when Run returns.
	Store store.Store
	// Owner names this process among those sharing the store (leases,
	// claims); "" makes one up.
	Owner string
	// DefaultLocale is the language of channel posts (a channel is
	// shared) and of whoever's Slack locale cannot be looked up: a locale
	// MatchLocale matches; "" is English.
	DefaultLocale string
	// Persons looks people up for the language of what only they see
	// (their Slack locale); nil: everyone is written to in DefaultLocale.
	Persons Persons
	// StartLength is how long a meeting started from Slack is booked for
	// (whole minutes, within Huawei's 15 minutes to 24 hours), and
	// StartSubject its subject: {channel} stands for the channel's name
	// ("#general"), {user} for the invoker's; "" names it after the
	// channel, else the invoker (subjectInChannel, subjectOf, in
	// DefaultLocale: everyone in the meeting sees it).
	StartLength  time.Duration
	StartSubject string
	// MoreSockets are further Socket Mode connections of this process,
	// beside New's: Slack spreads envelopes over all of an app's
	// connections, and each is served the same way.
	MoreSockets []*socketmode.Client
}

// App is the Slack side of the bot: it receives commands over Socket Mode,
// acknowledges them at once, runs the invitation in the background and
// reports the outcome in Slack.
type App struct {
	log           *slog.Logger
	sm            *socketmode.Client
	inviter       Inviter
	meetingsEnded <-chan string // meetings that ended, whose posts say so
	cfg           Config

	tasks     tasks.Group                          // requests, call following and post updates in flight
	slots     *tasks.Limit                         // one per invitation running; bounds the work a burst can start
	store     store.Store                          // durable state shared by replicas
	ownStore  bool                                 // the store is the app's own, closed by Run
	envelopes *expiring.Map[string, struct{}]      // envelope IDs seen lately by this process: the fast check before the store's
	arrived   *awaiting                            // envelopes not acknowledged yet, and when each arrived
	pending   pendingCards                         // invitations waiting for their invoker's confirmation
	posts     *expiring.Map[string, []*postRecord] // recent invitation posts by meeting, to mark when it ends
	ended     *expiring.Map[string, time.Time]     // meetings that ended lately, and when, for posts made as they end
	postsMu   sync.Mutex                           // serialises changes of posts and ended
	signer    signer                               // signs what the bot reads back from Slack (trust.go)
	apiHost   *url.URL                             // Config.SlackAPIURL, parsed; nil when unset
	pace      *pacer                               // posts and updates at Slack's pace
	def       *lang                                // DefaultLocale's catalogue
	langs     *expiring.Map[string, *lang]         // Slack user ID → the language last found for them
	// langLookups are the users whose language an ack is looking up now
	// (ackLang), so that a burst of theirs starts one lookup, not one each.
	langLookups sync.Map

	socketsMu sync.Mutex
	socketsUp map[*socketmode.Client]bool // which of the app's sockets are connected

	recordQ chan recordJob // requests to record in the store, in batches (recordLoop)
	// envelopeQ are envelopes to check against the store, in batches (envelopeLoop)
	envelopeQ chan envelopeJob

	followingMu sync.Mutex
	following   map[string]bool // posts whose calls this process follows, by store key

	leasesMu sync.Mutex
	leases   map[string]*leaseHold // followed posts whose leases are renewed (keepLease)
	renewing bool                  // renewLeases runs

	cards   cardBook    // the meetings' calls in Slack (callcard.go)
	history historyBook // each person's recent invitations, in the store, for their Home tab (home.go)
}

// Lifetimes and sizes of the app's tables.
const (
	envelopeMemory  = 10 * time.Minute // Slack retries an envelope within minutes
	pendingTTL      = 30 * time.Minute // a confirmation card can be answered as long as its response_url lives
	postMemory      = 25 * time.Hour   // longer than meetings last: 24 hours at most (Huawei's bound, START_MEETING_LENGTH's)
	maxEntries      = 20000            // per table
	postsPerMeeting = 100
	// maxPostMeetings caps the meetings whose posts are remembered: at most
	// maxPostMeetings × postsPerMeeting posts. Only followed meetings
	// (MAX_FOLLOWED_MEETINGS, 200 by default) can be seen to end, so ten
	// times that leaves room for meetings followed again.
	maxPostMeetings = 2000
	storeTimeout    = 5 * time.Second // one store call outside a request's own time
)

// New returns an App that talks to Slack through sm and invites through
// inviter; ended tells it which followed meetings ended (nil: none).
func New(logger *slog.Logger, sm *socketmode.Client, inviter Inviter, ended <-chan string, cfg Config) *App {
	if cfg.Monitor == nil {
		cfg.Monitor = noMonitor{}
	}
	st, own := cfg.Store, false
	if st == nil {
		var err error
		if st, err = store.Open(context.Background(), store.Memory); err != nil {
			panic("slackapp: open an in-memory store: " + err.Error()) // nothing to read or write: cannot fail
		}
		own = true
	}
	def, _ := matchLang(cfg.DefaultLocale)
	if cfg.Owner == "" {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		cfg.Owner = "app-" + hex.EncodeToString(b)
	}
	a := &App{following: map[string]bool{}, leases: map[string]*leaseHold{}, recordQ: make(chan recordJob), envelopeQ: make(chan envelopeJob), log: logger, sm: sm, inviter: inviter, meetingsEnded: ended, cfg: cfg,
		store: st, ownStore: own,
		envelopes: expiring.New[string, struct{}](envelopeMemory, maxEntries, nil),
		arrived:   newAwaiting(ackDeadline, yieldAtMost, calmAfter, burstCalmAfter, burstArrivals),
		pending:   pendingCards{store: st, log: logger},
		posts:     expiring.New[string, []*postRecord](postMemory, maxPostMeetings, nil),
		ended:     expiring.New[string, time.Time](time.Minute, maxEntries, nil),
		signer:    newSigner(cfg.ButtonSecret),
		apiHost:   parseHost(cfg.SlackAPIURL),
		def:       def,
		langs:     expiring.New[string, *lang](langMemory, maxEntries, nil),
		cards:     newCardBook(),
		history:   historyBook{store: st, log: logger},
	}
	a.pace = newPacer(cfg.UpdateEvery, func(f func()) bool { return a.spawn(workCalls, f) })
	a.slots = tasks.NewLimit(cfg.MaxConcurrent, func() (func(func()), bool) { return a.reserve(workRequest) })
	return a
}

func parseHost(raw string) *url.URL {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u
	}
	return nil
}

// Prune drops the expired entries of the app's tables; call it on a
// timer.
func (a *App) Prune() {
	a.envelopes.Prune()
	a.posts.Prune()
	a.ended.Prune()
	a.langs.Prune()
	a.cards.byMeeting.Prune()
}

// Sizes reports how many entries each of the app's in-memory tables
// holds, by name, for metrics.
func (a *App) Sizes() map[string]int {
	return map[string]int{
		"envelopes": a.envelopes.Len(), "envelope_arrivals": a.arrived.Len(),
		"posts": a.posts.Len(), "ended_meetings": a.ended.Len(), "call_cards": a.cards.byMeeting.Len(),
		"languages": a.langs.Len(),
	}
}

// Run serves Slack until ctx is cancelled, then stops taking work and gives
// in-flight invitations up to the shutdown grace period to finish and
// report; following calls stops at once. It returns nil after a cancelled
// ctx and an error when Slack refuses the connection for good (a revoked or
// wrong token). An App runs once.
func (a *App) Run(ctx context.Context) error {
	// Invitations outlive ctx by design: a shutdown lets them finish.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	defer a.pace.close()
	// Following calls and meetings ends with ctx, or when Slack refuses the
	// app for good and the event loop returns.
	life, stopLife := context.WithCancel(ctx)
	defer stopLife()
	lt := lifetimes{work: work, life: life}

	stopRecording := make(chan struct{})
	defer close(stopRecording) // after the work in flight: requests submitted until then are recorded
	go a.recordLoop(stopRecording)
	go a.envelopeLoop(stopRecording)
	ended := make(chan struct{}) // markEnded runs beside the work, not counted in it
	go func() { defer close(ended); a.markEnded(lt.life) }()
	defer func() { <-ended }()
	a.tasks.Go(func() { a.tend(lt) })
	err := a.serve(ctx, lt)
	stopLife()

	a.tasks.Close()
	if n := a.tasks.Len(); n > 0 {
		a.log.Info("waiting for work in flight", "count", n, "grace", a.cfg.ShutdownGrace)
	}
	if !a.tasks.Wait(a.cfg.ShutdownGrace) {
		a.log.Warn("shutdown grace period over; cancelling invitations not sent yet", "count", a.tasks.Len())
		stopWork() // an invite request already sent finishes and is reported (commands.Inviter.send)
		if !a.tasks.Wait(max(5*time.Second, a.cfg.SentGrace)) {
			a.pace.close() // posts and updates still queued give up
			a.tasks.Wait(5 * time.Second)
		}
	}
	if a.ownStore {
		_ = a.store.Close()
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// serve runs every Socket Mode connection until ctx ends or one fails for
// good, and returns that connection's error.
func (a *App) serve(ctx context.Context, lt lifetimes) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, sm := range append([]*socketmode.Client{a.sm}, a.cfg.MoreSockets...) {
		h := socketmode.NewSocketmodeHandler(sm)
		a.routes(h, lt)
		g.Go(func() error { return h.RunEventLoopContext(gctx) })
	}
	return g.Wait()
}

// connected records whether socket c is up, and tells the monitor whether
// any of the app's sockets is.
func (a *App) connected(c *socketmode.Client, up bool) {
	a.socketsMu.Lock()
	defer a.socketsMu.Unlock()
	if a.socketsUp == nil {
		a.socketsUp = map[*socketmode.Client]bool{}
	}
	a.socketsUp[c] = up
	anyUp := false
	for _, ok := range a.socketsUp {
		anyUp = anyUp || ok
	}
	a.cfg.Monitor.Connected(anyUp)
}

// Kinds of work in flight, for the monitor.
const (
	workRequest = "request" // a request run to its outcome
	workCalls   = "calls"   // an invitation's calls followed
)

// spawn runs f in the task group, counted as work in flight (from before
// it starts, so that whoever saw it acknowledged sees it counted). While the
// app is stopping it runs nothing and reports false.
func (a *App) spawn(work string, f func()) bool {
	start, ok := a.reserve(work)
	if ok {
		start(f)
	}
	return ok
}

// reserve reserves a goroutine of the task group, counted as work in
// flight from now on, for a function that start will run later (see
// tasks.Group.Later).
func (a *App) reserve(work string) (start func(f func()), ok bool) {
	later, ok := a.tasks.Later()
	if !ok {
		return nil, false
	}
	a.cfg.Monitor.Working(work, 1)
	return func(f func()) {
		later(func() { defer a.cfg.Monitor.Working(work, -1); f() })
	}, true
}

// ack acknowledges an envelope, with a payload or none. It never blocks for
// long: slack-go's plain Ack can block forever while reconnecting.
func (a *App) ack(c *socketmode.Client, req *socketmode.Request, payload any) {
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.AckTimeout)
	defer cancel()
	start, timed := a.arrived.take(req.EnvelopeID)
	if err := c.AckCtx(ctx, req.EnvelopeID, payload); err != nil {
		a.log.Error("ack failed", "envelope_id", req.EnvelopeID, "err", err)
		return
	}
	if timed {
		a.cfg.Monitor.Acked(time.Since(start))
	}
}
