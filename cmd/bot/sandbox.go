package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/meet-invite/meet-invite/internal/bot"
	"github.com/meet-invite/meet-invite/internal/sandbox"
)

// startSandbox starts the simulated Slack and meeting service and returns
// them with the bot's configuration for them; close the world when done.
func startSandbox(getenv func(string) string) (*sandbox.World, bot.Config, error) {
	w, err := sandbox.Start()
	if err != nil {
		return nil, bot.Config{}, err
	}
	cfg, err := bot.LoadConfig(w.Getenv(getenv))
	if err != nil {
		w.Close()
		return nil, bot.Config{}, err
	}
	return w, cfg, nil
}

// runSandbox runs the real bot against an embedded Slack workspace and
// meeting simulator, with a prompt on stdin/stdout. No account is needed.
func runSandbox(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("v", false, "write the bot's logs to standard error")
	if err := fs.Parse(args); err != nil {
		return err
	}

	w, cfg, err := startSandbox(getenv)
	if err != nil {
		return err
	}
	defer w.Close()
	logOut := io.Discard
	if *verbose {
		logOut = stderr
	}
	logger := slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: cfg.LogLevel}))

	botCtx, stopBot := context.WithCancel(ctx)
	defer stopBot()
	done := make(chan error, 1)
	go func() { done <- bot.Serve(botCtx, cfg, logger) }()

	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := w.Slack.WaitConnected(wctx); err != nil {
		return fmt.Errorf("the bot did not connect to the simulated Slack: %w", err)
	}

	shellErr := sandbox.NewShell(w, stdout, isTerminal(stdin)).Run(ctx, stdin)
	stopBot()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return shellErr
}

// isTerminal reports whether r is an interactive terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
