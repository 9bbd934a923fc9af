package meeting

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

const (
	wsPath           = "/cms/open/websocket/confctl/increment/conn"
	heartbeatEvery   = time.Minute       // Huawei closes the socket after 180 s without one; it recommends one a minute
	watchReadTimeout = 150 * time.Second // heartbeats are answered, so this long without a frame means a dead link
	watchDialTimeout = 10 * time.Second
	watchWriteWait   = 10 * time.Second
	maxPushSize      = 4 << 20 // bytes of one pushed message
	// After this many increments out of order (a repeated or earlier
	// version) within resyncWindow the pushes are not trusted: the watch
	// ends and callers ask the API instead.
	maxResyncs   = 3
	resyncWindow = time.Minute
	// A kept-alive token must last at least this long, or the watch ends
	// rather than call the keep-alive over and over.
	minTokenLife = time.Minute
	maxResults   = 512 // call results a watch remembers
)

// ErrNoControlToken means the conference has no cached control token: it must
// be prepared (Prepare or Invite) before it can be watched.
var ErrNoControlToken = errors.New("meeting: conference not prepared")

// ErrSubscribeRefused means Huawei answered a Subscribe on the control
// WebSocket with a non-zero returnCode (meeting_21_1511); the error names
// the code and description.
var ErrSubscribeRefused = errors.New("meeting: control websocket subscription refused")

// subscribeTypes are the pushes a watch asks for (meeting_21_1511).
var subscribeTypes = []string{"ParticipantsNotify", "ConfDynamicInfoNotify", "InviteResultNotify"}

// The steps of opening a watch. Watch's errors match one of them (with
// errors.Is), so that a caller such as `bot check` can say which step failed.
var (
	ErrWatchToken     = errors.New("meeting: websocket token")
	ErrWatchConnect   = errors.New("meeting: control websocket connect")
	ErrWatchSubscribe = errors.New("meeting: control websocket subscribe")
)

// Watch is a live view of a running conference's online participants, kept
// up to date by Huawei's control WebSocket (ParticipantsNotify pushes), and
// of the results of calls into it (InviteResultNotify). It ends when the
// conference ends, the link fails, Huawei refuses a subscription, or Close
// is called.
type Watch struct {
	conferenceID string // as the caller named it
	realID       string // Huawei's conferenceID (differs for a fixed room ID)
	conn         *websocket.Conn
	logger       *slog.Logger
	now          func() time.Time
	writeMu      sync.Mutex // gorilla allows one writer at a time
	answered     chan error // the first Subscribe's outcome; buffered

	mu        sync.Mutex
	roster    map[string]Participant // by participant ID
	synced    bool                   // a full list arrived and no increment was out of order since
	versions  map[string]int64       // of the last increment applied, by push type; 0 after a full list
	results   []CallResult           // call results, oldest first, at most maxResults
	confirmed bool                   // the first Subscribe was answered
	err       error                  // why the watch ended
	resyncs   []time.Time            // recent requests for a full list after a missed increment
	puzzled   atomic.Bool            // a push could not be read
	control   string                 // the control token the watch subscribed with, kept alive; guarded by mu
	// renew keeps a control token alive: it returns the token to use and its life.
	renew func(ctx context.Context, tok string) (string, time.Duration, error)

	done      chan struct{} // closed when the watch has ended
	leaving   atomic.Bool   // the watch said goodbye: the link's end that follows is planned
	ctx       context.Context
	cancel    context.CancelFunc // ends ctx, which bounds keep-alive calls, when the watch ends
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// wsEnvelope is the part of every pushed message the watch reads.
type wsEnvelope struct {
	Action   string          `json:"action"`
	Version  int64           `json:"version"`
	MsgMode  int             `json:"msgMode"` // 0 full, 1 increment
	ConfID   string          `json:"confID"`
	State    string          `json:"state"` // ConfDynamicInfoNotify
	Data     json.RawMessage `json:"data"`
	Sequence string          `json:"sequence"`
}

// participantNotify is one entry of a ParticipantsNotify push.
type participantNotify struct {
	PID      string            `json:"pid"`
	Mode     int               `json:"mode"` // 0 refresh, 1 remove
	PinfoMap map[string]string `json:"pinfoMap"`
}

// Watch opens the conference's control WebSocket and subscribes to its online
// participants, its state and its call results. The conference must have been
// prepared, so that its control token is cached (ErrNoControlToken
// otherwise); conferenceID is the ID it was prepared with (a fixed room ID
// watches the meeting running in the room). It returns once Huawei has
// answered the Subscribe: an error matching ErrSubscribeRefused, with
// Huawei's returnCode and reason, when it refused. The participant list is
// ready when the first full push arrives (see Participants). The caller must
// Close the watch.
func (c *Client) Watch(ctx context.Context, conferenceID string) (*Watch, error) {
	w, err := c.watch(ctx, conferenceID)
	if err != nil {
		return nil, fmt.Errorf("watch conference %s: %w", conferenceID, err)
	}
	return w, nil
}

func (c *Client) watch(ctx context.Context, conferenceID string) (*Watch, error) {
	if conferenceID == "" {
		return nil, errNoConferenceID
	}
	cc, ok := c.cachedControl(conferenceID)
	if !ok {
		return nil, ErrNoControlToken
	}
	control, until := cc.token, cc.until
	conn, err := c.dialControl(ctx, cc)
	if err != nil {
		return nil, err
	}

	w := &Watch{
		conferenceID: conferenceID,
		realID:       cc.realID,
		conn:         conn,
		logger:       c.logger,
		now:          c.now,
		answered:     make(chan error, 1),
		roster:       map[string]Participant{},
		versions:     map[string]int64{},
		control:      control,
		done:         make(chan struct{}),
	}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	w.renew = func(ctx context.Context, tok string) (string, time.Duration, error) {
		next, at, err := c.keepControlAlive(ctx, conferenceID, tok)
		return next, at.Sub(c.now()), err
	}
	if err := w.subscribe(control); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("%w: %w: %w", ErrWatchSubscribe, ErrUnavailable, err)
	}
	w.wg.Add(1)
	go w.read()
	if err := w.awaitSubscribed(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("%w: %w", ErrWatchSubscribe, err)
	}
	w.wg.Add(1)
	go w.heartbeat(until.Sub(c.now()))
	return w, nil
}

