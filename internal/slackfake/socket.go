package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

const (
	// MaxConnections is how many Socket Mode connections one app may hold
	// open at once, counting every process: "up to 10"
	// (https://api.slack.com/apis/connections/socket-implement, "Using
	// multiple connections"). Slack closes one more with a disconnect
	// frame whose reason is too_many_websockets
	// (https://github.com/slackapi/node-slack-sdk/issues/1654).
	MaxConnections = 10

	writeTimeout    = 10 * time.Second
	disconnectGrace = 500 * time.Millisecond // how long a socket may linger after a disconnect frame
)

// Command is a slash command as a user types it.
type Command struct {
	UserID, ChannelID, Text string
	Command                 string // default "/meet-invite"
	TeamID                  string // default Config.TeamID
}

// Ack is the bot's acknowledgement of an envelope.
type Ack struct {
	EnvelopeID string
	Payload    json.RawMessage // nil when the ack had no payload
	Latency    time.Duration   // from the (latest) delivery of the envelope to the ack
}

// Sent describes a delivered envelope.
type Sent struct{ EnvelopeID, TriggerID, ResponseURL string }

// wsConn is one Socket Mode connection. Every data frame and PING is written
// under writeMu; Close may be called from anywhere.
type wsConn struct {
	ws        *websocket.Conn
	writeMu   sync.Mutex
	gone      chan struct{} // closed once the socket is finished
	goneOnce  sync.Once
	drain     chan struct{} // closed by Disconnect: close the socket after a grace period
	drainOnce sync.Once
}

func (c *wsConn) write(frame []byte) error { return c.writeStamped(frame, nil) }

// writeStamped writes frame, calling stamp (when not nil) just before the
// frame goes on the wire, once its turn to write has come: time spent
// waiting behind other frames is the fake's, not the bot's.
func (c *wsConn) writeStamped(frame []byte, stamp func()) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if stamp != nil {
		stamp()
	}
	if err := c.ws.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return err
	}
	return c.ws.WriteMessage(websocket.TextMessage, frame)
}

func (c *wsConn) ping() error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return c.ws.WriteControl(websocket.PingMessage, []byte("fake-ping"), time.Now().Add(writeTimeout))
}

// kill closes the TCP connection without a close frame.
func (c *wsConn) kill() {
	c.goneOnce.Do(func() { close(c.gone) })
	_ = c.ws.Close()
}

type envelope struct {
	typ          string
	payload      json.RawMessage
	accepts      bool
	retryAttempt int
	retryReason  string
	triggerID    string
	sentAt       atomic.Int64 // UnixNano when the frame went on the wire; set without s.mu
	acks         []Ack
	acked        chan struct{} // closed on the first ack
}

// envelopeFrame is the wire shape of an envelope, in Slack's field order.
type envelopeFrame struct {
	EnvelopeID             string          `json:"envelope_id"`
	Type                   string          `json:"type"`
	AcceptsResponsePayload bool            `json:"accepts_response_payload"`
	Payload                json.RawMessage `json:"payload"`
	RetryAttempt           int             `json:"retry_attempt"`
	RetryReason            string          `json:"retry_reason"`
}

type trigger struct {
	issued time.Time
	used   bool
	userID string
}

type responseURL struct {
	created       time.Time
	uses          int
	channel, user string
}

