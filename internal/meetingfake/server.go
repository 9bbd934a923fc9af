package meetingfake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Endpoint names, as used by [Server.Calls] and [Server.FailNext].
const (
	EndpointAppAuth     = "appauth"
	EndpointAccountAuth = "account"
	EndpointConfDetail  = "confDetail"
	// EndpointCreateMeeting is CreateMeeting.
	EndpointCreateMeeting = "createMeeting"
	// EndpointOnlineMeetings is SearchOnlineMeetings.
	EndpointOnlineMeetings = "onlineMeetings"
	EndpointControlToken   = "controlToken"
	EndpointInvite         = "invite"
	EndpointDirectory      = "directory"
	EndpointRealTimeInfo   = "realTimeInfo"
	// EndpointOnlineAttendees is ListOnlineConfAttendee.
	EndpointOnlineAttendees = "onlineAttendees"
	EndpointWsToken         = "wsToken"
	// EndpointWebSocket counts connection attempts to the control WebSocket.
	EndpointWebSocket = "websocket"
)

// Conference states, as Huawei spells them in conferenceState.
const (
	StateSchedule  = "Schedule"
	StateCreating  = "Creating"
	StateCreated   = "Created"
	StateDestroyed = "Destroyed"
)

// Config configures a fake server. The zero value serves an enterprise with no
// credentials, meetings or directory entries.
type Config struct {
	AppID, AppKey     string // App ID authentication is accepted when both are set
	UserID            string // if non-empty, appauth requires this userId (else any, including empty)
	Account, Password string // account authentication is accepted when both are set

	Conferences []Conference
	Directory   []DirectoryUser

	// PSTNEnabled false: a call to an attendee of type "mobile" is accepted
	// and then fails by push (InviteResultNotify 11076012), since
	// meeting_21_0030 says only that without PSTN permission "the call
	// cannot be made".
	PSTNEnabled     bool
	AccessTokenTTL  time.Duration // default 12h
	ControlTokenTTL time.Duration // default 30m
	LockAfter       int           // wrong host passwords before MMC.111072064; default 5
	Latency         time.Duration // added to every response
	Now             func() time.Time

	// A call rings until it is answered, after AnswerAfter (0: only by
	// Server.Answer), or until RingTimeout (default 60 s) drops it.
	AnswerAfter time.Duration
	RingTimeout time.Duration
	// CallOutcomes says how calls to some numbers end (CallAnswers for the
	// rest); FailAfter (default 200 ms) is how long a busy, declining,
	// failing or PSTN-less call rings before it ends.
	CallOutcomes map[string]CallOutcome
	FailAfter    time.Duration
	// A control WebSocket must subscribe within SubscribeTimeout (default
	// 10 s) and then send something at least every HeartbeatTimeout
	// (default 180 s, as documented), or it is closed.
	SubscribeTimeout time.Duration
	HeartbeatTimeout time.Duration

	// WsURL overrides the wsURL handed out with control tokens (default:
	// this server, "ws://127.0.0.1:PORT"), e.g. to point it at a port that
	// refuses connections, as a firewall blocking Huawei's WebSocket host would.
	WsURL string
}

// Conference is a meeting known to the fake.
type Conference struct {
	ID              string // e.g. "914083136"
	Subject         string
	State           string // "Created" (running, the default when empty), "Schedule", "Creating", "Destroyed"
	ChairPassword   string // host password, passwordEntry role "chair"
	GuestPassword   string // passwordEntry role "general"
	MaxParticipants int    // 0 = unlimited; invites that would exceed it answer MMC.111072101
	// Locked: joins need the host's leave, but the host's invitations go
	// through (meeting_21_0037), so invites are accepted; realTimeInfo says lock.
	Locked bool
	// HidePasswords: confDetail answers as to a guest, whose passwordEntry
	// has the general password only (SDK ConferenceInfo.passwordEntry).
	HidePasswords bool
	// RoomID is the fixed ID of the cloud meeting room (VMR) the meeting runs
	// in: the number its participants see (vmrConferenceID). confDetail
	// knows the meeting only by ID; the online-meeting search finds it by
	// either (meeting_21_0025, meeting_21_1512).
	RoomID    string
	StartTime string // "yyyy-MM-dd HH:mm"
	EndTime   string // "yyyy-MM-dd HH:mm"
	// Scheduler is who scheduled the meeting (scheduserName); default
	// "Fake Scheduler", never the bot's own user.
	Scheduler string
}

