package main

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/preflight"
	"github.com/meet-invite/meet-invite/internal/slackfake"
	"github.com/meet-invite/meet-invite/internal/store"
	"github.com/meet-invite/meet-invite/internal/version"
)

// checkFakes starts a Slack workspace with the app installed from
// manifest.yml and a meeting service, and returns the bot's environment.
func checkFakes(t *testing.T, meetCfg meetingfake.Config) (*slackfake.Server, *meetingfake.Server, map[string]string) {
	t.Helper()
	sf, err := slackfake.Start(slackfake.Config{Scopes: preflight.ManifestScopes})
	require.NoError(t, err)
	t.Cleanup(sf.Close)
	meetCfg.AppID, meetCfg.AppKey = appID, appKey
	meetCfg.Conferences = []meetingfake.Conference{
		{ID: running, Subject: "Weekly sync", ChairPassword: chairPassword},
		{ID: notStarted, Subject: "Later", State: "Schedule", ChairPassword: chairPassword},
	}
	meetCfg.Directory = []meetingfake.DirectoryUser{{ID: "d1", Name: "Alice", Email: "alice@example.com", Number: aliceSIP}}
	mf, err := meetingfake.Start(meetCfg)
	require.NoError(t, err)
	t.Cleanup(mf.Close)
	mf.Join(running, meetingfake.Participant{Name: "Alice", Number: aliceSIP})
	return sf, mf, map[string]string{
		"SLACK_BOT_TOKEN": sf.BotToken(), "SLACK_APP_TOKEN": sf.AppToken(), "SLACK_API_URL": sf.APIURL(),
		"MEETING_API_URL": mf.URL(), "MEETING_APP_ID": appID, "MEETING_APP_KEY": appKey,
		"DATABASE_URL": store.Memory, // no meet-invite.db written beside the tests
	}
}

// runArgs runs the program with args and returns its output and error.
func runArgs(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(t.Context(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, io.Discard)
	return out.String(), err
}

func TestVersionAndHelp(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"version", "--version"} {
		out, err := runArgs(t, nil, arg)
		require.NoError(t, err)
		assert.Equal(t, version.Get().String()+"\n", out)
		assert.Contains(t, out, "go1.")
	}
	for _, arg := range []string{"help", "-h", "--help"} {
		out, err := runArgs(t, nil, arg)
		require.NoError(t, err)
		for _, sub := range []string{"bot check [MEETING_ID]", "bot sandbox", "bot version", "bot help"} {
			assert.Contains(t, out, sub, arg)
		}
	}
	_, err := runArgs(t, nil, "frobnicate")
	assert.ErrorContains(t, err, "run `bot help` for the subcommands")
}

// TestCheckPasses runs `bot check ID` against the fakes: every line ✓, exit 0.
func TestCheckPasses(t *testing.T) {
	t.Parallel()
	sf, mf, env := checkFakes(t, meetingfake.Config{})
	out, err := runArgs(t, env, "check", "914-083-136")
	require.NoError(t, err, out)
	assert.Contains(t, out, version.Get().String())
	assert.NotContains(t, out, "✗")
	assert.NotContains(t, out, "–")
	assert.Equal(t, 12, strings.Count(out, "✓"), out)
	assert.Contains(t, out, "All checks passed.")
	assert.Zero(t, mf.Calls(meetingfake.EndpointInvite), "nobody is called")
	assertNoSecrets(t, out, sf, chairPassword)
}

// TestCheckFails: each broken piece gives ✗ with the right advice and a
// non-zero exit (an error from run), and never prints a secret.
func TestCheckFails(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := ln.Addr().String()
	require.NoError(t, ln.Close())

	tests := []struct {
		name  string
		meet  meetingfake.Config
		setup func(sf *slackfake.Server, env map[string]string)
		id    string
		want  []string
	}{
		{name: "revoked bot token", setup: func(sf *slackfake.Server, _ map[string]string) { sf.RevokeBotToken() }, id: running,
			want: []string{"✗ bot token (auth.test): Slack answered token_revoked", "→ the bot token was revoked", "install the app again"}},
		{name: "wrong App Key", setup: func(_ *slackfake.Server, env map[string]string) { env["MEETING_APP_KEY"] = "wrong-key-do-not-print" }, id: running,
			want: []string{"✗ sign-in (App ID authentication): Huawei answered HTTP 401", "→ Huawei refused the credentials: check MEETING_APP_ID and MEETING_APP_KEY"}},
		{name: "meeting not running", id: notStarted,
			want: []string{"✗ confDetail: the meeting is not running (state Schedule)", "→ start the meeting"}},
		{name: "refused WebSocket", meet: meetingfake.Config{WsURL: "ws://" + refused}, id: running,
			want: []string{"✓ wsToken", "✗ control WebSocket (Subscribe): network problem: connection to " + refused + " refused", "→ allow outbound WebSocket connections"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sf, mf, env := checkFakes(t, tt.meet)
			if tt.setup != nil {
				tt.setup(sf, env)
			}
			out, err := runArgs(t, env, "check", tt.id)
			require.Error(t, err, "a failed check exits non-zero")
			assert.Contains(t, err.Error(), "check(s) failed")
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
			assert.Zero(t, mf.Calls(meetingfake.EndpointInvite), "nobody is called")
			assertNoSecrets(t, out+err.Error(), sf, chairPassword, "wrong-key-do-not-print")
		})
	}
}

func TestCheckBadArguments(t *testing.T) {
	t.Parallel()
	_, err := runArgs(t, nil, "check", "12ab")
	assert.ErrorContains(t, err, `"12ab" is not a meeting ID`)
	_, err = runArgs(t, nil, "check", running, "extra")
	assert.ErrorContains(t, err, "too many arguments")
	_, err = runArgs(t, map[string]string{"OPS_ADDR": "nonsense"}, "check")
	assert.ErrorContains(t, err, "OPS_ADDR must be host:port", "configuration problems are reported before any call")
}

// TestSandboxCheck runs the check against the sandbox's simulators.
func TestSandboxCheck(t *testing.T) {
	t.Parallel()
	out, err := runArgs(t, nil, "sandbox", "check", "914083136")
	require.NoError(t, err, out)
	assert.Contains(t, out, "All checks passed.")
}
