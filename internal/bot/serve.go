package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/llm"
	"github.com/meet-invite/meet-invite/internal/meeting"
	"github.com/meet-invite/meet-invite/internal/ops"
	"github.com/meet-invite/meet-invite/internal/slackapp"
	"github.com/meet-invite/meet-invite/internal/store"
)

// slackTimeout bounds one Slack Web API request.
const slackTimeout = 10 * time.Second

// maxSlackConns bounds the connections to Slack's Web API: a burst's 1,000
// requests in flight would otherwise open hundreds, each with two goroutines
// and its buffers (over TLS, as in production, HTTP/2 carries many requests
// on each). Huawei's are not bounded: an invite that timed out waiting for a
// connection could not be told from one sent and unanswered.
const maxSlackConns = 64

// Settings with no variable of their own; the rest are in Config.
const (
	// followFor is how long after the last invitation into a meeting the
	// bot keeps following it (one WebSocket and a heartbeat a minute), so
	// that its posts can say when it ends.
	followFor    = 2 * time.Hour
	ackTimeout   = 2 * time.Second // how long an ack may wait for the socket
	queuedAfter  = time.Second     // a request waiting this long for a slot is told it is queued
	callPoll     = time.Second     // how often a followed invitation looks at the meeting's list
	recentWindow = 2 * time.Minute // nobody is called into one meeting twice within it
	presenceWait = 2 * time.Second // how much longer an invitation waits to learn who is in the meeting
	policyTTL    = 5 * time.Minute // how long who may invite is remembered
)

