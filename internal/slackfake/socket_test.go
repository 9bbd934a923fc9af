package slackfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

func TestSlashCommandReachesHandlerAndAckIsRecorded(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	hello := make(chan struct{}, 1)
	var cmds byEnvelope[slack.SlashCommand]
	runBot(t, fake, func(h *socketmode.SocketmodeHandler) {
		h.Handle(socketmode.EventTypeHello, func(*socketmode.Event, *socketmode.Client) {
			select {
			case hello <- struct{}{}:
			default:
			}
		})
		h.HandleSlashCommand("/meet-invite", func(evt *socketmode.Event, c *socketmode.Client) {
			cmd, ok := evt.Data.(slack.SlashCommand)
			assert.True(t, ok)
			assert.Equal(t, 0, evt.Request.RetryAttempt)
			cmds.add(evt.Request.EnvelopeID, cmd)
			var payload any
			if cmd.Text == "help" {
				payload = map[string]any{"response_type": "ephemeral", "text": "usage"}
			}
			assert.NoError(t, c.AckCtx(context.Background(), evt.Request.EnvelopeID, payload))
		})
	})
	select {
	case <-hello:
	case <-time.After(5 * time.Second):
		require.FailNow(t, "no hello")
	}
	assert.Equal(t, 1, fake.Connections())
	assert.Equal(t, 1, fake.Calls("apps.connections.open"))

	tests := []struct {
		name        string
		text        string
		wantPayload string // "" means an ack without payload
	}{
		{name: "ack without payload", text: "914083136 <@U2|bob>"},
		{name: "ack with payload", text: "help", wantPayload: `{"response_type":"ephemeral","text":"usage"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sent, ack, err := fake.SlashCommand(timeout(t, 5*time.Second),
				slackfake.Command{UserID: "U1", ChannelID: "C1", Text: tt.text})
			require.NoError(t, err)

			got := cmds.get(sent.EnvelopeID)
			require.Len(t, got, 1)
			cmd := got[0]
			assert.Equal(t, "/meet-invite", cmd.Command)
			assert.Equal(t, tt.text, cmd.Text)
			assert.Equal(t, "U1", cmd.UserID)
			assert.Equal(t, "alice", cmd.UserName)
			assert.Equal(t, "C1", cmd.ChannelID)
			assert.Equal(t, "general", cmd.ChannelName)
			assert.Equal(t, "T0FAKE", cmd.TeamID)
			assert.Equal(t, sent.TriggerID, cmd.TriggerID)
			assert.Equal(t, sent.ResponseURL, cmd.ResponseURL)
			assert.True(t, strings.HasPrefix(cmd.ResponseURL, "http://127.0.0.1:"), cmd.ResponseURL)
			assert.NotEmpty(t, cmd.TriggerID)

			assert.Equal(t, sent.EnvelopeID, ack.EnvelopeID)
			if tt.wantPayload == "" {
				assert.Nil(t, ack.Payload)
			} else {
				assert.JSONEq(t, tt.wantPayload, string(ack.Payload))
			}
			assert.Positive(t, ack.Latency)
			assert.Less(t, ack.Latency, 3*time.Second)
			assert.Equal(t, 1, fake.AckCount(sent.EnvelopeID))
		})
	}
}

func TestAckCountCountsDuplicatesAndUnknownAcks(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	runBot(t, fake, func(h *socketmode.SocketmodeHandler) {
		h.HandleSlashCommand("/meet-invite", func(evt *socketmode.Event, c *socketmode.Client) {
			ctx := context.Background()
			assert.NoError(t, c.AckCtx(ctx, evt.Request.EnvelopeID, nil))
			assert.NoError(t, c.AckCtx(ctx, evt.Request.EnvelopeID, nil))
			assert.NoError(t, c.AckCtx(ctx, "not-an-envelope", nil))
		})
	})
	sent, _, err := fake.SlashCommand(timeout(t, 5*time.Second), slackfake.Command{UserID: "U1", ChannelID: "C1"})
	require.NoError(t, err)
	assert.Eventually(t, func() bool { return fake.AckCount(sent.EnvelopeID) == 2 }, 5*time.Second, 10*time.Millisecond)
	assert.Eventually(t, func() bool { return fake.UnknownAcks() == 1 }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, 0, fake.AckCount("never-sent"))
}

func TestRedeliverResendsTheSameEnvelope(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	type delivery struct {
		attempt int
		reason  string
	}
	var seen byEnvelope[delivery]
	runBot(t, fake, func(h *socketmode.SocketmodeHandler) {
		h.HandleSlashCommand("/meet-invite", func(evt *socketmode.Event, c *socketmode.Client) {
			seen.add(evt.Request.EnvelopeID, delivery{evt.Request.RetryAttempt, evt.Request.RetryReason})
			assert.NoError(t, c.AckCtx(context.Background(), evt.Request.EnvelopeID, nil))
		})
	})
	ctx := timeout(t, 5*time.Second)
	sent, _, err := fake.SlashCommand(ctx, slackfake.Command{UserID: "U1", ChannelID: "C1", Text: "914083136"})
	require.NoError(t, err)
	require.NoError(t, fake.Redeliver(ctx, sent.EnvelopeID))
	assert.Eventually(t, func() bool { return fake.AckCount(sent.EnvelopeID) == 2 }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, []delivery{{0, ""}, {1, "timeout"}}, seen.get(sent.EnvelopeID))
	assert.Error(t, fake.Redeliver(ctx, "unknown"))
}

func TestClientReconnectsAfterDisconnectOrDrop(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	runBot(t, fake, ackAll)

	steps := []struct {
		name string
		cut  func()
	}{
		{name: "disconnect frame", cut: func() { fake.Disconnect("refresh_requested") }},
		{name: "dropped TCP connection", cut: fake.DropConnection},
	}
	for i, step := range steps { // sequential: each step builds on the connection count of the previous one
		t.Run(step.name, func(t *testing.T) {
			step.cut()
			want := i + 2
			assert.Eventually(t, func() bool { return fake.Connections() == want }, 5*time.Second, 10*time.Millisecond)
			assert.Equal(t, want, fake.Calls("apps.connections.open"), "every reconnect opens a fresh ticket")
			_, _, err := fake.SlashCommand(timeout(t, 5*time.Second), slackfake.Command{UserID: "U1", ChannelID: "C1"})
			require.NoError(t, err)
		})
	}
}

func TestAppsConnectionsOpenNeedsTheAppToken(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	tests := []struct {
		name     string
		appToken string
		wantErr  string
	}{
		{name: "app token", appToken: fake.AppToken()},
		{name: "bot token", appToken: fake.BotToken(), wantErr: "not_allowed_token_type"},
		{name: "wrong app token", appToken: "xapp-wrong", wantErr: "invalid_auth"},
		{name: "no token", appToken: "", wantErr: "not_authed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := slack.New(fake.BotToken(), slack.OptionAppLevelToken(tt.appToken), slack.OptionAPIURL(fake.APIURL()))
			_, wsURL, err := api.StartSocketModeContext(t.Context())
			if tt.wantErr != "" {
				assert.Equal(t, tt.wantErr, slackErr(t, err))
				return
			}
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(wsURL, "ws://127.0.0.1:"), wsURL)
			assert.Contains(t, wsURL, "/link/?ticket=")
		})
	}
}

func TestSocketTicketIsSingleUse(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	_, wsURL, err := apiClient(fake).StartSocketModeContext(t.Context())
	require.NoError(t, err)

	conn, _, err := websocket.DefaultDialer.DialContext(t.Context(), wsURL, nil)
	require.NoError(t, err)
	defer conn.Close()
	var hello map[string]any
	require.NoError(t, conn.ReadJSON(&hello))
	assert.Equal(t, "hello", hello["type"])
	assert.Equal(t, map[string]any{"app_id": "A0FAKE"}, hello["connection_info"])

	for _, u := range []string{wsURL, strings.Split(wsURL, "ticket=")[0] + "ticket=forged"} {
		_, resp, err := websocket.DefaultDialer.DialContext(t.Context(), u, nil)
		require.ErrorIs(t, err, websocket.ErrBadHandshake)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		_ = resp.Body.Close()
	}
	assert.Equal(t, 1, fake.Connections())
}

func TestPingsKeepTheClientAlive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		serverPing      time.Duration
		clientWatchdog  time.Duration
		wantConnections func(int) bool
	}{
		{name: "pings more often than the watchdog", serverPing: 200 * time.Millisecond, clientWatchdog: time.Second,
			wantConnections: func(n int) bool { return n == 1 }},
		{name: "pings too rarely", serverPing: time.Minute, clientWatchdog: 300 * time.Millisecond,
			wantConnections: func(n int) bool { return n >= 2 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := seed()
			cfg.PingInterval = tt.serverPing
			fake := start(t, cfg)
			runBot(t, fake, ackAll, socketmode.OptionPingInterval(tt.clientWatchdog))
			time.Sleep(2500 * time.Millisecond)
			n := fake.Connections()
			assert.True(t, tt.wantConnections(n), "connections: %d", n)
		})
	}
}

func TestConcurrentSlashCommandsAreEachAckedOnce(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	runBot(t, fake, func(h *socketmode.SocketmodeHandler) {
		h.HandleSlashCommand("/meet-invite", func(evt *socketmode.Event, c *socketmode.Client) {
			assert.NoError(t, c.AckCtx(context.Background(), evt.Request.EnvelopeID, map[string]string{"text": "ok"}))
		})
	})
	const n = 200
	ctx := timeout(t, 10*time.Second)
	ids := make(chan string, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			sent, _, err := fake.SlashCommand(ctx, slackfake.Command{UserID: "U1", ChannelID: "C1", Text: "914083136"})
			if err != nil {
				errs <- err
				return
			}
			ids <- sent.EnvelopeID
		})
	}
	wg.Wait()
	close(ids)
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	count := 0
	for id := range ids {
		count++
		assert.Equal(t, 1, fake.AckCount(id))
	}
	assert.Equal(t, n, count)
}

func TestCloseStopsEverything(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	runBot(t, fake, ackAll)
	sub, _ := fake.Subscribe()
	_, wsURL, err := apiClient(fake).StartSocketModeContext(t.Context())
	require.NoError(t, err)
	raw, _, err := websocket.DefaultDialer.DialContext(t.Context(), wsURL, nil)
	require.NoError(t, err)
	defer raw.Close()
	var hello map[string]any
	require.NoError(t, raw.ReadJSON(&hello))

	fake.Close()
	fake.Close() // idempotent

	require.NoError(t, raw.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, _, err = raw.ReadMessage()
	var netErr interface{ Timeout() bool }
	if errors.As(err, &netErr) {
		assert.False(t, netErr.Timeout(), "the socket is closed, not idle")
	}
	assert.Error(t, err)

	_, open := <-sub
	assert.False(t, open, "subscriptions are closed")
	assert.ErrorIs(t, fake.WaitConnected(t.Context()), slackfake.ErrClosed)
	_, err = fake.SendCommand(t.Context(), slackfake.Command{UserID: "U1", ChannelID: "C1"})
	assert.ErrorIs(t, err, slackfake.ErrClosed)
	_, err = apiClient(fake).GetUserInfoContext(t.Context(), "U1")
	assert.Error(t, err, "the listener is gone")
	_, err = fake.WaitMessages(t.Context(), 1)
	assert.True(t, errors.Is(err, slackfake.ErrClosed))
}

func TestSendInteractiveRegistersATrigger(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	var payloads byEnvelope[json.RawMessage]
	runBot(t, fake, func(h *socketmode.SocketmodeHandler) {
		h.Handle(socketmode.EventTypeInteractive, func(evt *socketmode.Event, c *socketmode.Client) {
			payloads.add(evt.Request.EnvelopeID, evt.Request.Payload)
			assert.NoError(t, c.AckCtx(context.Background(), evt.Request.EnvelopeID, nil))
		})
	})
	ctx := timeout(t, 5*time.Second)
	sent, _, err := fake.SendInteractive(ctx, map[string]any{
		"type": "shortcut", "callback_id": "custom", "user": map[string]any{"id": "U1"},
	})
	require.NoError(t, err)
	require.NotEmpty(t, sent.TriggerID)
	got := payloads.get(sent.EnvelopeID)
	require.Len(t, got, 1)
	assert.JSONEq(t, `{"type":"shortcut","callback_id":"custom","user":{"id":"U1"},"trigger_id":"`+sent.TriggerID+`"}`, string(got[0]))

	_, err = apiClient(fake).OpenViewContext(ctx, sent.TriggerID, modal(""))
	assert.NoError(t, err, "the minted trigger opens a view")
}
