package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/bot"
	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackfake"
	"github.com/meet-invite/meet-invite/internal/store"
)

// These tests run the whole bot — run(), the real slack-go Socket Mode
// client and the real meeting client — against the project's fakes of Slack
// and Huawei Cloud Meeting on 127.0.0.1.

const (
	appID          = "fdb8e4699586458bbd10c834872dcc62"
	appKey         = "app-key-that-must-stay-secret"
	chairPassword  = "chair-pw-4711"
	running        = "914083136"
	notStarted     = "986030665"
	ended          = "900825541"
	full           = "955555555"
	aliceSIP       = "+99111244216210249"
	hidden         = "977777777" // the bot cannot read its host password
	hiddenPassword = "hidden-pw-8080"
)

// harness is one running bot wired to its own fakes.
type harness struct {
	slack *slackfake.Server
	meet  *meetingfake.Server
	logs  *syncBuffer
	ops   string // where the bot serves /healthz and /metrics
	stop  func() error
	env   map[string]string // the bot's environment: launch again with it to restart
}

// setup is what startBot starts; options change it.
type setup struct {
	env         map[string]string
	slack       slackfake.Config
	meeting     []func(*meetingfake.Config)
	meetLatency time.Duration // added to every answer of the meeting fake
}

type option func(*setup)

func withEnv(name, value string) option { return func(s *setup) { s.env[name] = value } }

func withSlack(f func(*slackfake.Config)) option { return func(s *setup) { f(&s.slack) } }

func withMeeting(f func(*meetingfake.Config)) option {
	return func(s *setup) { s.meeting = append(s.meeting, f) }
}
func withMeetingLatency(d time.Duration) option { return func(s *setup) { s.meetLatency = d } }

func startBot(t *testing.T, opts ...option) *harness {
	t.Helper()
	b := newHarness(t, opts...)
	b.launch(t)
	return b
}

// newHarness starts the fakes and makes the bot's environment, without
// starting a bot.
func newHarness(t *testing.T, opts ...option) *harness {
	t.Helper()
	st := setup{env: map[string]string{}, slack: slackfake.Config{
		Users: []slackfake.User{
			{ID: "UCAROL", Name: "carol", RealName: "Carol Invoker", DisplayName: "Carol", Email: "carol@example.com"},
			{ID: "UALICE", Name: "alice", RealName: "Alice Appuser", DisplayName: "Alice", Email: "alice@example.com"},
			{ID: "UBOB", Name: "bob", RealName: "Bob Phone", Phone: "+44 20 7946 0000"},
			{ID: "UDAVE", Name: "dave", RealName: "Dave Nocontact"},
			{ID: "UERIN", Name: "erin", RealName: "Erin Gone", Email: "erin@example.com", Deleted: true},
			{ID: "UROBOT", Name: "robot", RealName: "Robot", IsBot: true},
		},
		Channels: []slackfake.Channel{
			{ID: "CGENERAL", Name: "general", Members: []string{"UCAROL", "UALICE", "UBOB"}, BotIsMember: true},
			{ID: "CSECRET", Name: "secret", Private: true, Members: []string{"UCAROL"}},
		},
		Groups: []slackfake.Group{{ID: "SENG", Handle: "eng", Members: []string{"UALICE", "UBOB"}}},
	}}
	for _, o := range opts {
		o(&st)
	}
	sf, err := slackfake.Start(st.slack)
	require.NoError(t, err)
	t.Cleanup(sf.Close)

	mcfg := meetingfake.Config{
		AppID: appID, AppKey: appKey,
		PSTNEnabled: true,
		Latency:     st.meetLatency,
		Conferences: []meetingfake.Conference{
			{ID: running, Subject: "Weekly sync", State: "Created", ChairPassword: chairPassword, GuestPassword: "guest-1"},
			{ID: notStarted, Subject: "Later", State: "Schedule", ChairPassword: chairPassword},
			{ID: ended, Subject: "Yesterday", State: "Destroyed", ChairPassword: chairPassword},
			{ID: full, Subject: "Packed", State: "Created", ChairPassword: chairPassword, MaxParticipants: 1},
			{ID: hidden, Subject: "Board", State: "Created", ChairPassword: hiddenPassword, HidePasswords: true},
		},
		Directory: []meetingfake.DirectoryUser{
			{ID: "d1", Account: "alice", Name: "Alice Appuser", Email: "alice@example.com", Number: aliceSIP, Phone: "+8613800000001"},
		},
	}
	for _, f := range st.meeting {
		f(&mcfg)
	}
	mf, err := meetingfake.Start(mcfg)
	require.NoError(t, err)
	t.Cleanup(mf.Close)

	env := map[string]string{
		"DATABASE_URL":    store.Memory, // no file written; a test sets a file to restart on it
		"SLACK_BOT_TOKEN": sf.BotToken(),
		"SLACK_APP_TOKEN": sf.AppToken(),
		"SLACK_API_URL":   sf.APIURL(),
		"MEETING_API_URL": mf.URL(),
		"MEETING_APP_ID":  appID,
		"MEETING_APP_KEY": appKey,
		"LOG_LEVEL":       "debug",
		"SHUTDOWN_GRACE":  "5s",
		"OPS_ADDR":        freeAddr(t), // settle reads the work in flight from /metrics
		"RINGING_DMS":     "off",       // on in production; answers_test.go turns it on
	}
	maps.Copy(env, st.env)
	return &harness{slack: sf, meet: mf, logs: &syncBuffer{}, ops: env["OPS_ADDR"], env: env}
}