// handleLink upgrades a Socket Mode connection for a single-use ticket.
func (s *Server) handleLink(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	used, known := s.tickets[ticket]
	if s.closed || !known || used {
		s.mu.Unlock()
		http.Error(w, "invalid or used ticket", http.StatusForbidden)
		return
	}
	s.tickets[ticket] = true
	s.mu.Unlock()

	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered the client
	}
	c := &wsConn{ws: ws, gone: make(chan struct{}), drain: make(chan struct{})}

	s.mu.Lock()
	n := len(s.conns) + 1
	if n > MaxConnections {
		s.refused++
		s.mu.Unlock()
		_ = c.write(mustJSON(map[string]any{
			"type": "disconnect", "reason": "too_many_websockets",
			"debug_info": map[string]any{"host": "applink-fake"},
		}))
		c.kill()
		return
	}
	s.mu.Unlock()
	hello := mustJSON(map[string]any{
		"type":            "hello",
		"num_connections": n,
		"connection_info": map[string]any{"app_id": appID},
		"debug_info": map[string]any{
			"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060,
		},
	})
	if err := c.write(hello); err != nil {
		c.kill()
		return
	}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.kill()
		return
	}
	s.conns = append(s.conns, c)
	s.connections++
	notify(&s.connChanged)
	s.mu.Unlock()

	s.wg.Go(func() { s.pingLoop(c) })
	s.readLoop(c)
	s.dropConn(c)
}

// pingLoop sends PINGs until the socket is gone, and closes a drained socket
// after the grace period.
func (s *Server) pingLoop(c *wsConn) {
	t := time.NewTicker(s.cfg.PingInterval)
	defer t.Stop()
	drain := c.drain
	var grace <-chan time.Time
	for {
		select {
		case <-c.gone:
			return
		case <-s.done:
			return
		case <-drain:
			drain = nil
			timer := time.NewTimer(disconnectGrace)
			defer timer.Stop()
			grace = timer.C
		case <-grace:
			c.kill()
			return
		case <-t.C:
			if err := c.ping(); err != nil {
				c.kill()
				return
			}
		}
	}
}

// readLoop records acks until the socket fails. Gorilla answers the
// client's close frame and handles PONGs on this goroutine too. Acks are
// timed as they are read and recorded on another goroutine, so that the
// fake's own locking does not delay reading the next one.
func (s *Server) readLoop(c *wsConn) {
	type read struct {
		data []byte
		at   time.Time
	}
	acks := make(chan read, 1024)
	var wg sync.WaitGroup
	wg.Go(func() {
		for r := range acks {
			s.recordAck(r.data, r.at)
		}
	})
	defer wg.Wait()
	defer close(acks)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		acks <- read{data, time.Now()}
	}
}

func (s *Server) recordAck(data []byte, at time.Time) {
	var a struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if json.Unmarshal(data, &a) != nil || a.EnvelopeID == "" {
		s.unknownAcks++
		return
	}
	env, ok := s.envelopes[a.EnvelopeID]
	if !ok {
		s.unknownAcks++
		return
	}
	payload := a.Payload
	if len(payload) == 0 || string(payload) == "null" {
		payload = nil
	}
	env.acks = append(env.acks, Ack{EnvelopeID: a.EnvelopeID, Payload: payload, Latency: at.Sub(time.Unix(0, env.sentAt.Load()))})
	if len(env.acks) == 1 {
		close(env.acked)
	}
}

// dropConn stops routing envelopes to c and closes it.
func (s *Server) dropConn(c *wsConn) {
	s.unlist(c)
	c.kill()
}

func (s *Server) unlist(c *wsConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.Index(s.conns, c); i >= 0 {
		s.conns = slices.Delete(s.conns, i, i+1)
		notify(&s.connChanged)
	}
}

// currentConn is the newest live socket, or nil; s.mu must be held.
func (s *Server) currentConn() *wsConn {
	if len(s.conns) == 0 {
		return nil
	}
	return s.conns[len(s.conns)-1]
}

// turnConn is the socket whose turn it is to get an envelope, or nil; s.mu
// must be held.
func (s *Server) turnConn() *wsConn {
	if len(s.conns) == 0 {
		return nil
	}
	s.nextConn = (s.nextConn + 1) % len(s.conns)
	return s.conns[s.nextConn]
}

// OpenConnections reports how many sockets are open now.
func (s *Server) OpenConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// RefusedConnections reports how many sockets were closed at once for
// being one more than MaxConnections.
func (s *Server) RefusedConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// WaitConnected waits until a socket is open and hello was sent on it.
func (s *Server) WaitConnected(ctx context.Context) error {
	return s.waitUntil(ctx, func() (bool, <-chan struct{}) {
		return s.currentConn() != nil, s.connChanged
	})
}