// dialControl opens the conference's control WebSocket with a fresh
// one-time token.
func (c *Client) dialControl(ctx context.Context, cc control) (*websocket.Conn, error) {
	wsToken, err := c.webSocketToken(ctx, cc.realID, cc.token)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWatchToken, err)
	}
	endpoint, err := wsEndpoint(cc.wsURL, cc.realID, wsToken)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWatchConnect, err)
	}
	dialer := websocket.Dialer{HandshakeTimeout: watchDialTimeout, Proxy: http.ProxyFromEnvironment}
	conn, resp, err := dialer.DialContext(ctx, endpoint, nil)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// The error may quote the address but never the query, where the token is.
		return nil, fmt.Errorf("%w: %w: %w", ErrWatchConnect, ErrUnavailable, err)
	}
	conn.SetReadLimit(maxPushSize)
	return conn, nil
}

// awaitSubscribed waits for the answer to the first Subscribe: Huawei's
// reply (meeting_21_1511), or a push of a subscribed type, which says as
// much. A refusal is returned with Huawei's code and reason, for the
// caller to log (Presence does).
func (w *Watch) awaitSubscribed(ctx context.Context) error {
	t := time.NewTimer(watchWriteWait)
	defer t.Stop()
	select {
	case err := <-w.answered:
		return err
	case <-w.done:
		if err := w.Err(); err != nil {
			return err
		}
		return fmt.Errorf("%w: control websocket closed before answering Subscribe", ErrUnavailable)
	case <-t.C:
		return fmt.Errorf("%w: no answer to Subscribe", ErrUnavailable)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// confirm records the first Subscribe's outcome, once, and reports
// whether this was it.
func (w *Watch) confirm(err error) (first bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.confirmed {
		return false
	}
	w.confirmed = true
	w.answered <- err
	return true
}

// webSocketToken obtains a one-time token (valid one minute) for opening the
// control WebSocket.
func (c *Client) webSocketToken(ctx context.Context, conferenceID, control string) (string, error) {
	path := "v1/mmc/control/conferences/wsToken?" + url.Values{"conferenceID": {conferenceID}}.Encode()
	req, err := c.newRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("X-Conference-Authorization", control)
	var out struct {
		WebSocketToken string `json:"webSocketToken"`
	}
	if err := c.do(req, &out); err != nil {
		return "", err
	}
	if out.WebSocketToken == "" {
		return "", errors.New("response has no webSocketToken")
	}
	return out.WebSocketToken, nil
}

// wsEndpoint builds the connection URL from the wsURL prefix Huawei gives with
// the control token: an https or wss prefix gives wss, http or ws gives ws.
// The documented path is always appended to whatever path the prefix has
// (meeting_21_1510; both public integrations do so), unless it already ends
// with it.
func wsEndpoint(prefix, conferenceID, wsToken string) (string, error) {
	if prefix == "" {
		return "", errors.New("control token came without a WebSocket URL")
	}
	if !strings.Contains(prefix, "://") {
		prefix = "wss://" + prefix
	}
	u, err := url.Parse(prefix)
	if err != nil || u.Host == "" {
		return "", errors.New("control token came with a malformed WebSocket URL")
	}
	switch u.Scheme {
	case "https", "wss":
		u.Scheme = "wss"
	case "http", "ws":
		u.Scheme = "ws"
	default:
		return "", errors.New("control token came with a malformed WebSocket URL")
	}
	if !strings.HasSuffix(u.Path, wsPath) {
		u.Path = strings.TrimSuffix(u.Path, "/") + wsPath
	}
	q := u.Query()
	q.Set("confID", conferenceID)
	q.Set("tmpToken", wsToken)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// newSequence returns a message sequence number: 30 digits, as in Huawei's examples.
func newSequence() string { return fmt.Sprintf("%030d", time.Now().UnixNano()) }

// subscribe asks for participant, meeting-state and call-result pushes.
// Huawei's own sample sends data as a JSON string holding the object, with
// confToken in the "Basic <base64>" form (meeting_21_1511); so does this.
func (w *Watch) subscribe(control string) error {
	data, err := json.Marshal(struct {
		ConferenceID  string   `json:"conferenceID"`
		SubscribeType []string `json:"subscribeType"`
		ConfToken     string   `json:"confToken"`
	}{w.realID, subscribeTypes, "Basic " + base64.StdEncoding.EncodeToString([]byte(control))})
	if err != nil {
		return err
	}
	return w.send(map[string]string{"sequence": newSequence(), "action": "Subscribe", "data": string(data)})
}

func (w *Watch) send(v any) error {
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	_ = w.conn.SetWriteDeadline(time.Now().Add(watchWriteWait))
	return w.conn.WriteJSON(v)
}

func (w *Watch) read() {
	defer w.wg.Done()
	for {
		_ = w.conn.SetReadDeadline(time.Now().Add(watchReadTimeout))
		_, msg, err := w.conn.ReadMessage()
		if err != nil {
			w.end(fmt.Errorf("%w: control websocket: %w", ErrUnavailable, err))
			return
		}
		var env wsEnvelope
		if err := json.Unmarshal(msg, &env); err != nil {
			w.notUnderstood("push")
			continue
		}
		switch env.Action {
		case "Subscribe":
			if err := subscribeAnswer(env.Data); err != nil {
				if !w.confirm(err) { // a later Subscribe (resynchronising, or with a kept-alive token)
					w.logger.Warn("the meeting's control websocket refused a subscription; asking the API instead",
						slog.String("conference_id", w.conferenceID), slog.Any("err", err))
				}
				w.end(err)
				return
			}
			w.confirm(nil)
		case "InviteResultNotify":
			w.confirm(nil)
			w.record(env)
		case "ParticipantsNotify":
			w.confirm(nil)
			if !w.apply(env) {
				if w.tooManyResyncs() {
					w.logger.Warn("meeting participant pushes keep arriving out of order; asking the API instead",
						slog.String("conference_id", w.conferenceID))
					w.end(fmt.Errorf("%w: participant pushes out of order", ErrUnavailable))
					return
				}
				// An increment came out of order: ask again, which brings a full list.
				w.mu.Lock()
				control := w.control
				w.mu.Unlock()
				if err := w.subscribe(control); err != nil {
					w.end(fmt.Errorf("%w: resubscribe: %w", ErrUnavailable, err))
					return
				}
			}
		case "ConfDynamicInfoNotify":
			w.confirm(nil)
			if env.State == StateDestroyed {
				w.end(ErrEnded)
				return
			}
		}
	}
}

// apply updates the roster from a ParticipantsNotify push. It returns false
// when an increment's version is not larger than the last one's (a repeat
// or a step back); the roster is then not trusted until the next full
// list. Increments carry "a sequence number in ascending order"
// (meeting_21_1514), not one per push: the counter may be shared with other
// push types, so a gap is no sign of a lost increment.
func (w *Watch) apply(env wsEnvelope) bool {
	var entries []participantNotify
	if err := json.Unmarshal(env.Data, &entries); err != nil {
		w.notUnderstood("participants push")
		return true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if env.MsgMode == 0 {
		clear(w.roster)
		w.synced, w.versions[env.Action] = true, 0
	} else {
		if !w.synced {
			return true // a full list is on its way
		}
		if last := w.versions[env.Action]; last != 0 && env.Version <= last {
			w.synced = false
			return false
		}
		w.versions[env.Action] = env.Version
	}
	for _, e := range entries {
		if e.PID == "" {
			continue
		}
		if e.Mode == 1 {
			delete(w.roster, e.PID)
			continue
		}
		p, ok := w.roster[e.PID]
		if !ok {
			p = Participant{ID: e.PID, State: InMeeting}
		}
		if v, ok := e.PinfoMap["NAME"]; ok {
			p.Name = v
		}
		if v, ok := e.PinfoMap["TEL"]; ok {
			p.Number = v
		}
		if v, ok := e.PinfoMap["STATE"]; ok {
			if n, err := strconv.Atoi(v); err == nil {
				p.State = ParticipantState(n)
			}
		}
		w.roster[e.PID] = p
	}
	return true
}

// notUnderstood logs a push the watch cannot read: a warning the first
// time, since a format unlike the documented one would leave the watch
// never complete, and quietly after that.
func (w *Watch) notUnderstood(what string) {
	level := slog.LevelDebug
	if w.puzzled.CompareAndSwap(false, true) {
		level = slog.LevelWarn
	}
	w.logger.Log(context.Background(), level, "meeting "+what+" not understood", slog.String("conference_id", w.conferenceID))
}

// tooManyResyncs records a missed increment and reports whether there have
// been too many lately.
func (w *Watch) tooManyResyncs() bool {
	now := time.Now()
	kept := w.resyncs[:0]
	for _, t := range w.resyncs {
		if now.Sub(t) < resyncWindow {
			kept = append(kept, t)
		}
	}
	w.resyncs = append(kept, now)
	return len(w.resyncs) > maxResyncs
}

// heartbeat keeps the link alive, and the control token it subscribed
// with: when the token is due for renewal (after life) it is kept alive
// with Huawei's keep-alive call. If that fails the watch ends cleanly, and
// the next invitation renews the token and opens a new watch.
func (w *Watch) heartbeat(life time.Duration) {
	defer w.wg.Done()
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	expired := time.NewTimer(life)
	defer expired.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-expired.C:
			w.mu.Lock()
			tok := w.control
			w.mu.Unlock()
			ctx, cancel := context.WithTimeout(w.ctx, watchDialTimeout)
			next, life, err := w.renew(ctx, tok)
			cancel()
			if err != nil || life < minTokenLife {
				w.logger.Debug("meeting control token not kept alive; ending the watch",
					slog.String("conference_id", w.conferenceID), slog.Any("err", err))
				w.goodbye()
				w.end(nil)
				return
			}
			w.mu.Lock()
			renewed := next != w.control
			w.control = next
			w.mu.Unlock()
			if renewed {
				// The subscription was made with the old token: make it
				// again with the new one (which brings a full list).
				if err := w.subscribe(next); err != nil {
					w.end(fmt.Errorf("%w: resubscribe: %w", ErrUnavailable, err))
					return
				}
			}
			expired.Reset(life)
		case <-t.C:
			if err := w.send(map[string]string{"sequence": newSequence(), "action": "HeartBeat"}); err != nil {
				w.end(fmt.Errorf("%w: heartbeat: %w", ErrUnavailable, err))
				return
			}
		}
	}
}

// end records why the watch ended (the first reason wins) and closes the link.
func (w *Watch) end(err error) {
	w.mu.Lock()
	select {
	case <-w.done:
		w.mu.Unlock()
		return
	default:
	}
	if w.leaving.Load() {
		err = nil // closed on purpose: the reader may see the server's answer to goodbye first
	}
	w.err, w.synced = err, false
	close(w.done)
	w.mu.Unlock()
	w.cancel()
	_ = w.conn.Close()
}

// Participants returns everyone online in the conference, and true, when the
// watch is live and its list complete; otherwise nil and false.
func (w *Watch) Participants() ([]Participant, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.synced {
		return nil, false
	}
	out := make([]Participant, 0, len(w.roster))
	for _, p := range w.roster {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Participant) int { return cmp.Compare(a.ID, b.ID) })
	return out, true
}

// Find returns the online participants for which match is true, and true,
// when the watch is live and its list complete; otherwise nil and false. It
// copies only what matches, so many callers can poll a large meeting.
func (w *Watch) Find(match func(Participant) bool) ([]Participant, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.synced {
		return nil, false
	}
	var out []Participant
	for _, p := range w.roster {
		if match(p) {
			out = append(out, p)
		}
	}
	return out, true
}

// Done is closed when the watch has ended.
func (w *Watch) Done() <-chan struct{} { return w.done }

// Err says why the watch ended: ErrEnded when the conference ended, an error
// matching ErrUnavailable when the link failed, ErrSubscribeRefused when
// Huawei refused a subscription, nil after Close, when its control token
// could not be kept alive, or while live.
func (w *Watch) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Close ends the watch and waits for its goroutines. It is idempotent.
func (w *Watch) Close() {
	w.closeOnce.Do(func() {
		w.goodbye()
		w.end(nil)
	})
	w.wg.Wait()
}

// goodbye tells the server the watch is closing on purpose. WriteControl
// may run alongside another write, so a heartbeat stuck on a dead link
// does not hold it up.
func (w *Watch) goodbye() {
	w.leaving.Store(true)
	_ = w.conn.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
}
