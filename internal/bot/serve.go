package bot

import (
	"context"
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
)

// slackTimeout bounds one Slack Web API request.
const slackTimeout = 10 * time.Second

// followFor is how long after the last invitation into a meeting the bot
// keeps following it (one WebSocket and a heartbeat a minute), so that its
// posts can say when it ends.
const followFor = 2 * time.Hour

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
	pool := func() http.RoundTripper {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 2 * cfg.MaxConcurrent
		return t
	}

	mc, err := meeting.NewClient(
		meeting.Credentials{
			AppID: cfg.MeetingAppID, AppKey: cfg.MeetingAppKey, UserID: cfg.MeetingUserID,
			Account: cfg.MeetingAccount, Password: cfg.MeetingPassword,
		},
		meeting.WithBaseURL(cfg.MeetingAPIURL),
		meeting.WithHTTPClient(&http.Client{
			Timeout:   cfg.MeetingTimeout,
			Transport: mon.metrics.Transport(ops.ServiceMeeting, pool()),
			// Never follow redirects: X-Password and tokens must not travel elsewhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}),
		meeting.WithLogger(logger.With("component", "meeting")),
	)
	if err != nil {
		return fmt.Errorf("meeting client: %w", err)
	}

	go signInAtStart(ctx, cfg.MeetingTimeout, mc, mon.health, logger) // startup.go

	api := slack.New(cfg.SlackBotToken,
		slack.OptionAppLevelToken(cfg.SlackAppToken),
		slack.OptionHTTPClient(&http.Client{Timeout: slackTimeout, Transport: mon.metrics.Transport(ops.ServiceSlack, pool())}),
		slack.OptionRetry(3), // 429 only, waiting Retry-After; after OptionHTTPClient
		slack.OptionAPIURL(cfg.SlackAPIURL),
	)
	if _, err := checkSlackAtStart(ctx, api, logger); err != nil { // startup.go; its Identity has the team ID
		return err
	}
	sm := socketmode.New(api,
		socketmode.OptionLog(slog.NewLogLogger(logger.With("component", "socketmode").Handler(), slog.LevelDebug)),
	)

	// Who is already in a meeting: asked alongside the lookups, then kept
	// up to date over the meeting's control WebSocket for followFor after
	// the last invitation into it, or until it ends.
	presence := meeting.NewPresence(mc, followFor)
	defer presence.Close()

	inviter := commands.NewInviter(slackapp.NewPeople(api), mc, logger, commands.Config{
		MaxPeople:   cfg.MaxPeople,
		Concurrency: 16, // a 10-person invitation looks everyone up at once; Slack's Tier 4 allows bursts
		CacheTTL:    cfg.LookupTTL,
		AllowDirect: cfg.AllowDirect,
		Presence:    presence,
	})
	var interpreter commands.Interpreter
	if cfg.OpenAIKey != "" {
		interpreter = llm.New(llm.Config{
			APIKey: cfg.OpenAIKey, BaseURL: cfg.OpenAIBaseURL, Model: cfg.OpenAIModel, Timeout: cfg.OpenAITimeout,
			HTTP: &http.Client{Timeout: cfg.OpenAITimeout + time.Second},
		})
		logger.Info("plain-words requests are read by a model", "base_url", cfg.OpenAIBaseURL, "model", cfg.OpenAIModel)
	}
	app := slackapp.New(logger, sm, inviter, slackapp.Config{
		InviteTimeout: cfg.InviteTimeout,
		CallWatch:     cfg.CallStatusFor,
		ShutdownGrace: cfg.ShutdownGrace,
		Simulated:     cfg.MeetingSimulator,
		MaxPeople:     cfg.MaxPeople,
		ConfirmAbove:  cfg.ConfirmAbove,
		AllowDirect:   cfg.AllowDirect,
		Policy:        cfg.Policy,
		MaxConcurrent: cfg.MaxConcurrent,
		Monitor:       mon,
		Interpreter:   interpreter,
	})

	presence.OnEnded(app.MeetingEnded) // its posts say so and lose their Join button

	logger.Info("bot starting", "slack_api", cfg.SlackAPIURL, "meeting_api", cfg.MeetingAPIURL)
	if err := app.Run(ctx); err != nil {
		return fmt.Errorf("slack: %w", err)
	}
	logger.Info("bot stopped")
	return nil
}