// launch runs the bot on the harness's fakes and configuration, and waits
// until it has connected.
func (b *harness) launch(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	before := b.slack.Connections()
	go func() {
		done <- run(ctx, nil, func(k string) string { return b.env[k] }, strings.NewReader(""), io.Discard, b.logs)
	}()

	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(15 * time.Second):
				t.Error("bot did not stop within 15s")
			}
		})
		return runErr
	}
	t.Cleanup(func() {
		_ = stop()
		assertNoSecrets(t, b.logs.String(), b.slack, chairPassword, hiddenPassword)
	})
	b.stop = stop

	require.Eventually(t, func() bool { return b.slack.Connections() > before }, 10*time.Second, 5*time.Millisecond,
		"bot connects over Socket Mode")
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	require.NoError(t, b.slack.WaitConnected(wctx), "bot connects over Socket Mode")
}

// command sends a slash command from Carol and returns the ack.
func (b *harness) command(t *testing.T, channel, text string) slackfake.Ack {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, ack, err := b.slack.SlashCommand(ctx, slackfake.Command{UserID: "UCAROL", ChannelID: channel, Text: text})
	require.NoError(t, err)
	return ack
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

// settle waits until the bot has no request in flight, so that a test can
// then check that nothing more happened: what it waits for is the work
// ending, not time passing. With "calls", it waits for the following of
// calls to end too.
func (b *harness) settle(t *testing.T, also ...string) {
	t.Helper()
	settleAt(t, b.ops, also...)
}

// settleAt waits until the bot serving /metrics at ops has no work in
// flight (see settle).
func settleAt(t *testing.T, ops string, also ...string) {
	t.Helper()
	url := "http://" + ops + "/metrics"
	idle := func(work string) *regexp.Regexp {
		return regexp.MustCompile(`(?m)^meet_invite_in_flight\{work="` + work + `"\} 0$`)
	}
	want := []*regexp.Regexp{idle("request")}
	for _, w := range also {
		want = append(want, idle(w))
	}
	require.Eventually(t, func() bool {
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return false
		}
		for _, re := range want {
			if !re.Match(body) {
				return false
			}
		}
		return true
	}, 10*time.Second, 10*time.Millisecond, "the bot's work ends")
}

// waitMessages waits until n messages have been posted in all.
func (b *harness) waitMessages(t *testing.T, n int) []slackfake.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	msgs, err := b.slack.WaitMessages(ctx, n)
	require.NoError(t, err, "waiting for %d messages; have %v", n, b.slack.Messages())
	return msgs
}

// waitMatch waits until a message for which ok is true has been posted.
func (b *harness) waitMatch(t *testing.T, what string, ok func(slackfake.Message) bool) slackfake.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	m, err := b.slack.WaitMatch(ctx, ok)
	require.NoError(t, err, "waiting for %s; have %v", what, b.slack.Messages())
	return m
}

