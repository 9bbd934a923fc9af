package preflight

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// Config is what `bot check` checks: the bot's own configuration.
type Config struct {
	SlackBotToken string
	SlackAppToken string
	SlackAPIURL   string // ends in "/"

	MeetingAPIURL     string
	MeetingCreds      meeting.Credentials
	MeetingSimulated  bool   // the built-in simulator stands in for Huawei
	MeetingID         string // a running meeting to check the control path on; "" leaves it out
	Timeout           time.Duration
	SubscribeDeadline time.Duration // how long to wait for the full list after Subscribe; default 5 s

	// HTTP is the client for both services; nil means one that honours
	// HTTPS_PROXY and friends, with Timeout.
	HTTP *http.Client
}

// Status is a Line's outcome.
type Status int

const (
	Pass Status = iota
	Fail
	Skip // not checked because an earlier check failed
	Info // what the tenant answered; neither passes nor fails
)

func (s Status) mark() string {
	switch s {
	case Pass:
		return "✓"
	case Fail:
		return "✗"
	case Skip:
		return "–"
	}
	return "·"
}

// Line is one check.
type Line struct {
	Section string // "Slack", "Huawei Cloud Meeting", …
	Status  Status
	Name    string // what was checked, e.g. "bot token (auth.test)"
	Detail  string // what was found
	Advice  string // what to do, for Fail and Skip
}

// Report is the outcome of Run.
type Report struct {
	Lines []Line
	Slack Identity // from auth.test, when it passed
}

// Identity is who the bot token belongs to.
type Identity struct {
	TeamID, Team, BotUserID, BotName, EnterpriseID string
}

// OK reports whether every check passed (Info lines aside).
func (r Report) OK() bool {
	for _, l := range r.Lines {
		if l.Status == Fail || l.Status == Skip {
			return false
		}
	}
	return true
}

// Failed counts the checks that failed and those not run because of them.
func (r Report) Failed() (failed, skipped int) {
	for _, l := range r.Lines {
		switch l.Status {
		case Fail:
			failed++
		case Skip:
			skipped++
		}
	}
	return failed, skipped
}

// Verdict is the report's last line.
func (r Report) Verdict() string {
	failed, skipped := r.Failed()
	switch {
	case failed == 0 && skipped == 0:
		return "All checks passed."
	case skipped == 0:
		return strconv.Itoa(failed) + " check(s) failed."
	}
	return strconv.Itoa(failed) + " check(s) failed; " + strconv.Itoa(skipped) + " could not run because of them."
}

// WriteTo prints the report: a heading per section, one line per check, the
// advice under a failure, and a closing verdict.
func (r Report) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	section := ""
	for _, l := range r.Lines {
		if l.Section != section {
			section = l.Section
			fmt.Fprintf(&b, "\n%s\n", section)
		}
		line := "  " + l.Status.mark() + " " + l.Name
		if l.Detail != "" {
			line += ": " + l.Detail
		}
		if l.Status == Skip && l.Advice != "" {
			line += " (not run: " + l.Advice + ")"
		}
		b.WriteString(line + "\n")
		if l.Advice != "" && l.Status == Fail {
			fmt.Fprintf(&b, "      → %s\n", l.Advice)
		}
	}
	b.WriteString("\n" + r.Verdict() + "\n")
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// Run performs every check in turn and returns the report. It never calls
// anyone and leaves nothing open.
func Run(ctx context.Context, cfg Config) Report {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.SubscribeDeadline <= 0 {
		cfg.SubscribeDeadline = 5 * time.Second
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{
			Timeout:   cfg.Timeout,
			Transport: http.DefaultTransport.(*http.Transport).Clone(), // HTTPS_PROXY, HTTP_PROXY, NO_PROXY
			// Never follow redirects: tokens and the host password travel in headers.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	var r Report
	r.Slack = checkSlack(ctx, cfg, &r)
	checkMeeting(ctx, cfg, &r)
	return r
}

func (r *Report) add(l Line) { r.Lines = append(r.Lines, l) }

// networkOr describes err as a network problem when it is one, else with
// what.
func networkOr(err error, what string) (detail, advice string, network bool) {
	if msg, ok := NetworkProblem(err); ok {
		return "network problem: " + msg, "allow outbound HTTPS to this host, or set HTTPS_PROXY (see README, Network)", true
	}
	return what, "", false
}