// Connections reports how many sockets were opened so far (reconnects count).
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connections
}

// Disconnect sends {"type":"disconnect","reason":reason} on the current
// socket, stops routing envelopes to it and closes it shortly after (or as soon
// as the client does). The client is expected to reconnect through a fresh
// apps.connections.open.
func (s *Server) Disconnect(reason string) {
	s.mu.Lock()
	c := s.currentConn()
	s.mu.Unlock()
	if c == nil {
		return
	}
	s.unlist(c)
	frame := mustJSON(map[string]any{
		"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": "applink-fake"},
	})
	if err := c.write(frame); err != nil {
		c.kill()
		return
	}
	c.drainOnce.Do(func() { close(c.drain) })
}

// DropConnection closes the current socket abruptly (no close frame).
func (s *Server) DropConnection() {
	s.mu.Lock()
	c := s.currentConn()
	s.mu.Unlock()
	if c != nil {
		s.dropConn(c)
	}
}

// newEnvelope registers an envelope; s.mu must be held.
func (s *Server) newEnvelope(typ string, payload json.RawMessage, accepts bool, triggerID string) string {
	id := newUUID()
	s.envelopes[id] = &envelope{
		typ: typ, payload: payload, accepts: accepts, triggerID: triggerID, acked: make(chan struct{}),
	}
	return id
}

// deliver writes the envelope to one of the app's sockets, taking them in
// turn, waiting for one if need be. Slack sends each payload over one of an
// app's open connections, not over all
// (https://api.slack.com/apis/connections/socket-implement, "Using multiple
// connections"); which one is not documented: the fake takes them in turn,
// so that a test sees envelopes land on every connection (and every
// replica). A failed write drops that socket and tries another.
func (s *Server) deliver(ctx context.Context, id string) error {
	for {
		var c *wsConn
		err := s.waitUntil(ctx, func() (bool, <-chan struct{}) {
			c = s.turnConn()
			return c != nil, s.connChanged
		})
		if err != nil {
			return fmt.Errorf("slackfake: deliver envelope %s: %w", id, err)
		}
		s.mu.Lock()
		env := s.envelopes[id]
		frame := mustJSON(envelopeFrame{
			EnvelopeID: id, Type: env.typ, AcceptsResponsePayload: env.accepts, Payload: env.payload,
			RetryAttempt: env.retryAttempt, RetryReason: env.retryReason,
		})
		if t, ok := s.triggers[env.triggerID]; ok && !t.used {
			t.issued = time.Now() // the user acts when the envelope goes out, not when it was queued
		}
		s.mu.Unlock()
		stamp := func() { env.sentAt.Store(time.Now().UnixNano()) }
		if err := c.writeStamped(frame, stamp); err != nil {
			s.dropConn(c)
			continue
		}
		return nil
	}
}

// SendCommand sends a slash_commands envelope (with a fresh trigger_id and
// response_url) to the bot and returns without waiting for the ack. It waits
// for a socket if none is connected.
func (s *Server) SendCommand(ctx context.Context, c Command) (Sent, error) {
	if c.UserID == "" || c.ChannelID == "" {
		return Sent{}, errors.New("slackfake: a command needs UserID and ChannelID")
	}
	if c.Command == "" {
		c.Command = "/meet-invite"
	}
	if !strings.HasPrefix(c.Command, "/") {
		return Sent{}, fmt.Errorf("slackfake: command %q does not start with /", c.Command)
	}
	if c.TeamID == "" {
		c.TeamID = s.cfg.TeamID
	}
	s.mu.Lock()
	sent := Sent{TriggerID: s.mintTrigger(c.UserID), ResponseURL: s.mintResponseURL(c.ChannelID, c.UserID)}
	payload := mustJSON(map[string]string{
		"token":                 verificationToken,
		"team_id":               c.TeamID,
		"team_domain":           teamDomain,
		"channel_id":            c.ChannelID,
		"channel_name":          s.channelName(c.ChannelID),
		"user_id":               c.UserID,
		"user_name":             s.userName(c.UserID),
		"command":               c.Command,
		"text":                  c.Text,
		"api_app_id":            appID,
		"is_enterprise_install": "false",
		"response_url":          sent.ResponseURL,
		"trigger_id":            sent.TriggerID,
	})
	sent.EnvelopeID = s.newEnvelope("slash_commands", payload, true, sent.TriggerID)
	s.mu.Unlock()
	if err := s.deliver(ctx, sent.EnvelopeID); err != nil {
		return sent, err
	}
	s.redeliverUnacked(sent.EnvelopeID)
	return sent, nil
}