// blocksText returns every text in a Block Kit JSON array, one per line.
func blocksText(t *testing.T, blocks json.RawMessage) string {
	t.Helper()
	if len(blocks) == 0 {
		return ""
	}
	var v any
	require.NoError(t, json.Unmarshal(blocks, &v))
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if s, ok := v["text"].(string); ok {
				out = append(out, s)
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return strings.Join(out, "\n")
}

func ackText(t *testing.T, ack slackfake.Ack) string {
	t.Helper()
	require.NotNil(t, ack.Payload, "ack has a payload")
	var p struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	require.NoError(t, json.Unmarshal(ack.Payload, &p))
	assert.Equal(t, "ephemeral", p.ResponseType)
	return p.Text
}

func TestInviteEndToEnd(t *testing.T) {
	t.Parallel()
	b := startBot(t)

	ack := b.command(t, "CGENERAL", running+" <@UALICE|alice> <@UBOB|bob>")

	assert.Less(t, ack.Latency, 500*time.Millisecond, "acknowledged at once")
	assert.Contains(t, ackText(t, ack), "Inviting 2 people to meeting "+running)

	msgs := b.waitMessages(t, 1)
	post := msgs[0]
	assert.Equal(t, "post", post.Kind)
	assert.Equal(t, "CGENERAL", post.Channel)
	for _, want := range []string{"<@UCAROL>", "Weekly sync", running} {
		assert.Contains(t, post.Text, want)
	}
	blocks := blocksText(t, post.Blocks)
	for _, want := range []string{"<@UALICE>", "<@UBOB>", "<@UCAROL>", "Weekly sync", running} {
		assert.Contains(t, blocks, want)
	}
	assert.NotContains(t, blocks, "7946", "no phone number in the channel")

	invs := b.meet.Invitations(running)
	require.Len(t, invs, 1, "one invite call")
	got := invs[0].Attendees
	require.Len(t, got, 2)
	assert.Equal(t, "Alice", got[0].Name)
	assert.Equal(t, aliceSIP, got[0].Phone, "the directory's SIP number rings Alice's app")
	assert.Equal(t, "normal", got[0].Type)
	assert.Equal(t, "Bob Phone", got[1].Name)
	assert.Equal(t, "+442079460000", got[1].Phone, "Bob's profile phone, normalised")
	assert.Equal(t, "mobile", got[1].Type)
	for _, a := range got {
		require.NotNil(t, a.Role)
		assert.Equal(t, 0, *a.Role, "invitees are participants, not hosts")
	}

	// One audit line, with Huawei's ID of the accepted request and how each
	// person was reached, and no numbers.
	require.Eventually(t, func() bool { return strings.Contains(b.logs.String(), `"msg":"invitation done"`) }, 5*time.Second, 10*time.Millisecond)
	audit := regexp.MustCompile(`\{[^\n]*"msg":"invitation done"[^\n]*\}`).FindString(b.logs.String())
	assert.Contains(t, audit, `"request_id":"`+invs[0].RequestID+`"`)
	assert.Contains(t, audit, `"invited":["UALICE:app","UBOB:phone"]`)
	assert.Contains(t, audit, `"conference_id":"`+running+`"`)

	// Nothing went wrong, so there is no private note.
	b.settle(t)
	assert.Len(t, b.slack.Messages(), 1)

	// The post links the guest join URL (never the host's); a click on it
	// is acknowledged and nothing else happens.
	assert.Contains(t, string(post.Blocks), `"url":"https://c.meeting.huaweicloud.com/#/j/`+running+`/`)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, ack, err := b.slack.ClickButton(ctx, slackfake.Click{UserID: "UBOB", ChannelID: "CGENERAL", ActionID: "join_meeting", MessageTS: post.TS})
	require.NoError(t, err)
	assert.Nil(t, ack.Payload)
	b.settle(t)
	assert.Len(t, b.slack.Messages(), 1)
	assert.Len(t, b.meet.Invitations(running), 1)
}

func TestInviteReportsSkippedPeoplePrivately(t *testing.T) {
	t.Parallel()
	b := startBot(t)

	b.command(t, "CGENERAL", running+" <@UALICE> <@UDAVE> <@UERIN> <@UROBOT> <@UNOBODY>")

	msgs := b.waitMessages(t, 2)
	var post, private *slackfake.Message
	for i := range msgs {
		switch msgs[i].Kind {
		case "post":
			post = &msgs[i]
		case "response", "ephemeral":
			private = &msgs[i]
		}
	}
	require.NotNil(t, post, "Alice's invitation is posted in the channel")
	require.NotNil(t, private, "skipped people are reported privately")
	assert.Contains(t, post.Text, "1 person")
	if private.Kind == "response" {
		assert.Equal(t, "ephemeral", private.ResponseType)
	}
	text := private.Text
	assert.Contains(t, text, "4 people")
	assert.Contains(t, text, "<@UDAVE> — their Slack profile has no email or phone number")
	assert.Contains(t, text, "<@UERIN> — their Slack account is deactivated")
	assert.Contains(t, text, "<@UROBOT> — bots can't join meetings")
	assert.Contains(t, text, "<@UNOBODY> — I couldn't find this user in Slack")
	require.Len(t, b.meet.Invitations(running), 1)
	assert.Len(t, b.meet.Invitations(running)[0].Attendees, 1)
}

func TestInviteErrors(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	tests := []struct {
		name    string
		text    string
		fail    func()
		want    string
		wantRef bool
	}{
		{name: "meeting not found", text: "123456789 <@UALICE>", want: "I couldn't find meeting 123456789. Check the meeting ID and try again."},
		{name: "meeting not started", text: notStarted + " <@UALICE>", want: "Meeting " + notStarted + " hasn't started yet, or has already ended."},
		{name: "meeting ended", text: ended + " <@UALICE>", want: "Meeting " + ended + " has already ended."},
		{name: "participant limit", text: full + " <@UALICE> <@UBOB>", want: "Meeting " + full + " is full; it has reached its participant limit."},
		{
			name: "server error with a non-JSON body",
			text: running + " <@UALICE>",
			fail: func() {
				b.meet.FailNext(meetingfake.EndpointInvite, meetingfake.Failure{Status: 500, Body: "<html>upstream exploded</html>"})
			},
			want:    "Huawei Cloud Meeting isn't responding about meeting",
			wantRef: true,
		},
	}
	// Sequential on purpose: one bot serves them all, in turn, which also
	// shows that it keeps serving after each failure.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.fail != nil {
				tt.fail()
			}
			before := len(b.slack.Messages())
			b.command(t, "CGENERAL", tt.text)
			msgs := b.waitMessages(t, before+1)
			m := msgs[before]
			assert.NotEqual(t, "post", m.Kind, "failures are private")
			assert.Contains(t, m.Text, tt.want)
			assert.NotContains(t, m.Text, "{", "no raw JSON")
			if tt.wantRef {
				assert.Regexp(t, `ref [0-9a-zA-Z-]+`, m.Text)
			}
		})
	}
	assert.Empty(t, b.meet.Invitations(running), "nobody was invited")

	// Still serving.
	before := len(b.slack.Messages())
	b.command(t, "CGENERAL", running+" <@UALICE>")
	msgs := b.waitMessages(t, before+1)
	assert.Equal(t, "post", msgs[before].Kind)
	assert.Len(t, b.meet.Invitations(running), 1)
}

