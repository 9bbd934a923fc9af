package meetingfake

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

const (
	wsTokenTTL              = time.Minute // documented: one minute, single use
	defaultSubscribeTimeout = 10 * time.Second
	defaultHeartbeatTimeout = 180 * time.Second // documented
	outboxSize              = 64
)

// subscribeTypes are the push types Huawei documents for Subscribe.
var subscribeTypes = map[string]bool{
	"ConfBasicInfoNotify": true, "ConfDynamicInfoNotify": true, "ParticipantsNotify": true,
	"AttendeesNotify": true, "SpeakerChangeNotify": true, "NetConditionNotify": true,
	"NetworkQualityNotify": true, "InviteResultNotify": true, "RealTimeSubtitleNotify": true,
	"CustomMultiPicNotify": true, "InterpreterGroupNotify": true,
}

type wsToken struct {
	confID  string
	expires time.Time
}

// registerWsTokenLocked issues a one-time WebSocket token for confID.
// Unused tokens are pruned once expired, every 1024 issued.
func (s *Server) registerWsTokenLocked(confID string, now time.Time) string {
	tok := randHex(24)
	s.wsTokens[tok] = wsToken{confID: confID, expires: now.Add(wsTokenTTL)}
	s.issuedWs++
	if s.issuedWs%1024 == 0 {
		for t, wt := range s.wsTokens {
			if !now.Before(wt.expires) {
				delete(s.wsTokens, t)
			}
		}
	}
	return tok
}

// handleWsToken serves GET /v1/mmc/control/conferences/wsToken (CreateWebSocketToken).
func (s *Server) handleWsToken(w http.ResponseWriter, r *http.Request, rid string) {
	confID := r.URL.Query().Get("conferenceID")
	if confID == "" {
		writeError(w, http.StatusBadRequest, codeParam, "conferenceID is required", rid)
		return
	}
	if s.lockControl(w, r, confID, rid) == nil {
		return
	}
	tok := s.registerWsTokenLocked(confID, s.now())
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"webSocketToken": tok})
}

// subscriber is one control WebSocket connection.
type subscriber struct {
	conn     *websocket.Conn
	confID   string
	out      chan outgoing // the outbox, drained by writeLoop only
	done     chan struct{} // closed when the connection is finished
	once     sync.Once
	slow     chan struct{} // closed when the outbox overflowed
	slowOnce sync.Once

	// Guarded by Server.mu.
	types map[string]bool
}

// outgoing is a frame to send, or (with close set) the last one.
type outgoing struct {
	data   []byte
	close  bool
	code   int
	reason string
}

// enqueue queues a frame without ever blocking, since it runs with
// Server.mu held. A subscriber too slow to keep up is marked and its
// writer, which must be stuck in a write, is woken by an expired deadline
// to close the connection.
func (sub *subscriber) enqueue(o outgoing) {
	select {
	case <-sub.done:
		return
	case <-sub.slow:
		return
	default:
	}
	select {
	case sub.out <- o:
	default:
		sub.slowOnce.Do(func() {
			close(sub.slow)
			_ = sub.conn.UnderlyingConn().SetWriteDeadline(time.Now())
		})
	}
}

// finished reports whether the connection has been closed.
func (sub *subscriber) finished() bool {
	select {
	case <-sub.done:
		return true
	default:
		return false
	}
}

// finish closes the connection with a close frame (best effort, waiting
// at most a second for a stuck peer). It must not run with Server.mu held.
func (sub *subscriber) finish(code int, reason string) {
	sub.once.Do(func() {
		_ = sub.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
		_ = sub.conn.Close()
		close(sub.done)
	})
}

// drop closes the connection without a close frame, after a failed write.
func (sub *subscriber) drop() {
	sub.once.Do(func() {
		_ = sub.conn.Close()
		close(sub.done)
	})
}