// Serve wires the real clients together and runs the bot until ctx ends
// (then lets invitations in flight finish, within the shutdown grace). It
// returns an error when Slack refuses the app for good.
func Serve(ctx context.Context, cfg Config, logger *slog.Logger) error {
	mon := monitor{metrics: ops.NewMetrics(), health: &ops.Health{}}
	defer mon.health.Stopped() // /livez: the loops have ended
	if cfg.OpsAddr != "" {
		addr, err := ops.Serve(ctx, cfg.OpsAddr, mon.health, mon.metrics, logger.With("component", "ops"))
		if err != nil {
			return fmt.Errorf("ops listener: %w", err)
		}
		logger.Info("serving /healthz and /metrics", "addr", addr)
	}

	// One connection pool per service, large enough for a burst: Go's
	// default keeps two idle connections per host and dials the rest anew.
	// Each request is bounded by timeout; at most maxConns connections are
	// open at once (0: no bound), a burst's requests beyond them waiting for
	// one within their timeout.
	pool := func(timeout time.Duration, maxConns int) http.RoundTripper {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 2 * cfg.MaxConcurrent
		t.MaxConnsPerHost = maxConns
		return deadline{next: t, d: timeout}
	}

	// The durable state: envelopes handled, the called-recently window,
	// confirmation cards, posts followed; shared by every replica with the
	// same DATABASE_URL.
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err // store.Open never echoes the URL
	}
	defer st.Close()
	owner := newOwnerID()
	if len(cfg.ButtonSecret) == 0 {
		if cfg.ButtonSecret, err = keptButtonSecret(ctx, st); err != nil {
			return err
		}
	}

	mc, err := meeting.NewClient(
		meeting.Credentials{
			AppID: cfg.MeetingAppID, AppKey: cfg.MeetingAppKey, UserID: cfg.MeetingUserID,
			Account: cfg.MeetingAccount, Password: cfg.MeetingPassword,
		},
		meeting.WithBaseURL(cfg.MeetingAPIURL),
		meeting.WithHTTPClient(&http.Client{
			Transport: mon.metrics.Transport(ops.ServiceMeeting, pool(cfg.MeetingTimeout, 0)), // a request timed out waiting for a connection would look sent: never bounded
			// Never follow redirects: X-Password and tokens must not travel elsewhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}),
		meeting.WithLogger(logger.With("component", "meeting")),
		meeting.WithUnknownCode(mon.metrics.UnknownHuaweiCode), // so that the error table can be corrected from real traffic
	)
	if err != nil {
		return fmt.Errorf("meeting client: %w", err)
	}

	go signInAtStart(ctx, cfg.MeetingTimeout, mc, mon.health, logger) // startup.go

	api := slack.New(cfg.SlackBotToken,
		slack.OptionAppLevelToken(cfg.SlackAppToken),
		slack.OptionHTTPClient(&http.Client{Transport: mon.metrics.Transport(ops.ServiceSlack, pool(slackTimeout, maxSlackConns))}),
		slack.OptionRetry(3), // 429 only, waiting Retry-After; after OptionHTTPClient
		slack.OptionAPIURL(cfg.SlackAPIURL),
	)
	// The installing organisation, from auth.test: people of another one may
	// not invite and are not called. Without knowing it (Slack unreachable)
	// the bot does not start, unless ALLOW_EXTERNAL.
	id, err := checkSlackAtStart(ctx, api, logger) // startup.go
	if err != nil {
		return err
	}
	if id.TeamID == "" && !cfg.Policy.AllowExternal {
		return errors.New("cannot tell which organisation the bot is installed in, as Slack could not be reached; " +
			"people of other organisations could not be told apart (set ALLOW_EXTERNAL=true to start anyway)")
	}
	cfg.Policy.Home = commands.Organisation{TeamID: id.TeamID, EnterpriseID: id.EnterpriseID}

	// SOCKET_CONNECTIONS connections, over which Slack spreads envelopes:
	// a burst is read and acknowledged on several sockets at once.
	sockets := make([]*socketmode.Client, cfg.SocketConnections)
	for i := range sockets {
		sockets[i] = socketmode.New(api,
			socketmode.OptionLog(slog.NewLogLogger(logger.With("component", "socketmode", "connection", i).Handler(), slog.LevelDebug)),
		)
	}
	sm := sockets[0]

	// Who is already in a meeting: asked alongside the lookups, then kept
	// up to date over the meeting's control WebSocket for followFor after
	// the last invitation into it, or until it ends.
	presence := meeting.NewPresence(mc, followFor, meeting.MaxFollowed(cfg.MaxFollowed))
	defer presence.Close()

	people := slackapp.NewPeople(api, cfg.LookupTTL)
	guard := commands.NewGuard(cfg.Policy, people, logger, policyTTL, nil)
	inviter := commands.NewInviter(people, mc, presence, guard, logger, commands.Config{
		MaxPeople:    cfg.MaxPeople,
		MaxGroups:    cfg.MaxGroups,
		Concurrency:  16, // a 10-person invitation looks everyone up at once; Slack's Tier 4 allows bursts
		CacheTTL:     cfg.LookupTTL,
		RecentWindow: recentWindow,
		AllowDirect:  cfg.AllowDirect,
		PresenceWait: presenceWait,
		// Issue 14: whom the bot calls, and how many a minute per person.
		Home:           cfg.Policy.Home,
		AllowExternal:  cfg.Policy.AllowExternal,
		CallsPerMinute: cfg.CallsPerMinute,
		SendTimeout:    cfg.MeetingTimeout,
		AllRunning:     cfg.PickerAllMeetings,
		Reservations:   reservations{st},
	})
	var interpreter commands.Interpreter
	if cfg.OpenAIKey != "" {
		interpreter = llm.New(llm.Config{
			APIKey: cfg.OpenAIKey, BaseURL: cfg.OpenAIBaseURL, Model: cfg.OpenAIModel, Timeout: cfg.OpenAITimeout,
			HTTP: &http.Client{Timeout: cfg.OpenAITimeout + time.Second},
		})
		logger.Info("plain-words requests are read by a model", "base_url", cfg.OpenAIBaseURL, "model", cfg.OpenAIModel)
	}
	// The app reads which meetings ended from presence: no callback, no cycle.
	app := slackapp.New(logger, sm, inviter, presence.Ended(), slackapp.Config{
		InviteTimeout: cfg.InviteTimeout,
		ShutdownGrace: cfg.ShutdownGrace,
		AckTimeout:    ackTimeout,
		Simulated:     cfg.MeetingSimulator,
		MaxPeople:     cfg.MaxPeople,
		MaxGroups:     cfg.MaxGroups,
		ConfirmAbove:  cfg.ConfirmAbove,
		AllowDirect:   cfg.AllowDirect,
		Policy:        cfg.Policy,
		MaxConcurrent: cfg.MaxConcurrent,
		QueuedAfter:   queuedAfter,
		Monitor:       mon,
		Interpreter:   interpreter,
		CallWatch:     cfg.CallStatusFor,
		CallPoll:      callPoll,
		RingingDMs:    cfg.RingingDMs,
		EscalateAfter: cfg.EscalateAfter,
		SentGrace:     cfg.MeetingTimeout + 15*time.Second, // the invite request, then its post
		ButtonSecret:  cfg.ButtonSecret,
		SlackAPIURL:   cfg.SlackAPIURL,
		DefaultLocale: cfg.DefaultLocale,
		Persons:       people, // their language: users.info's locale
		Store:         st,
		Owner:         owner,
		MoreSockets:   sockets[1:],
		StartLength:   cfg.StartLength,
		StartSubject:  cfg.StartSubject,
	})
	// Every in-memory table's size, read when /metrics is scraped; their
	// expired entries are dropped every minute (Presence has its own timer).
	for _, sizes := range []func() map[string]int{app.Sizes, inviter.Sizes, guard.Sizes, presence.Sizes, mc.Sizes, people.Sizes} {
		mon.metrics.Tables(sizes)
	}
	go pruneEvery(ctx, time.Minute, app.Prune, inviter.Prune, guard.Prune, people.Prune, storePruner(ctx, st, logger.With("component", "store")))

	logger.Info("bot starting", "team_id", cfg.Policy.Home.TeamID, "enterprise_id", cfg.Policy.Home.EnterpriseID,
		"slack_api", cfg.SlackAPIURL, "meeting_api", cfg.MeetingAPIURL, "owner", owner, "socket_connections", cfg.SocketConnections)
	if err := app.Run(ctx); err != nil {
		return fmt.Errorf("slack: %w", err)
	}
	logger.Info("bot stopped")
	return nil
}

// pruneEvery calls each prune function every interval until ctx ends.
func pruneEvery(ctx context.Context, interval time.Duration, prunes ...func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for _, prune := range prunes {
				prune()
			}
		}
	}
}
