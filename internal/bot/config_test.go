package bot_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/bot"
)

func base() map[string]string {
	return map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1",
		"MEETING_APP_ID": "app-id", "MEETING_APP_KEY": "key-1",
	}
}

func load(env map[string]string) (bot.Config, error) {
	return bot.LoadConfig(func(k string) string { return env[k] })
}

// TestSecretFiles: every secret may come from NAME_FILE (Docker and
// Kubernetes secrets), with the trailing line break dropped.
func TestSecretFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	env := map[string]string{
		"SLACK_BOT_TOKEN_FILE":  write("bot", "xoxb-from-file\n"),
		"SLACK_APP_TOKEN_FILE":  write("app", "xapp-from-file\r\n"),
		"MEETING_APP_ID_FILE":   write("id", "id-from-file"),
		"MEETING_APP_KEY_FILE":  write("key", "key-from-file\n"),
		"OPENAI_API_KEY_FILE":   write("openai", "sk-from-file\n"),
		"MEETING_PASSWORD_FILE": write("unused", " pass word \n"),
	}
	cfg, err := load(env)
	require.NoError(t, err)
	assert.Equal(t, "xoxb-from-file", cfg.SlackBotToken)
	assert.Equal(t, "xapp-from-file", cfg.SlackAppToken)
	assert.Equal(t, "id-from-file", cfg.MeetingAppID)
	assert.Equal(t, "key-from-file", cfg.MeetingAppKey)
	assert.Equal(t, "sk-from-file", cfg.OpenAIKey)
	assert.Equal(t, " pass word ", cfg.MeetingPassword, "a password keeps its spaces")
}

func TestSecretFileProblems(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\n"), 0o600))
	env := base()
	env["SLACK_BOT_TOKEN_FILE"] = filepath.Join(dir, "bot") // both set
	env["SLACK_APP_TOKEN"] = ""
	env["SLACK_APP_TOKEN_FILE"] = filepath.Join(dir, "missing")
	env["MEETING_APP_KEY"] = ""
	env["MEETING_APP_KEY_FILE"] = empty
	_, err := load(env)
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, "SLACK_BOT_TOKEN and SLACK_BOT_TOKEN_FILE are both set")
	assert.Contains(t, msg, "SLACK_APP_TOKEN_FILE: cannot read "+filepath.Join(dir, "missing")+" (no such file or directory)")
	assert.Contains(t, msg, "MEETING_APP_KEY_FILE: "+empty+" is empty")
	assert.NotContains(t, msg, "xoxb-1", "secret values are never echoed")
}

// TestOpsAddrCheckedWithTheRest: a bad OPS_ADDR is reported with the other
// problems, not later when the listener opens.
func TestOpsAddrCheckedWithTheRest(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:9090", true}, {":9090", true}, {"[::1]:0", true}, {"localhost:8080", true},
		{"9090", false}, {"127.0.0.1:http-alt", false}, {":99999", false}, {"http://0.0.0.0:9090", false},
	} {
		env := base()
		env["OPS_ADDR"] = tt.addr
		env["INVITE_TIMEOUT"] = "soon"
		_, err := load(env)
		require.Error(t, err)
		if tt.ok {
			assert.NotContains(t, err.Error(), "OPS_ADDR", tt.addr)
		} else {
			assert.Contains(t, err.Error(), "OPS_ADDR must be host:port", tt.addr)
			assert.Contains(t, err.Error(), "INVITE_TIMEOUT must be a positive duration", "reported together")
		}
	}
}

// DEFAULT_LOCALE names a catalogue, loosely ("es-ES" is Spanish); one the
// bot has no catalogue for is refused, naming those it has.
func TestDefaultLocale(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]string{"": "en", "es": "es", "es-ES": "es", "zh-CN": "zh-CN", "zh-Hans": "zh-CN"} {
		env := base()
		env["DEFAULT_LOCALE"] = v
		cfg, err := load(env)
		require.NoError(t, err, v)
		assert.Equal(t, want, cfg.DefaultLocale, v)
	}
	env := base()
	env["DEFAULT_LOCALE"] = "fr"
	_, err := load(env)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `DEFAULT_LOCALE must be one of en, es, zh-CN (got "fr")`)
}

// RINGING_DMS is on unless turned off; ESCALATE_AFTER is off unless set.
func TestAnswersAndEscalationSettings(t *testing.T) {
	t.Parallel()
	cfg, err := load(base())
	require.NoError(t, err)
	assert.True(t, cfg.RingingDMs, "on by default")
	assert.Zero(t, cfg.EscalateAfter, "off by default")

	env := base()
	env["RINGING_DMS"], env["ESCALATE_AFTER"] = "off", "30s"
	cfg, err = load(env)
	require.NoError(t, err)
	assert.False(t, cfg.RingingDMs)
	assert.Equal(t, 30*time.Second, cfg.EscalateAfter)

	env["ESCALATE_AFTER"] = "off"
	cfg, err = load(env)
	require.NoError(t, err)
	assert.Zero(t, cfg.EscalateAfter)

	env["RINGING_DMS"], env["ESCALATE_AFTER"] = "sometimes", "soon"
	_, err = load(env)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "RINGING_DMS must be on or off")
	assert.Contains(t, err.Error(), "ESCALATE_AFTER must be a positive duration")
}