func TestInviteFallsBackWhenBotIsNotInChannel(t *testing.T) {
	t.Parallel()
	b := startBot(t)

	b.command(t, "CSECRET", running+" <@UALICE>")

	msgs := b.waitMessages(t, 1)
	assert.Equal(t, "response", msgs[0].Kind, "posted through the response_url")
	assert.Equal(t, "in_channel", msgs[0].ResponseType)
	assert.Contains(t, blocksText(t, msgs[0].Blocks), "<@UALICE>")
	assert.Equal(t, 1, b.slack.Calls("chat.postMessage"), "tried the channel first")
}

func TestCommandHelpAndBadInput(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	tests := []struct {
		text string
		want []string
	}{
		{text: "help", want: []string{"Usage:", "/meet-invite 914083136 @alice @bob"}},
		{text: running + " @alice", want: []string{"I can't tell who `@alice` is", "Usage:"}},
		{text: "12 <@UALICE>", want: []string{"`12` isn't a meeting ID", "Usage:"}},
	}
	for _, tt := range tests {
		ack := b.command(t, "CGENERAL", tt.text)
		text := ackText(t, ack)
		for _, w := range tt.want {
			assert.Contains(t, text, w, "command %q", tt.text)
		}
	}
	assert.Zero(t, b.meet.Calls(meetingfake.EndpointInvite))
	assert.Empty(t, b.slack.Messages(), "bad input is answered in the ack only")
}