// DirectoryUser is an entry of the corporate directory.
type DirectoryUser struct {
	ID, Account, Name, EnglishName, Email string
	Phone                                 string // mobile number; hidden from results when HidePhone
	Number                                string // SIP number
	Type                                  string // default "NORMAL_USER"
	HidePhone                             bool
}

// Attendee is one entry of an invite request, with Huawei's JSON names.
// Role is a pointer so that an absent role stays visible.
type Attendee struct {
	UserUUID  string `json:"userUUID,omitempty"`
	AccountID string `json:"accountId,omitempty"`
	Name      string `json:"name"`
	Role      *int   `json:"role,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Phone2    string `json:"phone2,omitempty"`
	Phone3    string `json:"phone3,omitempty"`
	Email     string `json:"email,omitempty"`
	SMS       string `json:"sms,omitempty"`
	Type      string `json:"type,omitempty"`
	DeptUUID  string `json:"deptUUID,omitempty"`
	DeptName  string `json:"deptName,omitempty"`
}

// Invitation is an accepted invite call.
type Invitation struct {
	ConferenceID string
	Attendees    []Attendee
	RequestID    string // the X-Request-Id of the response
	At           time.Time
}

// Failure is a scripted answer, see [Server.FailNext].
type Failure struct {
	Status     int           // HTTP status; 0 means 500 (a Failure with only Delay set slows the request down instead)
	Code, Msg  string        // error_code and error_msg of the JSON error body
	Body       string        // raw body, overrides Code and Msg; may be non-JSON
	Delay      time.Duration // sleep first; a cancelled request gets no answer
	RetryAfter int           // seconds; sets the Retry-After header when > 0
}

// slowOnly reports whether f only delays the request, which is then served
// as usual: a slow upstream rather than a failing one.
func (f Failure) slowOnly() bool {
	return f.Delay > 0 && f.Status == 0 && f.Code == "" && f.Msg == "" && f.Body == "" && f.RetryAfter == 0
}

// Server is a running fake. All methods are safe for concurrent use.
type Server struct {
	cfg      Config
	url      string
	wsURL    string
	http     *http.Server
	served   chan struct{}
	baseCtx  context.Context
	cancel   context.CancelFunc
	routes   map[string]route
	calls    map[string]*atomic.Int64 // fixed keys, never written after Start
	tokens   tokenStore
	onInvite atomic.Pointer[func(Invitation)]

	closeOnce sync.Once
	lifeMu    sync.Mutex // guards closed and the Add side of inflight
	closed    bool
	inflight  sync.WaitGroup

	failMu   sync.Mutex
	pending  atomic.Int64 // queued failures, to skip failMu when none
	failures map[string][]Failure

	mu            sync.Mutex // guards confs, tokens, sockets and timers
	confs         map[string]*confState
	controlTokens map[string]controlToken
	issuedCtl     int
	wsTokens      map[string]wsToken
	issuedWs      int
	sockets       map[*subscriber]struct{}
	socketsClosed bool
	timers        map[*time.Timer]struct{}
	timersStopped bool
	nextPID       int
	outcomes      map[string]CallOutcome // by number
	refused       map[string]bool        // conference IDs whose Subscribe is refused

	dirMu     sync.RWMutex
	directory []DirectoryUser

	linkKey []byte // keys the meetings' join links (JoinLink)
}

type route struct {
	method, endpoint string
	handle           func(w http.ResponseWriter, r *http.Request, rid string)
}

// Start validates cfg and serves the fake on 127.0.0.1 at a free port.
func Start(cfg Config) (*Server, error) {
	if cfg.AccessTokenTTL < 0 || cfg.ControlTokenTTL < 0 || cfg.Latency < 0 || cfg.LockAfter < 0 ||
		cfg.AnswerAfter < 0 || cfg.RingTimeout < 0 || cfg.SubscribeTimeout < 0 || cfg.HeartbeatTimeout < 0 || cfg.FailAfter < 0 {
		return nil, errors.New("meetingfake: negative duration or LockAfter")
	}
	if cfg.AccessTokenTTL == 0 {
		cfg.AccessTokenTTL = 12 * time.Hour
	}
	if cfg.ControlTokenTTL == 0 {
		cfg.ControlTokenTTL = 30 * time.Minute
	}
	if cfg.LockAfter == 0 {
		cfg.LockAfter = 5
	}
	if cfg.RingTimeout == 0 {
		cfg.RingTimeout = defaultRingLimit
	}
	if cfg.SubscribeTimeout == 0 {
		cfg.SubscribeTimeout = defaultSubscribeTimeout
	}
	if cfg.FailAfter == 0 {
		cfg.FailAfter = defaultFailAfter
	}
	if cfg.HeartbeatTimeout == 0 {
		cfg.HeartbeatTimeout = defaultHeartbeatTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{
		cfg:           cfg,
		failures:      make(map[string][]Failure),
		confs:         make(map[string]*confState, len(cfg.Conferences)),
		controlTokens: make(map[string]controlToken),
		wsTokens:      make(map[string]wsToken),
		sockets:       make(map[*subscriber]struct{}),
		timers:        make(map[*time.Timer]struct{}),
		tokens:        newTokenStore(),
		outcomes:      make(map[string]CallOutcome, len(cfg.CallOutcomes)),
		refused:       make(map[string]bool),
		linkKey:       []byte(randHex(32)),
	}
	for n, o := range cfg.CallOutcomes {
		if o != CallAnswers {
			s.outcomes[n] = o
		}
	}
	s.cfg.CallOutcomes = nil
	for _, c := range cfg.Conferences {
		if c.ID == "" {
			return nil, errors.New("meetingfake: conference without ID")
		}
		if _, dup := s.confs[c.ID]; dup {
			return nil, fmt.Errorf("meetingfake: duplicate conference %s", c.ID)
		}
		switch c.State {
		case "", StateSchedule, StateCreating, StateCreated, StateDestroyed:
		default:
			return nil, fmt.Errorf("meetingfake: conference %s: unknown state %q", c.ID, c.State)
		}
		s.confs[c.ID] = newConfState(c)
	}
	rooms := map[string]bool{}
	for _, c := range cfg.Conferences {
		if c.RoomID == "" {
			continue
		}
		if _, clash := s.confs[c.RoomID]; clash || rooms[c.RoomID] {
			return nil, fmt.Errorf("meetingfake: conference %s: room ID %s is another meeting's ID or room", c.ID, c.RoomID)
		}
		rooms[c.RoomID] = true
	}
	s.cfg.Conferences = nil
	for _, u := range cfg.Directory {
		s.directory = append(s.directory, normalizeUser(u, len(s.directory)))
	}
	s.cfg.Directory = nil

	s.routes = map[string]route{
		"/v2/usg/acs/auth/appauth":                            {http.MethodPost, EndpointAppAuth, s.handleAppAuth},
		"/v1/usg/acs/auth/account":                            {http.MethodPost, EndpointAccountAuth, s.handleAccountAuth},
		"/v1/mmc/management/conferences":                      {http.MethodPost, EndpointCreateMeeting, s.handleCreateMeeting},
		"/v1/mmc/management/conferences/confDetail":           {http.MethodGet, EndpointConfDetail, s.handleConfDetail},
		"/v1/mmc/management/conferences/online":               {http.MethodGet, EndpointOnlineMeetings, s.handleOnlineMeetings},
		"/v1/mmc/control/conferences/token":                   {http.MethodGet, EndpointControlToken, s.handleControlToken},
		"/v1/mmc/control/conferences/participants":            {http.MethodPost, EndpointInvite, s.handleInvite},
		"/v1/usg/abs/users":                                   {http.MethodGet, EndpointDirectory, s.handleDirectory},
		"/v1/mmc/control/conferences/realTimeInfo":            {http.MethodGet, EndpointRealTimeInfo, s.handleRealTimeInfo},
		"/v1/mmc/management/conferences/online/conf-attendee": {http.MethodGet, EndpointOnlineAttendees, s.handleOnlineAttendees},
		"/v1/mmc/control/conferences/wsToken":                 {http.MethodGet, EndpointWsToken, s.handleWsToken},
		"/cms/open/websocket/confctl/increment/conn":          {http.MethodGet, EndpointWebSocket, s.handleWebSocket},
	}
	s.calls = make(map[string]*atomic.Int64, len(s.routes))
	for _, rt := range s.routes {
		s.calls[rt.endpoint] = new(atomic.Int64)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("meetingfake: listen: %w", err)
	}
	s.url = "http://" + ln.Addr().String() + "/"
	s.wsURL = "ws://" + ln.Addr().String() // a prefix, as Huawei's wsURL is
	if cfg.WsURL != "" {
		s.wsURL = cfg.WsURL
	}
	s.baseCtx, s.cancel = context.WithCancel(context.Background())
	s.http = &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return s.baseCtx },
	}
	s.served = make(chan struct{})
	go func() {
		defer close(s.served)
		_ = s.http.Serve(ln) // returns http.ErrServerClosed after Close
	}()
	return s, nil
}

// URL returns the base URL, ending in "/", e.g. "http://127.0.0.1:PORT/".
func (s *Server) URL() string { return s.url }

// Close stops the server: it cancels delayed and in-flight requests, closes
// every connection and waits for the handlers to return. It is idempotent.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.lifeMu.Lock()
		s.closed = true
		s.lifeMu.Unlock()
		s.cancel()
		s.stopTimers()
		_ = s.http.Close()
		s.closeSockets()
		<-s.served
		s.inflight.Wait()
	})
}

// Calls reports how many requests reached an endpoint's path (any method),
// whether accepted, rejected or answered by FailNext.
func (s *Server) Calls(endpoint string) int {
	if c, ok := s.calls[endpoint]; ok {
		return int(c.Load())
	}
	return 0
}

// FailNext queues f: the next request to endpoint answers f instead of being
// handled. Failures queue up in order, one per request.
func (s *Server) FailNext(endpoint string, f Failure) {
	s.failMu.Lock()
	s.failures[endpoint] = append(s.failures[endpoint], f)
	s.pending.Add(1)
	s.failMu.Unlock()
}

// OnInvite registers an observer called after each accepted invite, on the
// request's goroutine before the response is written; it must not block for
// long. A nil fn removes the observer.
func (s *Server) OnInvite(fn func(Invitation)) {
	if fn == nil {
		s.onInvite.Store(nil)
		return
	}
	s.onInvite.Store(&fn)
}

func (s *Server) nextFailure(endpoint string) (Failure, bool) {
	if s.pending.Load() == 0 {
		return Failure{}, false
	}
	s.failMu.Lock()
	defer s.failMu.Unlock()
	q := s.failures[endpoint]
	if len(q) == 0 {
		return Failure{}, false
	}
	f := q[0]
	if len(q) == 1 {
		delete(s.failures, endpoint)
	} else {
		s.failures[endpoint] = q[1:]
	}
	s.pending.Add(-1)
	return f, true
}

func (s *Server) now() time.Time { return s.cfg.Now() }

// serveHTTP routes a request: request ID, latency, endpoint count, scripted
// failure, method check, then the endpoint's handler.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rid := requestID(r)
	w.Header().Set("X-Request-Id", rid)
	s.lifeMu.Lock()
	if s.closed {
		s.lifeMu.Unlock()
		writeError(w, http.StatusServiceUnavailable, "", "server closed", rid)
		return
	}
	s.inflight.Add(1)
	s.lifeMu.Unlock()
	defer s.inflight.Done()

	if s.cfg.Latency > 0 && !sleepCtx(r.Context(), s.cfg.Latency) {
		abort()
	}
	rt, ok := s.routes[r.URL.Path]
	if !ok {
		writeNotFound(w, rid)
		return
	}
	s.calls[rt.endpoint].Add(1)
	if f, ok := s.nextFailure(rt.endpoint); ok {
		if !f.slowOnly() {
			serveFailure(w, r, f, rid)
			return
		}
		if !sleepCtx(r.Context(), f.Delay) {
			abort()
		}
	}
	if r.Method != rt.method {
		writeNotFound(w, rid)
		return
	}
	rt.handle(w, r, rid)
}

func serveFailure(w http.ResponseWriter, r *http.Request, f Failure, rid string) {
	if f.Delay > 0 && !sleepCtx(r.Context(), f.Delay) {
		abort()
	}
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	if f.Body != "" {
		if json.Valid([]byte(f.Body)) {
			w.Header().Set("Content-Type", jsonContentType)
		} else {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(f.Body))
		return
	}
	msg := f.Msg
	if msg == "" {
		msg = http.StatusText(status)
	}
	writeError(w, status, f.Code, msg, rid)
}

// abort drops the connection without an answer, when the caller gave up or
// the server is closing (returning would send an empty 200).
func abort() { panic(http.ErrAbortHandler) }

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

const jsonContentType = "application/json;charset=UTF-8"

type errorBody struct {
	Code      string `json:"error_code"`
	Msg       string `json:"error_msg"`
	RequestID string `json:"request_id"`
}

func writeError(w http.ResponseWriter, status int, code, msg, rid string) {
	writeJSON(w, status, errorBody{Code: code, Msg: msg, RequestID: rid})
}

func writeNotFound(w http.ResponseWriter, rid string) {
	writeError(w, http.StatusNotFound, "APIGW.0101", "The API does not exist or has not been published in the environment", rid)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error_code":"","error_msg":"encode response"}`)
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// requestID echoes a sensible caller-chosen X-Request-Id, else makes one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 128 && isToken(id) {
		return id
	}
	return randHex(16)
}

func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails since Go 1.24
	return hex.EncodeToString(b)
}
