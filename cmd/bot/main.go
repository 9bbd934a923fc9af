// Command bot connects Slack (Socket Mode) to Huawei Cloud Meeting: people
// type /meet-invite in Slack and the bot calls colleagues into a running
// meeting.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/joho/godotenv"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/llm"
	"github.com/meet-invite/meet-invite/internal/meeting"
	"github.com/meet-invite/meet-invite/internal/ops"
	"github.com/meet-invite/meet-invite/internal/sandbox"
	"github.com/meet-invite/meet-invite/internal/slackapp"
)

// slackTimeout bounds one Slack Web API request.
const slackTimeout = 10 * time.Second

func main() {
	getenv, err := withDotEnv(os.Getenv, ".env")
	if err != nil {
		fmt.Fprintf(os.Stderr, "bot: %v\n", err)
		os.Exit(1)
	}
	if err := run(context.Background(), os.Args[1:], getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "bot: %v\n", err)
		os.Exit(1)
	}
}

// run is the whole program. It returns when ctx is cancelled or on SIGINT or
// SIGTERM (after in-flight invitations finish, within a grace period), or
// with an error when the configuration is wrong or Slack refuses the app.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	if len(args) > 0 {
		if args[0] == "sandbox" {
			return runSandbox(ctx, args[1:], getenv, stdin, stdout, stderr)
		}
		return fmt.Errorf("unknown argument %q (usage: bot [sandbox [-v]])", args[0])
	}

	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	if cfg.MeetingSimulator {
		sim, err := sandbox.StartMeeting()
		if err != nil {
			return err
		}
		defer sim.Close()
		cfg.MeetingAPIURL = sim.URL()
		cfg.MeetingAppID, cfg.MeetingAppKey = sandbox.MeetingCredentials()
		cfg.MeetingUserID, cfg.MeetingAccount, cfg.MeetingPassword = "", "", ""
		logger.Warn("MEETING_SIMULATOR is on: invitations go to the built-in meeting simulator, nobody is called", "meeting_api", sim.URL())
	}
	return serve(ctx, cfg, logger)
}

// serve wires the real clients together and runs the bot until ctx ends.
func serve(ctx context.Context, cfg config, logger *slog.Logger) error {
	mon := monitor{metrics: ops.NewMetrics(), health: &ops.Health{}}
	if cfg.OpsAddr != "" {
		addr, err := ops.Serve(ctx, cfg.OpsAddr, mon.health, mon.metrics, logger.With("component", "ops"))
		if err != nil {
			return fmt.Errorf("ops listener: %w", err)
		}
		logger.Info("serving /healthz and /metrics", "addr", addr)
	}

	mc, err := meeting.NewClient(
		meeting.Credentials{
			AppID: cfg.MeetingAppID, AppKey: cfg.MeetingAppKey, UserID: cfg.MeetingUserID,
			Account: cfg.MeetingAccount, Password: cfg.MeetingPassword,
		},
		meeting.WithBaseURL(cfg.MeetingAPIURL),
		meeting.WithHTTPClient(&http.Client{
			Timeout:   cfg.MeetingTimeout,
			Transport: mon.metrics.Transport(ops.ServiceMeeting, nil),
			// Never follow redirects: X-Password and tokens must not travel elsewhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}),
		meeting.WithLogger(logger.With("component", "meeting")),
	)
	if err != nil {
		return fmt.Errorf("meeting client: %w", err)
	}

	api := slack.New(cfg.SlackBotToken,
		slack.OptionAppLevelToken(cfg.SlackAppToken),
		slack.OptionHTTPClient(&http.Client{Timeout: slackTimeout, Transport: mon.metrics.Transport(ops.ServiceSlack, nil)}),
		slack.OptionRetry(3), // 429 only, waiting Retry-After; after OptionHTTPClient
		slack.OptionAPIURL(cfg.SlackAPIURL),
	)
	sm := socketmode.New(api,
		socketmode.OptionLog(slog.NewLogLogger(logger.With("component", "socketmode").Handler(), slog.LevelDebug)),
	)

	inviter := commands.NewInviter(slackapp.NewPeople(api), mc, logger, commands.Config{
		MaxPeople:   cfg.MaxPeople,
		CacheTTL:    cfg.LookupTTL,
		AllowDirect: cfg.AllowDirect,
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

	logger.Info("bot starting", "slack_api", cfg.SlackAPIURL, "meeting_api", cfg.MeetingAPIURL)
	if err := app.Run(ctx); err != nil {
		return fmt.Errorf("slack: %w", err)
	}
	logger.Info("bot stopped")
	return nil
}

// withDotEnv returns a getenv that also reads variables from the .env file
// at path, if there is one. Variables set in the real environment win.
func withDotEnv(getenv func(string) string, path string) (func(string) string, error) {
	file, err := godotenv.Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return getenv, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return file[name]
	}, nil
}