func TestShutdownIsClean(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	b.command(t, "CGENERAL", running+" <@UALICE>")
	b.waitMessages(t, 1)
	require.NoError(t, b.stop(), "run returns nil after its context is cancelled")
	assert.Contains(t, b.logs.String(), `"msg":"bot stopped"`)
}

func TestConfigErrorsNameEveryProblem(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"SLACK_BOT_TOKEN":    "xoxp-user-token-secret-1234",
		"MEETING_APP_ID":     appID,
		"MEETING_API_URL":    "ftp://example.com",
		"INVITE_TIMEOUT":     "soon",
		"INVITE_MAX_PEOPLE":  "-3",
		"DATABASE_URL":       "mysql://bot:db-secret-5678@db/meet",
		"SOCKET_CONNECTIONS": "11",
	}
	var stderr bytes.Buffer
	err := run(t.Context(), nil, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, &stderr)
	require.Error(t, err)
	msg := err.Error()
	for _, want := range []string{
		"SLACK_BOT_TOKEN must be a bot token starting with xoxb-",
		"SLACK_APP_TOKEN is missing",
		"MEETING_APP_KEY is missing",
		"MEETING_API_URL must be an http:// or https:// URL",
		"INVITE_TIMEOUT must be a positive duration",
		"INVITE_MAX_PEOPLE must be a positive whole number",
		"DATABASE_URL must start with postgres://",
		"SOCKET_CONNECTIONS must be at most 10",
	} {
		assert.Contains(t, msg, want)
	}
	assert.NotContains(t, msg, "secret-1234", "secret values are never echoed")
	assert.NotContains(t, msg, "db-secret-5678", "the database URL is never echoed")
}

func TestConfigAcceptsAccountAuthentication(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1",
		"MEETING_ACCOUNT": "bot@example.com", "MEETING_PASSWORD": " pass word ",
		"MEETING_API_URL": "https://api-intl.meeting.huaweicloud.com",
	}
	cfg, err := bot.LoadConfig(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, " pass word ", cfg.MeetingPassword)
	assert.Equal(t, "https://api-intl.meeting.huaweicloud.com/", cfg.MeetingAPIURL)
	assert.Equal(t, "https://slack.com/api/", cfg.SlackAPIURL)
	assert.Equal(t, 50, cfg.MaxPeople)
}

func TestDotEnvRealEnvironmentWins(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/.env"
	require.NoError(t, os.WriteFile(path, []byte("SLACK_BOT_TOKEN=xoxb-from-file\nSLACK_APP_TOKEN=xapp-from-file\n"), 0o600))
	real := map[string]string{"SLACK_BOT_TOKEN": "xoxb-from-env"}
	getenv, err := withDotEnv(func(k string) string { return real[k] }, path)
	require.NoError(t, err)
	assert.Equal(t, "xoxb-from-env", getenv("SLACK_BOT_TOKEN"))
	assert.Equal(t, "xapp-from-file", getenv("SLACK_APP_TOKEN"))

	getenv, err = withDotEnv(func(k string) string { return real[k] }, t.TempDir()+"/missing.env")
	require.NoError(t, err, "no .env is fine")
	assert.Equal(t, "", getenv("SLACK_APP_TOKEN"))
}

