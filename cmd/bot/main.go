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
	"os"
	"os/signal"
	"syscall"

	"github.com/joho/godotenv"

	"github.com/meet-invite/meet-invite/internal/bot"
	"github.com/meet-invite/meet-invite/internal/sandbox"
)

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

	cfg, err := bot.LoadConfig(getenv)
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
	return bot.Serve(ctx, cfg, logger)
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
