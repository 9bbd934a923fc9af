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
	"github.com/meet-invite/meet-invite/internal/version"
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
		switch args[0] {
		case "sandbox":
			if len(args) > 1 && args[1] == "check" {
				return runSandboxCheck(ctx, args[2:], getenv, stdout)
			}
			return runSandbox(ctx, args[1:], getenv, stdin, stdout, stderr)
		case "check":
			return runCheck(ctx, args[1:], getenv, stdout)
		case "version", "--version", "-version":
			_, err := fmt.Fprintln(stdout, version.Get())
			return err
		case "help", "-h", "--help", "-help":
			_, err := io.WriteString(stdout, usage)
			return err
		}
		return fmt.Errorf("unknown argument %q (run `bot help` for the subcommands)", args[0])
	}

	cfg, err := bot.LoadConfig(getenv)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	v := version.Get()
	logger.Info("meet-invite starting", "version", v.Version, "commit", v.Commit, "go", v.GoVersion)
	stopSim, err := useSimulator(&cfg)
	if err != nil {
		return err
	}
	defer stopSim()
	if cfg.MeetingSimulator {
		logger.Warn("MEETING_SIMULATOR is on: invitations go to the built-in meeting simulator, nobody is called", "meeting_api", cfg.MeetingAPIURL)
	}
	return bot.Serve(ctx, cfg, logger)
}

// usage is what `bot help` prints.
const usage = `meet-invite: pull colleagues into a running Huawei Cloud Meeting from Slack.

Usage:
  bot                       run the bot (configuration from the environment and .env)
  bot check [MEETING_ID]    check the configuration against Slack and Huawei; calls nobody.
                            With the ID of a running meeting it also checks the host password,
                            the control token, the participant list and the control WebSocket.
                            Exit status 0 only when every check passes.
  bot sandbox [-v]          try the bot against a simulated Slack and meeting service
  bot sandbox check [ID]    run the check against the simulated Slack and meeting service
  bot version               version, commit and Go version (also --version)
  bot help                  this text (also -h, --help)

See README.md ("Going live") for the variables.
`

// useSimulator points cfg at the built-in meeting simulator when
// MEETING_SIMULATOR is on, and returns what stops it.
func useSimulator(cfg *bot.Config) (stop func(), err error) {
	if !cfg.MeetingSimulator {
		return func() {}, nil
	}
	sim, err := sandbox.StartMeeting()
	if err != nil {
		return nil, err
	}
	cfg.MeetingAPIURL = sim.URL()
	cfg.MeetingAppID, cfg.MeetingAppKey = sandbox.MeetingCredentials()
	cfg.MeetingUserID, cfg.MeetingAccount, cfg.MeetingPassword = "", "", ""
	return sim.Close, nil
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