// assertNoSecrets fails if anything the bot logged or posted contains a
// token, the App Key or a host password.
func assertNoSecrets(t *testing.T, logs string, sf *slackfake.Server, extra ...string) {
	t.Helper()
	var posted strings.Builder
	for _, m := range sf.Messages() {
		posted.WriteString(m.Text)
		posted.Write(m.Blocks)
	}
	secrets := append([]string{appKey, sf.BotToken(), sf.AppToken()}, extra...)
	for _, s := range secrets {
		assert.NotContains(t, logs, s, "a secret leaked into the logs")
		assert.NotContains(t, posted.String(), s, "a secret leaked into Slack")
	}
	// Phone numbers, as in profiles and as dialled, stay out of logs and Slack.
	for _, phone := range []string{"+44 20 7946 0000", "+442079460000", "+8613800000001", "+8613800000009", aliceSIP} {
		assert.NotContains(t, logs, phone, "a phone number leaked into the logs")
		assert.NotContains(t, posted.String(), phone, "a phone number leaked into Slack")
	}
	// Control tokens the fake issued never appear either.
	for _, tok := range controlTokens(logs) {
		t.Errorf("a control token leaked into the logs: %s", tok)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestInviteWaitsOutSlackRateLimits(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	b.slack.FailNext("users.info", slackfake.Failure{Status: 429, RetryAfter: time.Second})

	start := time.Now()
	b.command(t, "CGENERAL", running+" <@UALICE>")
	msgs := b.waitMessages(t, 1)

	assert.Equal(t, "post", msgs[0].Kind, "Alice is invited once Slack lets the bot look her up")
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "Retry-After was honoured")
	assert.Equal(t, 3, b.slack.Calls("users.info"), "the invoker's guest check (rate limited, then retried) and Alice")
	assert.Len(t, b.meet.Invitations(running), 1)
}

func TestShutdownFinishesInvitationsInFlight(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	b.meet.FailNext(meetingfake.EndpointInvite, meetingfake.Failure{Delay: 700 * time.Millisecond})

	b.command(t, "CGENERAL", running+" <@UALICE>")
	require.NoError(t, b.stop(), "SIGTERM-like stop while Huawei is slow")

	msgs := b.slack.Messages()
	require.NotEmpty(t, msgs, "the invitation in flight still reported before exit")
	assert.Equal(t, "post", msgs[0].Kind)
	assert.Len(t, b.meet.Invitations(running), 1)
}

func TestMeetingSimulatorWithSlack(t *testing.T) {
	t.Parallel()
	sf, err := slackfake.Start(slackfake.Config{
		Users:    []slackfake.User{{ID: "UCAROL", Name: "carol"}, {ID: "UALICE", Name: "alice", Email: "alice@example.com"}},
		Channels: []slackfake.Channel{{ID: "CGENERAL", Name: "general", Members: []string{"UCAROL", "UALICE"}, BotIsMember: true}},
	})
	require.NoError(t, err)
	t.Cleanup(sf.Close)
	env := map[string]string{
		"DATABASE_URL":      store.Memory,
		"SLACK_BOT_TOKEN":   sf.BotToken(),
		"SLACK_APP_TOKEN":   sf.AppToken(),
		"SLACK_API_URL":     sf.APIURL(),
		"MEETING_SIMULATOR": "true", // no Huawei credentials needed
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	var logs syncBuffer
	go func() {
		done <- run(ctx, nil, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, &logs)
	}()
	t.Cleanup(func() { cancel(); <-done })
	wctx, wcancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer wcancel()
	require.NoError(t, sf.WaitConnected(wctx))

	_, ack, err := sf.SlashCommand(wctx, slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: "914083136 <@UALICE|alice>"})
	require.NoError(t, err)
	assert.Contains(t, string(ack.Payload), "Simulated meeting service")
	msgs, err := sf.WaitMessages(wctx, 1)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(msgs[0].Text, "[simulated] "), msgs[0].Text)
	assert.Contains(t, blocksText(t, msgs[0].Blocks), "nobody was really called")
	assert.Contains(t, logs.String(), "MEETING_SIMULATOR is on")
}