// ESCALATE_AFTER rings phones while the calls are followed: it must be
// shorter than CALL_STATUS_FOR, which must be on.
func TestEscalationWithinTheFollowing(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, escalate, status, problem string
	}{
		{name: "within", escalate: "30s", status: "90s"},
		{name: "within the default", escalate: "89s"},
		{name: "as long", escalate: "90s", status: "90s", problem: "ESCALATE_AFTER (1m30s) must be shorter than CALL_STATUS_FOR (1m30s)"},
		{name: "longer than the default", escalate: "2m", problem: "ESCALATE_AFTER (2m0s) must be shorter than CALL_STATUS_FOR (1m30s)"},
		{name: "calls not followed", escalate: "30s", status: "off", problem: "ESCALATE_AFTER needs the calls followed, and CALL_STATUS_FOR is off"},
		{name: "escalation off", escalate: "off", status: "off"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := base()
			env["ESCALATE_AFTER"], env["CALL_STATUS_FOR"] = tt.escalate, tt.status
			_, err := load(env)
			if tt.problem == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.problem)
		})
	}
}

// Replicas sharing PostgreSQL must share BUTTON_SECRET: without it each
// would sign with a key of its own, and a button posted by one would do
// nothing on another. SQLite keeps a key it makes (see Serve).
func TestButtonSecretWithPostgres(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, url, secret string
		ok                bool
	}{
		{name: "postgres without", url: "postgres://bot:pw@db/meet"},
		{name: "postgresql without", url: "postgresql://db/meet"},
		{name: "postgres with", url: "postgres://bot:pw@db/meet", secret: strings.Repeat("s", 32), ok: true},
		{name: "sqlite file without", url: "sqlite:/var/lib/meet-invite.db", ok: true},
		{name: "default file without", ok: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := base()
			env["DATABASE_URL"], env["BUTTON_SECRET"] = tt.url, tt.secret
			_, err := load(env)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "BUTTON_SECRET is required with a PostgreSQL DATABASE_URL")
			assert.NotContains(t, err.Error(), "pw@", "the URL is not echoed")
		})
	}
}

// TestStartMeetingSettings: a meeting started from Slack is booked for
// whole minutes Huawei accepts, an hour by default, with a subject no
// longer than Huawei's.
func TestStartMeetingSettings(t *testing.T) {
	t.Parallel()
	c, err := load(base())
	require.NoError(t, err)
	assert.Equal(t, time.Hour, c.StartLength)
	assert.Empty(t, c.StartSubject)

	for _, tt := range []struct {
		length, problem string
		want            time.Duration
	}{
		{length: "15m", want: 15 * time.Minute}, {length: "24h", want: 24 * time.Hour}, {length: "90m", want: 90 * time.Minute},
		{length: "14m", problem: "START_MEETING_LENGTH must be whole minutes from 15m to 24h"},
		{length: "25h", problem: "START_MEETING_LENGTH must be whole minutes from 15m to 24h"},
		{length: "30m30s", problem: "START_MEETING_LENGTH must be whole minutes"},
		{length: "soon", problem: "START_MEETING_LENGTH must be a positive duration"},
	} {
		env := base()
		env["START_MEETING_LENGTH"] = tt.length
		env["START_MEETING_SUBJECT"] = "Call in #{channel}"
		c, err := load(env)
		if tt.problem != "" {
			require.Error(t, err, tt.length)
			assert.Contains(t, err.Error(), tt.problem, tt.length)
			continue
		}
		require.NoError(t, err, tt.length)
		assert.Equal(t, tt.want, c.StartLength)
		assert.Equal(t, "Call in #{channel}", c.StartSubject)
	}

	env := base()
	env["START_MEETING_SUBJECT"] = strings.Repeat("é", 129)
	_, err = load(env)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "START_MEETING_SUBJECT must be at most 128 characters")
}

// TestPickerAllMeetings: the picker lists only each person's own meetings
// unless PICKER_ALL_MEETINGS is on.
func TestPickerAllMeetings(t *testing.T) {
	t.Parallel()
	c, err := load(base())
	require.NoError(t, err)
	assert.False(t, c.PickerAllMeetings, "off by default")
	for value, want := range map[string]bool{"on": true, "true": true, "off": false} {
		env := base()
		env["PICKER_ALL_MEETINGS"] = value
		c, err := load(env)
		require.NoError(t, err, value)
		assert.Equal(t, want, c.PickerAllMeetings, value)
	}
	env := base()
	env["PICKER_ALL_MEETINGS"] = "everyone"
	_, err = load(env)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "PICKER_ALL_MEETINGS must be on or off")
}
