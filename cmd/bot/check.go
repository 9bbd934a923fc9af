package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/meet-invite/meet-invite/internal/bot"
	"github.com/meet-invite/meet-invite/internal/meeting"
	"github.com/meet-invite/meet-invite/internal/preflight"
	"github.com/meet-invite/meet-invite/internal/version"
)

// runCheck is `bot check [MEETING_ID]`: the preflight with the real
// configuration. It returns an error (exit status 1) unless every check passes.
func runCheck(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	id, err := checkArgs(args)
	if err != nil {
		return err
	}
	cfg, err := bot.LoadConfig(getenv)
	if err != nil {
		return err
	}
	stopSim, err := useSimulator(&cfg)
	if err != nil {
		return err
	}
	defer stopSim()
	return check(ctx, cfg, id, stdout)
}

// runSandboxCheck is `bot sandbox check [MEETING_ID]`: the same check against
// the sandbox's simulated Slack and meeting service, to see what a passing
// check looks like (and for CI, with nothing but the binary).
func runSandboxCheck(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	id, err := checkArgs(args)
	if err != nil {
		return err
	}
	w, cfg, err := startSandbox(getenv)
	if err != nil {
		return err
	}
	defer w.Close()
	return check(ctx, cfg, id, stdout)
}

// checkArgs reads the optional meeting ID, written as in the slash command
// (914083136, 914-083-136 or 914.083.136).
func checkArgs(args []string) (string, error) {
	switch len(args) {
	case 0:
		return "", nil
	case 1:
		id := strings.NewReplacer("-", "", ".", "", " ", "").Replace(args[0])
		if len(id) < 6 || len(id) > 20 || strings.Trim(id, "0123456789") != "" {
			return "", fmt.Errorf("check: %q is not a meeting ID (6 to 20 digits)", args[0])
		}
		return id, nil
	}
	return "", fmt.Errorf("check: too many arguments (usage: bot check [MEETING_ID])")
}

func check(ctx context.Context, cfg bot.Config, meetingID string, stdout io.Writer) error {
	fmt.Fprintf(stdout, "%s: checking the configuration (nobody is called)\n", version.Get())
	rep := preflight.Run(ctx, preflight.Config{
		SlackBotToken: cfg.SlackBotToken,
		SlackAppToken: cfg.SlackAppToken,
		SlackAPIURL:   cfg.SlackAPIURL,
		MeetingAPIURL: cfg.MeetingAPIURL,
		MeetingCreds: meeting.Credentials{
			AppID: cfg.MeetingAppID, AppKey: cfg.MeetingAppKey, UserID: cfg.MeetingUserID,
			Account: cfg.MeetingAccount, Password: cfg.MeetingPassword,
		},
		MeetingSimulated: cfg.MeetingSimulator,
		MeetingID:        meetingID,
		Timeout:          cfg.MeetingTimeout,
	})
	if _, err := rep.WriteTo(stdout); err != nil {
		return err
	}
	if !rep.OK() {
		return fmt.Errorf("check: %s", rep.Verdict())
	}
	return nil
}