func TestRedeliveredEnvelopeCallsNobodyTwice(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	sent, _, err := b.slack.SlashCommand(ctx, slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: running + " <@UALICE>"})
	require.NoError(t, err)
	b.waitMessages(t, 1)

	require.NoError(t, b.slack.Redeliver(ctx, sent.EnvelopeID))
	require.Eventually(t, func() bool { return b.slack.AckCount(sent.EnvelopeID) == 2 },
		5*time.Second, 10*time.Millisecond, "the redelivery is acknowledged too")

	b.settle(t)
	assert.Len(t, b.meet.Invitations(running), 1, "but not acted on")
	assert.Len(t, b.slack.Messages(), 1)
}

// At shutdown, an invite request already sent to Huawei is let finish
// (within MEETING_TIMEOUT) and its post appears; work not sent yet is
// cancelled, and the invoker is told nobody was called.
func TestShutdownLetsASentInvitationFinish(t *testing.T) {
	t.Parallel()
	b := startBot(t, withEnv("SHUTDOWN_GRACE", "200ms"))
	b.meet.FailNext(meetingfake.EndpointInvite, meetingfake.Failure{Delay: time.Second})

	b.command(t, "CGENERAL", running+" <@UALICE>")
	require.Eventually(t, func() bool { return b.meet.Calls(meetingfake.EndpointInvite) == 1 }, 5*time.Second, 10*time.Millisecond,
		"the invite call is under way")
	require.NoError(t, b.stop())

	msgs := b.slack.Messages()
	require.Len(t, msgs, 1, "exactly one outcome")
	assert.Equal(t, "post", msgs[0].Kind)
	assert.Contains(t, msgs[0].Text, "invited 1 person")
	assert.Len(t, b.meet.Invitations(running), 1, "Alice rings, and the channel knows")
}

func TestShutdownCancelsWhatWasNotSent(t *testing.T) {
	t.Parallel()
	b := startBot(t, withEnv("SHUTDOWN_GRACE", "200ms"))
	b.meet.FailNext(meetingfake.EndpointConfDetail, meetingfake.Failure{Delay: 5 * time.Second})

	b.command(t, "CGENERAL", running+" <@UALICE>")
	require.Eventually(t, func() bool { return b.meet.Calls(meetingfake.EndpointConfDetail) == 1 }, 5*time.Second, 10*time.Millisecond,
		"the meeting is being read")
	require.NoError(t, b.stop())

	msgs := b.slack.Messages()
	require.Len(t, msgs, 1, "exactly one outcome, even when cut short")
	assert.Contains(t, msgs[0].Text, "I had to stop before calling anyone because I'm restarting. Nobody was called")
	assert.Zero(t, b.meet.Calls(meetingfake.EndpointInvite))
}

// controlTokens finds anything shaped like the fake's control tokens ("stb" and 48 hex digits, as Huawei's examples) in s.
func controlTokens(s string) []string {
	return regexp.MustCompile(`stb[0-9a-f]{48}`).FindAllString(s, -1)
}

func TestBurstBeyondTheLimitIsQueued(t *testing.T) {
	t.Parallel()
	b := startBot(t, withEnv("MAX_CONCURRENT_INVITATIONS", "1"))
	b.meet.FailNext(meetingfake.EndpointInvite, meetingfake.Failure{Delay: 1500 * time.Millisecond})

	first := b.command(t, "CGENERAL", running+" <@UALICE>")
	require.Eventually(t, func() bool { return b.meet.Calls(meetingfake.EndpointInvite) == 1 }, 5*time.Second, 10*time.Millisecond)
	second := b.command(t, "CGENERAL", running+" <@UBOB>")
	assert.Less(t, first.Latency, 500*time.Millisecond)
	assert.Less(t, second.Latency, 500*time.Millisecond, "acknowledged at once, even while waiting")
	assert.NotContains(t, ackText(t, first), "queued")
	assert.Contains(t, ackText(t, second), "yours is queued", "the ack itself says the request waits")

	msgs := b.waitMessages(t, 2)
	for _, m := range msgs {
		assert.Equal(t, "post", m.Kind, "both end with their outcome, and nothing else")
	}
	b.settle(t)
	assert.Len(t, b.slack.Messages(), 2)
	assert.Len(t, b.meet.Invitations(running), 2)
}
