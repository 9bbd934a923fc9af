package preflight_test

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/meet-invite/meet-invite/internal/meeting"
	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/preflight"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

const (
	appID      = "fdb8e4699586458bbd10c834872dcc62"
	appKey     = "app-key-that-must-stay-secret"
	chairPW    = "chair-pw-4711"
	running    = "914083136"
	notStarted = "986030665"
	hidden     = "977777777"
	carolSIP   = "+99111244216210250"
)

type fakes struct {
	slack *slackfake.Server
	meet  *meetingfake.Server
	cfg   preflight.Config
}

func start(t *testing.T, slackCfg slackfake.Config, meetCfg meetingfake.Config) fakes {
	t.Helper()
	if slackCfg.Scopes == nil {
		slackCfg.Scopes = preflight.ManifestScopes
	}
	sf, err := slackfake.Start(slackCfg)
	require.NoError(t, err)
	t.Cleanup(sf.Close)
	meetCfg.AppID = appID
	if meetCfg.AppKey == "" {
		meetCfg.AppKey = appKey
	}
	meetCfg.Conferences = []meetingfake.Conference{
		{ID: running, Subject: "Weekly sync", ChairPassword: chairPW},
		{ID: notStarted, Subject: "Later", State: "Schedule", ChairPassword: chairPW},
		{ID: hidden, Subject: "Board", ChairPassword: chairPW, HidePasswords: true},
	}
	meetCfg.Directory = []meetingfake.DirectoryUser{{ID: "d1", Name: "Carol", Email: "carol@example.com", Number: carolSIP}}
	mf, err := meetingfake.Start(meetCfg)
	require.NoError(t, err)
	t.Cleanup(mf.Close)
	mf.Join(running, meetingfake.Participant{Name: "Carol", Number: carolSIP})
	return fakes{slack: sf, meet: mf, cfg: preflight.Config{
		SlackBotToken: sf.BotToken(), SlackAppToken: sf.AppToken(), SlackAPIURL: sf.APIURL(),
		MeetingAPIURL: mf.URL(), MeetingCreds: meeting.Credentials{AppID: appID, AppKey: appKey},
		Timeout: 5 * time.Second,
	}}
}

// run runs the check and returns its printed report.
func run(t *testing.T, cfg preflight.Config) (preflight.Report, string) {
	t.Helper()
	rep := preflight.Run(t.Context(), cfg)
	var out bytes.Buffer
	_, err := rep.WriteTo(&out)
	require.NoError(t, err)
	text := out.String()
	for _, secret := range []string{cfg.SlackBotToken, cfg.SlackAppToken, appKey, chairPW, carolSIP, carolSIP[1:]} {
		assert.NotContains(t, text, secret, "the report never shows a secret or a number")
	}
	return rep, text
}

func lineOf(t *testing.T, rep preflight.Report, name string) preflight.Line {
	t.Helper()
	for _, l := range rep.Lines {
		if l.Name == name {
			return l
		}
	}
	require.Failf(t, "no line", "%q in %+v", name, rep.Lines)
	return preflight.Line{}
}

func TestAllPass(t *testing.T) {
	t.Parallel()
	f := start(t, slackfake.Config{}, meetingfake.Config{})
	f.cfg.MeetingID = running
	rep, text := run(t, f.cfg)
	assert.True(t, rep.OK(), text)
	assert.Contains(t, text, "✓ bot token (auth.test): team Fake Workspace (T0FAKE), bot user @meet-invite (UBOT)")
	assert.Contains(t, text, "✓ granted scopes: all 12 that manifest.yml asks for")
	assert.Contains(t, text, "✓ app-level token (apps.connections.open)")
	assert.Contains(t, text, "✓ Socket Mode host reachable")
	assert.Contains(t, text, "✓ sign-in (App ID authentication)")
	assert.Contains(t, text, "✓ directory search: 1 entries; of the first 1, 1 with an email and 1 with a meeting number")
	for _, name := range []string{"confDetail", "host password readable", "control token", "ListOnlineConfAttendee", "wsToken", "control WebSocket (Subscribe)"} {
		assert.Equal(t, preflight.Pass, lineOf(t, rep, name).Status, name)
	}
	assert.Contains(t, text, "(1 online); closed")
	assert.Contains(t, text, "numbers seen: 1 +digits (as the bot calls them)")
	assert.Contains(t, text, "yes: the wsURL has no path")
	assert.Contains(t, text, "All checks passed.")
	assert.Equal(t, preflight.Identity{TeamID: "T0FAKE", Team: "Fake Workspace", BotUserID: "UBOT", BotName: "meet-invite"}, rep.Slack)
	assert.Equal(t, 1, f.meet.Calls(meetingfake.EndpointWebSocket))
	assert.Zero(t, f.meet.Calls(meetingfake.EndpointInvite), "nobody is called")
}