// redeliverUnacked sends envelope id again, in the background, each time it
// is not acknowledged within Config.RedeliverAfter (see there).
func (s *Server) redeliverUnacked(id string) {
	if s.cfg.RedeliverAfter <= 0 {
		return
	}
	s.mu.Lock()
	env := s.envelopes[id]
	s.mu.Unlock()
	s.wg.Go(func() {
		for range MaxRedeliveries {
			t := time.NewTimer(s.cfg.RedeliverAfter)
			select {
			case <-env.acked:
				t.Stop()
				return
			case <-s.done:
				t.Stop()
				return
			case <-t.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
			err := s.Redeliver(ctx, id)
			cancel()
			if err != nil {
				return
			}
		}
	})
}

// SlashCommand sends a command and waits for its ack.
func (s *Server) SlashCommand(ctx context.Context, c Command) (Sent, Ack, error) {
	sent, err := s.SendCommand(ctx, c)
	if err != nil {
		return sent, Ack{}, err
	}
	ack, err := s.WaitAck(ctx, sent.EnvelopeID)
	return sent, ack, err
}

// WaitAck waits for the first ack of an envelope.
func (s *Server) WaitAck(ctx context.Context, envelopeID string) (Ack, error) {
	s.mu.Lock()
	env, ok := s.envelopes[envelopeID]
	s.mu.Unlock()
	if !ok {
		return Ack{}, fmt.Errorf("slackfake: unknown envelope %q", envelopeID)
	}
	select {
	case <-env.acked:
	case <-ctx.Done():
		return Ack{}, fmt.Errorf("slackfake: wait for ack of %s: %w", envelopeID, ctx.Err())
	case <-s.done:
		return Ack{}, ErrClosed
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return env.acks[0], nil
}

// AckCount reports how many acks arrived for an envelope (a correct bot acks once).
func (s *Server) AckCount(envelopeID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if env, ok := s.envelopes[envelopeID]; ok {
		return len(env.acks)
	}
	return 0
}

// UnknownAcks reports frames from the bot that were not an ack of a known
// envelope (unknown envelope_id, none, or not JSON).
func (s *Server) UnknownAcks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unknownAcks
}

// Redeliver sends an envelope again with the same envelope_id, retry_attempt
// one higher and retry_reason "timeout". It does not wait for the ack.
func (s *Server) Redeliver(ctx context.Context, envelopeID string) error {
	s.mu.Lock()
	env, ok := s.envelopes[envelopeID]
	if ok {
		env.retryAttempt++
		env.retryReason = "timeout"
	}
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("slackfake: unknown envelope %q", envelopeID)
	}
	return s.deliver(ctx, envelopeID)
}

// channelName is what a slash command payload says about a channel; s.mu must be held.
func (s *Server) channelName(id string) string {
	if c, ok := s.channels[id]; ok {
		if c.IsIM {
			return "directmessage"
		}
		return c.Name
	}
	if strings.HasPrefix(id, "D") {
		return "directmessage"
	}
	return "unknown"
}

// userName is a user's handle; s.mu must be held.
func (s *Server) userName(id string) string {
	if u, ok := s.users[id]; ok && u.Name != "" {
		return u.Name
	}
	return strings.ToLower(id)
}