// writeLoop is the connection's only writer of data frames (gorilla allows
// one; control frames may be written concurrently). It sends queued frames
// in order; a close item sends its close frame after everything queued
// before it. An overflowed outbox closes the connection with 1008 "too
// slow", or without a close frame when a write was cut short.
func (sub *subscriber) writeLoop() {
	for {
		select {
		case <-sub.done:
			return
		case <-sub.slow:
			sub.finish(websocket.ClosePolicyViolation, "too slow")
			return
		case o := <-sub.out:
			select {
			case <-sub.slow:
				sub.finish(websocket.ClosePolicyViolation, "too slow")
				return
			default:
			}
			if o.close {
				sub.finish(o.code, o.reason)
				return
			}
			_ = sub.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if err := sub.conn.WriteMessage(websocket.TextMessage, o.data); err != nil {
				sub.drop()
				return
			}
		}
	}
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// handleWebSocket serves the control WebSocket,
// GET /cms/open/websocket/confctl/increment/conn?confID=…&tmpToken=…
func (s *Server) handleWebSocket(w http.ResponseWriter, r *http.Request, rid string) {
	if !websocket.IsWebSocketUpgrade(r) {
		writeError(w, http.StatusBadRequest, codeParam, "a WebSocket upgrade is required", rid)
		return
	}
	q := r.URL.Query()
	confID, tok := q.Get("confID"), q.Get("tmpToken")
	now := s.now()
	s.mu.Lock()
	wt, known := s.wsTokens[tok]
	delete(s.wsTokens, tok) // single use, even when what follows fails
	authorised := tok != "" && confID != "" && known && now.Before(wt.expires) && wt.confID == confID
	s.mu.Unlock()

	conn, err := upgrader.Upgrade(w, r, http.Header{"X-Request-Id": {rid}})
	if err != nil {
		return // the upgrader has answered
	}
	sub := &subscriber{
		conn: conn, confID: confID,
		out: make(chan outgoing, outboxSize), done: make(chan struct{}), slow: make(chan struct{}),
	}
	if !authorised {
		// "If the request authentication fails, the meeting server
		// automatically closes the WebSocket channel."
		sub.finish(websocket.ClosePolicyViolation, "authentication failed")
		return
	}
	s.mu.Lock()
	if s.socketsClosed {
		s.mu.Unlock()
		sub.finish(websocket.CloseGoingAway, "server closing")
		return
	}
	s.sockets[sub] = struct{}{}
	s.mu.Unlock()

	var wg sync.WaitGroup
	wg.Go(sub.writeLoop)
	s.readLoop(sub)
	sub.finish(websocket.CloseNormalClosure, "") // a no-op when already closed
	wg.Wait()
	s.mu.Lock()
	delete(s.sockets, sub)
	s.mu.Unlock()
}

// frame is what a client sends.
type frame struct {
	Action   string          `json:"action"`
	Sequence string          `json:"sequence"`
	Data     json.RawMessage `json:"data"`
}

type subscribeData struct {
	ConferenceID  string   `json:"conferenceID"`
	SubscribeType []string `json:"subscribeType"`
	ConfToken     string   `json:"confToken"`
}

// readLoop handles the client's frames until the connection ends: a
// Subscribe within Config.SubscribeTimeout, then any frame (a heartbeat at
// least) within Config.HeartbeatTimeout of the previous one. Anything
// malformed or unknown ends the connection (Huawei documents no error
// frame).
func (s *Server) readLoop(sub *subscriber) {
	subscribeBy := time.Now().Add(s.cfg.SubscribeTimeout) // heartbeats do not extend it
	subscribed := false
	for {
		deadline := subscribeBy
		if subscribed {
			deadline = time.Now().Add(s.cfg.HeartbeatTimeout)
		}
		_ = sub.conn.SetReadDeadline(deadline)
		_, msg, err := sub.conn.ReadMessage()
		if err != nil {
			var ne net.Error
			switch {
			case errors.As(err, &ne) && ne.Timeout() && !subscribed:
				sub.finish(websocket.ClosePolicyViolation, "no subscription")
			case errors.As(err, &ne) && ne.Timeout():
				sub.finish(websocket.ClosePolicyViolation, "no heartbeat")
			}
			return
		}
		var f frame
		if err := json.Unmarshal(msg, &f); err != nil || f.Sequence == "" {
			sub.finish(websocket.ClosePolicyViolation, "malformed message")
			return
		}
		switch f.Action {
		case "HeartBeat":
			b, _ := json.Marshal(map[string]string{"sequence": f.Sequence, "action": "HeartBeat"})
			sub.enqueue(outgoing{data: b})
		case "Subscribe":
			ok, reason := s.subscribe(sub, f.Sequence, f.Data)
			if reason != "" {
				sub.finish(websocket.ClosePolicyViolation, reason)
				return
			}
			subscribed = subscribed || ok
		default:
			sub.finish(websocket.ClosePolicyViolation, "unknown action")
			return
		}
	}
}

// Subscribe replies (meeting_21_1511): returnCode 0 "SUCCESS"; a refusal's
// code is the fake's choice (Huawei documents none).
const (
	subscribeOK      = 0
	subscribeRefused = 1
)

// subscribe handles a Subscribe frame: data is an object, or a JSON string
// holding one (Huawei's own sample); confToken is the control token, plain
// or "Basic <base64>" as in meeting_21_1511's example. It answers with a
// Subscribe reply, then sends the current state of what was subscribed.
// A refused subscription (bad types, token or conference, or
// RefuseSubscriptions) gets a non-zero returnCode and changes nothing; ok
// reports success. A frame that cannot be read ends the connection: reason
// is then why.
func (s *Server) subscribe(sub *subscriber, seq string, raw json.RawMessage) (ok bool, reason string) {
	var str string
	if json.Unmarshal(raw, &str) == nil {
		raw = json.RawMessage(str)
	}
	var d subscribeData
	if err := json.Unmarshal(raw, &d); err != nil {
		return false, "malformed subscription"
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if why := s.checkSubscriptionLocked(sub, d, now); why != "" {
		sub.enqueue(outgoing{data: subscribeReply(seq, subscribeRefused, why)})
		return false, ""
	}
	cs := s.confs[sub.confID]
	sub.types = map[string]bool{}
	for _, t := range d.SubscribeType {
		sub.types[t] = true
	}
	sub.enqueue(outgoing{data: subscribeReply(seq, subscribeOK, "SUCCESS")})
	if sub.types["ConfDynamicInfoNotify"] {
		sub.enqueue(outgoing{data: s.message("ConfDynamicInfoNotify", cs.conf.ID, now.UnixMilli(), 0, map[string]any{"state": cs.conf.State})})
	}
	if cs.conf.State == StateDestroyed {
		// Too late: the meeting ended after the tokens were issued.
		sub.enqueue(outgoing{close: true, code: websocket.CloseNormalClosure, reason: "meeting ended"})
		return true, ""
	}
	if sub.types["ParticipantsNotify"] {
		data := make([]participantNotify, 0, len(cs.online))
		for _, p := range cs.online {
			data = append(data, participantNotify{PID: p.PID, Mode: 0, PinfoMap: fullInfo(p)})
		}
		sub.enqueue(outgoing{data: s.message("ParticipantsNotify", cs.conf.ID, now.UnixMilli(), 0, map[string]any{"data": data})})
	}
	return true, ""
}

// checkSubscriptionLocked returns why a subscription is refused, or "".
func (s *Server) checkSubscriptionLocked(sub *subscriber, d subscribeData, now time.Time) string {
	if d.ConferenceID != "" && d.ConferenceID != sub.confID {
		return "conferenceID does not match the connection"
	}
	if len(d.SubscribeType) == 0 {
		return "subscribeType is empty"
	}
	for _, t := range d.SubscribeType {
		if !subscribeTypes[t] {
			return "unknown subscribeType " + t
		}
	}
	tok, _ := parseControlAuth(d.ConfToken)
	ct, ok := s.controlTokens[tok]
	if !ok || ct.confID != sub.confID || !now.Before(ct.expires) {
		return "confToken is invalid"
	}
	if _, ok := s.confs[sub.confID]; !ok {
		return "no such conference"
	}
	if s.refused[sub.confID] {
		return "subscription refused"
	}
	return ""
}

func subscribeReply(seq string, code int, desc string) []byte {
	b, _ := json.Marshal(map[string]any{
		"action": "Subscribe", "sequence": seq,
		"data": map[string]any{"returnCode": code, "returnDesc": desc},
	})
	return b
}

// RefuseSubscriptions makes Subscribe on the conference's control
// WebSocket answer a non-zero returnCode (refuse true) or work again.
func (s *Server) RefuseSubscriptions(conferenceID string, refuse bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if refuse {
		s.refused[conferenceID] = true
	} else {
		delete(s.refused, conferenceID)
	}
}

// RepeatNextVersion makes the conference's next increment carry the same
// version as the last one, as a duplicated or replayed push would.
func (s *Server) RepeatNextVersion(conferenceID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs, ok := s.confs[conferenceID]; ok {
		cs.repeatVersion = true
	}
}

// nextVersionLocked numbers an increment of any type (meeting_21_1512-1518:
// "a sequence number in ascending order"). The counter is the meeting's,
// shared by every push type and subscriber, and skips numbers at random,
// since Huawei promises only that it increases.
func nextVersionLocked(cs *confState) int64 {
	if cs.repeatVersion && cs.version > 0 {
		cs.repeatVersion = false
		return cs.version
	}
	cs.version += 1 + rand.Int64N(3)
	return cs.version
}

type participantNotify struct {
	PID      string            `json:"pid"`
	Mode     int               `json:"mode"`
	PinfoMap map[string]string `json:"pinfoMap"`
}

// message encodes a push frame: the common fields plus extra.
func (s *Server) message(action, confID string, version int64, mode int, extra map[string]any) []byte {
	m := map[string]any{
		"action": action, "version": version, "createTime": s.now().UnixMilli(),
		"msgID": randHex(16), "msgMode": mode, "confID": confID,
	}
	for k, v := range extra {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return b
}

// subscribersLocked returns the conference's connections subscribed to action.
func (s *Server) subscribersLocked(confID, action string) []*subscriber {
	var out []*subscriber
	for sub := range s.sockets {
		if sub.confID == confID && sub.types[action] {
			out = append(out, sub)
		}
	}
	return out
}

// notifyParticipantsLocked pushes roster changes as an increment.
func (s *Server) notifyParticipantsLocked(cs *confState, changes ...change) {
	v := nextVersionLocked(cs)
	for _, sub := range s.subscribersLocked(cs.conf.ID, "ParticipantsNotify") {
		data := make([]participantNotify, 0, len(changes))
		for _, c := range changes {
			n := participantNotify{PID: c.pid, PinfoMap: c.info}
			if c.removed {
				n.Mode, n.PinfoMap = 1, map[string]string{}
			}
			data = append(data, n)
		}
		sub.enqueue(outgoing{data: s.message("ParticipantsNotify", cs.conf.ID, v, 1, map[string]any{"data": data})})
	}
}

// notifyInviteResultLocked pushes the outcome of a call.
func (s *Server) notifyInviteResultLocked(cs *confState, number, code string) {
	v := nextVersionLocked(cs)
	for _, sub := range s.subscribersLocked(cs.conf.ID, "InviteResultNotify") {
		sub.enqueue(outgoing{data: s.message("InviteResultNotify", cs.conf.ID, v, 1,
			map[string]any{"data": []map[string]string{{"callNumber": number, "resultCode": code}}})})
	}
}

// endMeetingLocked empties the roster of an ended conference (one
// increment), tells its subscribers and closes their connections: "the
// server releases the WebSocket connection after the meeting ends".
func (s *Server) endMeetingLocked(cs *confState) {
	if len(cs.online) > 0 {
		changes := make([]change, 0, len(cs.online))
		for _, p := range cs.online {
			changes = append(changes, change{pid: p.PID, removed: true})
		}
		cs.online = nil
		s.notifyParticipantsLocked(cs, changes...)
	}
	for sub := range s.sockets {
		if sub.confID != cs.conf.ID {
			continue
		}
		if sub.types["ConfDynamicInfoNotify"] {
			sub.enqueue(outgoing{data: s.message("ConfDynamicInfoNotify", cs.conf.ID, s.now().UnixMilli(), 0, map[string]any{"state": StateDestroyed})})
		}
		sub.enqueue(outgoing{close: true, code: websocket.CloseNormalClosure, reason: "meeting ended"})
	}
}

// Subscribers returns how many live control WebSocket connections of the
// conference have subscribed (to any push type).
func (s *Server) Subscribers(conferenceID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for sub := range s.sockets {
		if sub.confID == conferenceID && len(sub.types) > 0 && !sub.finished() {
			n++
		}
	}
	return n
}

// closeSockets ends every WebSocket connection (http.Server.Close does not
// close hijacked ones); their handlers then return.
func (s *Server) closeSockets() {
	s.mu.Lock()
	s.socketsClosed = true
	subs := make([]*subscriber, 0, len(s.sockets))
	for sub := range s.sockets {
		subs = append(subs, sub)
	}
	s.mu.Unlock()
	for _, sub := range subs {
		sub.finish(websocket.CloseGoingAway, "server closing")
	}
}