func TestWithoutMeetingID(t *testing.T) {
	t.Parallel()
	f := start(t, slackfake.Config{}, meetingfake.Config{})
	rep, text := run(t, f.cfg)
	assert.True(t, rep.OK(), text)
	assert.Contains(t, text, "meeting checks not run")
	assert.Zero(t, f.meet.Calls(meetingfake.EndpointConfDetail))
}

// An install from an older manifest, without calls:write, passes: the bot
// only leaves the call card out, and says so.
func TestWithoutTheOptionalScopes(t *testing.T) {
	t.Parallel()
	var scopes []string
	for _, s := range preflight.ManifestScopes {
		if !slices.Contains(preflight.OptionalScopes, s) {
			scopes = append(scopes, s)
		}
	}
	f := start(t, slackfake.Config{Scopes: scopes}, meetingfake.Config{})
	rep, text := run(t, f.cfg)
	assert.True(t, rep.OK(), text)
	assert.Contains(t, text, "✓ granted scopes: all that manifest.yml needs; not calls:write, so posts go without the call card")
}

func TestFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		slack     slackfake.Config
		meet      meetingfake.Config
		prepare   func(f *fakes)
		line      string
		want      []string
		wantSkips []string
	}{
		{name: "revoked bot token", prepare: func(f *fakes) { f.slack.RevokeBotToken() },
			line: "bot token (auth.test)", want: []string{"Slack answered token_revoked", "install the app again"},
			wantSkips: []string{"granted scopes"}},
		{name: "wrong bot token", prepare: func(f *fakes) { f.cfg.SlackBotToken = "xoxb-not-the-one" },
			line: "bot token (auth.test)", want: []string{"Slack answered invalid_auth", "Bot User OAuth Token"}},
		{name: "missing scope", slack: slackfake.Config{Scopes: slackfake.DefaultScopes},
			line: "granted scopes", want: []string{"missing chat:write.public", "reinstall the app"}},
		{name: "wrong app token", prepare: func(f *fakes) { f.cfg.SlackAppToken = "xapp-not-the-one" },
			line: "app-level token (apps.connections.open)", want: []string{"invalid_auth", "App-Level Tokens"},
			wantSkips: []string{"Socket Mode host reachable"}},
		{name: "wrong app key", prepare: func(f *fakes) { f.cfg.MeetingCreds.AppKey = "not-the-key" },
			line: "sign-in (App ID authentication)", want: []string{"Huawei answered HTTP 401", "check MEETING_APP_ID and MEETING_APP_KEY"},
			wantSkips: []string{"directory search", "meeting checks"}},
		{name: "huawei unreachable", prepare: func(f *fakes) { f.cfg.MeetingAPIURL = "http://" + refusedAddr(t) + "/" },
			line: "sign-in (App ID authentication)", want: []string{"network problem: connection to 127.0.0.1:", "refused", "HTTPS_PROXY"}},
		{name: "meeting not running", prepare: func(f *fakes) { f.cfg.MeetingID = notStarted },
			line: "confDetail", want: []string{"not running (state Schedule)", "start the meeting"},
			wantSkips: []string{"host password readable", "control token", "wsToken"}},
		{name: "host password hidden", prepare: func(f *fakes) { f.cfg.MeetingID = hidden },
			line: "host password readable", want: []string{"masked or not at all", "enterprise administrator"}},
		{name: "no wsToken", prepare: func(f *fakes) {
			f.meet.FailNext(meetingfake.EndpointWsToken, meetingfake.Failure{Status: 403, Code: "MMC.111070002", Msg: "no permission"})
		},
			line: "wsToken", want: []string{"Huawei answered HTTP 403 MMC.111070002", "asks for the participant list on each invitation"},
			wantSkips: []string{"control WebSocket (Subscribe)"}},
		{name: "refused websocket", meet: meetingfake.Config{WsURL: "ws://" + refusedAddr(t)},
			line: "control WebSocket (Subscribe)", want: []string{"network problem: connection to 127.0.0.1:", "refused", "allow outbound WebSocket"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := start(t, tt.slack, tt.meet)
			f.cfg.MeetingID = running
			if tt.prepare != nil {
				tt.prepare(&f)
			}
			rep, text := run(t, f.cfg)
			assert.False(t, rep.OK(), text)
			l := lineOf(t, rep, tt.line)
			assert.Equal(t, preflight.Fail, l.Status, text)
			got := l.Detail + " → " + l.Advice
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
			for _, s := range tt.wantSkips {
				assert.Equal(t, preflight.Skip, lineOf(t, rep, s).Status, s)
			}
			assert.Contains(t, text, "✗ "+tt.line)
			assert.Contains(t, text, "check(s) failed")
			assert.Zero(t, f.meet.Calls(meetingfake.EndpointInvite), "nobody is called")
		})
	}
}

// TestManifestScopes keeps ManifestScopes in step with manifest.yml.
func TestManifestScopes(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../manifest.yml")
	require.NoError(t, err)
	var m struct {
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &m))
	assert.Equal(t, m.OAuth.Scopes.Bot, preflight.ManifestScopes)
	assert.NotContains(t, strings.Join(preflight.ManifestScopes, ","), " ")
}
