package slackfake_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// seed is a small workspace most tests share (each test starts its own Server).
func seed() slackfake.Config {
	return slackfake.Config{
		Users: []slackfake.User{
			{ID: "U1", Name: "alice", RealName: "Alice Liddell", DisplayName: "alice", Email: "alice@example.com",
				Phone: "+8613800000001", Title: "Engineer", TZ: "Asia/Shanghai", Locale: "zh-CN"},
			{ID: "U2", Name: "bob", RealName: "Bob Builder", Email: "bob@example.com"},
			{ID: "U3", Name: "carol", RealName: "Carol Danvers"},
		},
		Channels: []slackfake.Channel{
			{ID: "C1", Name: "general", Members: []string{"U1", "U2"}, BotIsMember: true},
			{ID: "C2", Name: "random", Members: []string{"U1", "U3"}},
			{ID: "G1", Name: "secret", Private: true, Members: []string{"U1"}},
			{ID: "G2", Name: "inner-circle", Private: true, Members: []string{"U2"}, BotIsMember: true},
		},
		Groups: []slackfake.Group{{ID: "S1", Handle: "eng", Name: "Engineering", Members: []string{"U1", "U2"}}},
	}
}

func start(t *testing.T, cfg slackfake.Config) *slackfake.Server {
	t.Helper()
	s, err := slackfake.Start(cfg)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

func apiClient(s *slackfake.Server) *slack.Client {
	return slack.New(s.BotToken(), slack.OptionAppLevelToken(s.AppToken()), slack.OptionAPIURL(s.APIURL()))
}

// timeout is a context for one test step.
func timeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

// runBot runs slack-go's Socket Mode client with the handlers register adds
// until the test ends, and waits for it to connect.
func runBot(t *testing.T, s *slackfake.Server, register func(*socketmode.SocketmodeHandler), opts ...socketmode.Option) {
	t.Helper()
	opts = append([]socketmode.Option{socketmode.OptionLog(log.New(io.Discard, "", 0))}, opts...)
	h := socketmode.NewSocketmodeHandler(socketmode.New(apiClient(s), opts...))
	h.HandleDefault(func(*socketmode.Event, *socketmode.Client) {})
	register(h)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = h.RunEventLoopContext(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	require.NoError(t, s.WaitConnected(timeout(t, 5*time.Second)))
}

// ackAll acks every slash command without a payload.
func ackAll(h *socketmode.SocketmodeHandler) {
	h.Handle(socketmode.EventTypeSlashCommand, func(evt *socketmode.Event, c *socketmode.Client) {
		_ = c.AckCtx(context.Background(), evt.Request.EnvelopeID, nil)
	})
}

// byEnvelope collects what handlers saw, keyed by envelope ID.
type byEnvelope[T any] struct {
	mu   sync.Mutex
	seen map[string][]T
	// opened gets the outcome of each views.open a handler made, so that a
	// test waits for the handler to be done with it before it ends.
	opened chan error
}

func (b *byEnvelope[T]) add(id string, v T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.seen == nil {
		b.seen = map[string][]T{}
	}
	b.seen[id] = append(b.seen[id], v)
}

func (b *byEnvelope[T]) get(id string) []T {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]T(nil), b.seen[id]...)
}

// rawCall posts a form to a Web API method and decodes the answer.
func rawCall(t *testing.T, s *slackfake.Server, method string, form url.Values) map[string]any {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.APIURL()+method, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

// slackErr extracts the Slack error code of err, which must be a Slack error.
func slackErr(t *testing.T, err error) string {
	t.Helper()
	var se slack.SlackErrorResponse
	require.ErrorAs(t, err, &se, fmt.Sprintf("want a Slack error, got %v", err))
	return se.Err
}

func txt(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

// modal is the invite modal the bot opens.
func modal(meta string) slack.ModalViewRequest {
	meeting := slack.NewInputBlock("meeting_block", txt("Meeting ID"), nil,
		slack.NewPlainTextInputBlockElement(txt("914083136"), "meeting_id"))
	people := slack.NewInputBlock("invitees_block", txt("People to invite"), nil,
		slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, txt("Choose people"), "invitees"))
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: "meet_invite_modal",
		Title: txt("Invite to meeting"), Submit: txt("Invite"), Close: txt("Cancel"),
		Blocks:          slack.Blocks{BlockSet: []slack.Block{meeting, people}},
		PrivateMetadata: meta,
	}
}
