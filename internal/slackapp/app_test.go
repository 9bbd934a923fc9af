package slackapp_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackapp"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// These tests run the app's handlers in slackapp itself: slack-go's Socket
// Mode client against slackfake, the real inviter and meeting client
// against meetingfake.

const (
	appID    = "fdb8e4699586458bbd10c834872dcc62"
	appKey   = "app-key-that-must-stay-secret"
	running  = "914083136"
	chairPW  = "chair-pw-4711"
	crowdLen = 30
)

// app is one running App wired to its own fakes.
type app struct {
	slack *slackfake.Server
	meet  *meetingfake.Server
}

// appSetup is what startApp starts beyond its defaults.
type appSetup struct {
	scopes   []string // bot scopes granted besides slackfake.DefaultScopes
	presence bool
	inviter  commands.Config // the inviter's, besides MaxPeople 50
}

type appOption func(*appSetup)

// withScopes grants the app more bot scopes than slackfake's defaults.
func withScopes(scopes ...string) appOption {
	return func(s *appSetup) { s.scopes = append(s.scopes, scopes...) }
}

// withPresence has the inviter follow the meetings it invites into live
// (meeting.Presence), and the app hear them end.
func withPresence() appOption { return func(s *appSetup) { s.presence = true } }

// withInviter configures the inviter (MaxPeople is 50 unless set).
func withInviter(cfg commands.Config) appOption { return func(s *appSetup) { s.inviter = cfg } }

// startApp starts an App whose workspace has a #crowd channel of
// crowdLen people and an @crowd user group of the same people.
func startApp(t *testing.T, cfg slackapp.Config, opts ...appOption) *app {
	t.Helper()
	var setup appSetup
	for _, o := range opts {
		o(&setup)
	}
	var crowd []string
	users := []slackfake.User{
		{ID: "UCAROL", Name: "carol", RealName: "Carol Invoker", Email: "carol@example.com"},
		{ID: "UELENA", Name: "elena", RealName: "Elena Invocadora", Email: "elena@example.com", Locale: "es-ES"},
	}
	for i := range crowdLen {
		id := fmt.Sprintf("UCROWD%04d", i)
		users = append(users, slackfake.User{ID: id, Name: fmt.Sprintf("crowd%d", i), Phone: fmt.Sprintf("+4420794%05d", i)})
		crowd = append(crowd, id)
	}
	sf, err := slackfake.Start(slackfake.Config{
		Users: users,
		Channels: []slackfake.Channel{
			{ID: "CGENERAL", Name: "general", Members: []string{"UCAROL"}, BotIsMember: true},
			{ID: "CCROWD", Name: "crowd", Members: append([]string{"UCAROL"}, crowd...), BotIsMember: true},
			{ID: "GSECRET", Name: "secret-merger", Private: true, Members: []string{"UCAROL"}, BotIsMember: true},
		},
		Groups: []slackfake.Group{{ID: "SCROWD", Handle: "crowd", Members: crowd}},
		Scopes: append(slices.Clone(slackfake.DefaultScopes), setup.scopes...),
	})
	require.NoError(t, err)
	t.Cleanup(sf.Close)
	mf, err := meetingfake.Start(meetingfake.Config{
		AppID: appID, AppKey: appKey, PSTNEnabled: true,
		Conferences: []meetingfake.Conference{{ID: running, Subject: "Weekly sync", State: "Created", ChairPassword: chairPW}},
	})
	require.NoError(t, err)
	t.Cleanup(mf.Close)

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	mc, err := meeting.NewClient(meeting.Credentials{AppID: appID, AppKey: appKey},
		meeting.WithBaseURL(mf.URL()), meeting.WithHTTPClient(&http.Client{Timeout: 5 * time.Second}))
	require.NoError(t, err)
	api := slack.New(sf.BotToken(), slack.OptionAppLevelToken(sf.AppToken()), slack.OptionAPIURL(sf.APIURL()))
	people := slackapp.NewPeople(api, time.Minute)
	guard := commands.NewGuard(cfg.Policy, people, log, time.Minute, nil)
	var (
		presence commands.Presence
		ended    <-chan string
	)
	if setup.presence {
		p := meeting.NewPresence(mc, 0)
		t.Cleanup(p.Close) // after the app stops
		presence, ended = p, p.Ended()
	}
	icfg := setup.inviter
	if icfg.MaxPeople == 0 {
		icfg.MaxPeople = 50
	}
	inviter := commands.NewInviter(people, mc, presence, guard, log, icfg)
	if cfg.Persons == nil {
		cfg.Persons = people // each person's language, as production wires it
	}
	if cfg.SlackAPIURL == "" {
		cfg.SlackAPIURL = sf.APIURL() // the fake's response_urls are on its host
	}
	a := slackapp.New(log, socketmode.New(api), inviter, ended, withTestDefaults(cfg))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	wctx, wcancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer wcancel()
	require.NoError(t, sf.WaitConnected(wctx))
	return &app{slack: sf, meet: mf}
}

// testSecret signs the apps' buttons, so that tests can press buttons
// the app did not post (slackapp.SignButton).
var testSecret = []byte("a test secret of at least 32 characters")

// withTestDefaults fills what a test leaves zero (internal/bot does this
// in production, from the configuration).
func withTestDefaults(c slackapp.Config) slackapp.Config {
	if c.InviteTimeout == 0 {
		c.InviteTimeout = 10 * time.Second
	}
	if c.ShutdownGrace == 0 {
		c.ShutdownGrace = 5 * time.Second
	}
	if c.AckTimeout == 0 {
		c.AckTimeout = 2 * time.Second
	}
	if c.MaxConcurrent == 0 {
		c.MaxConcurrent = 4
	}
	if c.QueuedAfter == 0 {
		c.QueuedAfter = time.Second
	}
	if c.CallWatch == 0 {
		c.CallWatch = -1 // off: these tests look at the first post
	}
	if c.CallPoll == 0 {
		c.CallPoll = time.Second
	}
	if c.ButtonSecret == nil {
		c.ButtonSecret = testSecret
	}
	return c
}

// waitMessages waits until Slack has recorded n messages.
func (a *app) waitMessages(t *testing.T, n int) []slackfake.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	msgs, err := a.slack.WaitMessages(ctx, n)
	require.NoError(t, err, "waiting for %d messages; have %d", n, len(a.slack.Messages()))
	return msgs
}

// choose types typed into the form's meeting picker (Slack sends the app a
// block_suggestion) and returns the picker's state with the option of
// value chosen, which the app must have offered.
func (a *app) choose(t *testing.T, viewID, typed, value string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	opts, err := a.slack.Suggest(ctx, slackfake.Suggestion{ViewID: viewID, ActionID: "meeting_id", Value: typed})
	require.NoError(t, err)
	for _, o := range opts {
		if o.Value == value {
			return map[string]any{"selected_option": map[string]any{"value": value}}
		}
	}
	require.Failf(t, "option not offered", "typing %q offered %+v, not %q", typed, opts, value)
	return nil
}
