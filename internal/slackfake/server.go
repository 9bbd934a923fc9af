package slackfake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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

// Identifiers the fake uses where Slack would use its own.
const (
	appID             = "A0FAKE"
	botID             = "BFAKE"
	teamDomain        = "fake"
	verificationToken = "fake-verification-token"
	responseURLTTL    = 30 * time.Minute
	responseURLUses   = 5
	closeGrace        = time.Second // how long Close lets requests in flight finish
)

// ErrClosed is returned by waiting methods once the Server is closed.
var ErrClosed = errors.New("slackfake: server closed")

// DefaultScopes are the bot scopes granted when Config.Scopes is nil.
var DefaultScopes = []string{
	"commands", "chat:write", "users:read", "users:read.email", "usergroups:read",
	"channels:read", "groups:read", "channels:history", "groups:history", "im:read",
}

// DefaultBotEvents are the events subscribed to when Config.BotEvents is
// nil: the bot's manifest's.
var DefaultBotEvents = []string{"app_home_opened"}

// User is a workspace member as the fake's directory knows it. TeamID
// defaults to Config.TeamID. Someone of another organisation, seen through
// Slack Connect, has another TeamID (and EnterpriseID, on Enterprise Grid)
// and IsStranger; users.info answers with team_id, enterprise_user and
// is_stranger as the user object documents them
// (https://docs.slack.dev/reference/objects/user-object,
// https://docs.slack.dev/apis/slack-connect).
type User struct {
	ID, TeamID, EnterpriseID, Name, RealName, DisplayName, Email, Phone, Title, TZ, Locale string
	Deleted, IsBot, IsRestricted, IsUltraRestricted, IsAdmin, IsStranger                   bool
}

// Channel is a conversation. IsIM marks a direct message channel (ID "D…").
// BotIsMember says whether the bot user is in it. Archived channels refuse
// posts with is_archived; in an announcement-only channel (AnnouncementOnly,
// where only admins may post) chat.postMessage fails with restricted_action.
type Channel struct {
	ID, Name         string
	Private          bool
	IsIM             bool
	Members          []string
	BotIsMember      bool
	Archived         bool
	AnnouncementOnly bool
}

// Group is a user group (subteam, ID "S…").
type Group struct {
	ID, Handle, Name string
	Members          []string
}

// ThreadMessage is one message of a seeded thread (see Server.Thread).
type ThreadMessage struct{ User, Text, TS string }

// Config seeds a Server. Zero values take the documented defaults.
type Config struct {
	TeamID       string   // default "T0FAKE"
	EnterpriseID string   // the Enterprise Grid organisation; "" for a standalone workspace
	BotToken     string   // default "xoxb-fake-bot-token"
	AppToken     string   // default "xapp-fake-app-token"
	BotUserID    string   // default "UBOT"
	Scopes       []string // bot scopes granted; nil means DefaultScopes, an empty non-nil slice means none

	Users    []User
	Channels []Channel
	Groups   []Group

	PingInterval time.Duration // server WebSocket PINGs; default 2s (slack-go's watchdog default is 30s)
	TriggerTTL   time.Duration // default 3s
	Latency      time.Duration // added to every Web API and response_url answer

	RateLimits *RateLimits // Slack's rate limits; nil (the default) means none but scripted failures

	// HomeTabDisabled is an app whose manifest leaves the Home tab off:
	// views.publish then answers not_enabled, and nobody can open the tab
	// (OpenHome refuses).
	HomeTabDisabled bool
	// BotEvents are the events the app subscribes to (its manifest's
	// event_subscriptions.bot_events): Slack sends an app only those
	// (https://api.slack.com/apis/events-api#subscribing). nil means
	// DefaultBotEvents, an empty non-nil slice none.
	BotEvents []string

	// RedeliverAfter, when positive, sends an envelope not acknowledged
	// within it again, with the same envelope_id, retry_attempt one higher
	// and retry_reason "timeout", at most MaxRedeliveries times. Slack
	// retries an unacknowledged Events API delivery up to three times
	// (https://api.slack.com/apis/events-api#retries), and Socket Mode
	// envelopes carry retry_attempt and retry_reason
	// (https://api.slack.com/apis/connections/socket-implement); which
	// envelope types Socket Mode retries, and when, is not documented, so
	// it is off by default and the delay is the test's to choose (Slack's
	// own acknowledgement deadline is 3 s).
	RedeliverAfter time.Duration
}

// MaxRedeliveries is how often an unacknowledged envelope is sent again
// (see Config.RedeliverAfter).
const MaxRedeliveries = 3

// Server is a running fake Slack. Create it with Start and stop it with Close.
type Server struct {
	cfg      Config
	scopes   map[string]bool // granted bot scopes; read-only after Start
	limits   *limiter        // nil without Config.RateLimits
	srv      *http.Server
	baseURL  string // http://127.0.0.1:PORT
	upgrader websocket.Upgrader

	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup // handlers and the goroutines they start
	serving   sync.WaitGroup // http.Server.Serve

	mu          sync.Mutex
	closed      bool
	seq         uint64
	lastTS      int64 // microseconds of the last minted message timestamp
	users       map[string]*User
	userOrder   []string
	channels    map[string]*Channel
	chanOrder   []string
	groups      map[string]*Group
	groupOrder  []string
	threads     map[string][]ThreadMessage // channel + "/" + parent ts
	tickets     map[string]bool            // ticket -> already used
	conns       []*wsConn                  // live sockets, oldest first
	nextConn    int                        // round-robin position for the next envelope
	connections int
	refused     int // sockets refused for being past MaxConnections
	connChanged chan struct{}
	envelopes   map[string]*envelope
	unknownAcks int
	triggers    map[string]*trigger
	responses   map[string]*responseURL
	messages    []Message
	msgChanged  chan struct{}
	subs        map[int]chan Message
	subSeq      int
	views       []*view
	viewByID    map[string]*view
	viewChanged chan struct{}
	calls       map[string]int
	book        callBook // calls registered with calls.add (calls.go)
	homes       homeBook // Home tabs published (home.go)
	failures    map[string][]Failure
	botRevoked  atomic.Bool // RevokeBotToken
}

// Start validates cfg, applies defaults and starts serving on 127.0.0.1:0.
func Start(cfg Config) (*Server, error) {
	cfg = withDefaults(cfg)
	if !strings.HasPrefix(cfg.BotToken, "xoxb-") {
		return nil, errors.New("slackfake: BotToken must start with xoxb-")
	}
	if !strings.HasPrefix(cfg.AppToken, "xapp-") {
		return nil, errors.New("slackfake: AppToken must start with xapp-")
	}
	s := &Server{
		cfg:         cfg,
		upgrader:    websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
		done:        make(chan struct{}),
		scopes:      make(map[string]bool),
		users:       make(map[string]*User),
		channels:    make(map[string]*Channel),
		groups:      make(map[string]*Group),
		threads:     make(map[string][]ThreadMessage),
		tickets:     make(map[string]bool),
		connChanged: make(chan struct{}),
		envelopes:   make(map[string]*envelope),
		triggers:    make(map[string]*trigger),
		responses:   make(map[string]*responseURL),
		msgChanged:  make(chan struct{}),
		subs:        make(map[int]chan Message),
		viewByID:    make(map[string]*view),
		viewChanged: make(chan struct{}),
		calls:       make(map[string]int),
		failures:    make(map[string][]Failure),
		limits:      newLimiter(cfg.RateLimits),
	}
	for _, sc := range cfg.Scopes {
		s.scopes[sc] = true
	}
	for _, u := range cfg.Users {
		if u.ID == "" {
			return nil, errors.New("slackfake: a user has no ID")
		}
		if _, dup := s.users[u.ID]; dup {
			return nil, fmt.Errorf("slackfake: duplicate user %s", u.ID)
		}
		s.putUser(u)
	}
	if _, ok := s.users[cfg.BotUserID]; !ok {
		s.putUser(User{ID: cfg.BotUserID, Name: "meet-invite", RealName: "Meet Invite", DisplayName: "meet-invite", IsBot: true})
	}
	for _, c := range cfg.Channels {
		if c.ID == "" {
			return nil, errors.New("slackfake: a channel has no ID")
		}
		if _, dup := s.channels[c.ID]; dup {
			return nil, fmt.Errorf("slackfake: duplicate channel %s", c.ID)
		}
		c.Members = slices.Clone(c.Members)
		s.channels[c.ID] = &c
		s.chanOrder = append(s.chanOrder, c.ID)
	}
	for _, g := range cfg.Groups {
		if g.ID == "" {
			return nil, errors.New("slackfake: a group has no ID")
		}
		if _, dup := s.groups[g.ID]; dup {
			return nil, fmt.Errorf("slackfake: duplicate group %s", g.ID)
		}
		g.Members = slices.Clone(g.Members)
		s.groups[g.ID] = &g
		s.groupOrder = append(s.groupOrder, g.ID)
	}

	ln, err := listen()
	if err != nil {
		return nil, fmt.Errorf("slackfake: listen: %w", err)
	}
	s.baseURL = "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.handleAPI)
	mux.HandleFunc("/link/", s.handleLink)
	mux.HandleFunc("/response/", s.handleResponseURL)
	s.srv = &http.Server{Handler: s.track(mux), ReadHeaderTimeout: 10 * time.Second}
	s.serving.Go(func() { _ = s.srv.Serve(ln) })
	return s, nil
}

func withDefaults(cfg Config) Config {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&cfg.TeamID, "T0FAKE")
	def(&cfg.BotToken, "xoxb-fake-bot-token")
	def(&cfg.AppToken, "xapp-fake-app-token")
	def(&cfg.BotUserID, "UBOT")
	if cfg.Scopes == nil {
		cfg.Scopes = DefaultScopes
	}
	cfg.Scopes = slices.Clone(cfg.Scopes)
	if cfg.BotEvents == nil {
		cfg.BotEvents = DefaultBotEvents
	}
	cfg.BotEvents = slices.Clone(cfg.BotEvents)
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = 2 * time.Second
	}
	if cfg.TriggerTTL <= 0 {
		cfg.TriggerTTL = 3 * time.Second
	}
	return cfg
}

// APIURL is the Web API base, "http://127.0.0.1:PORT/api/", for slack.OptionAPIURL.
func (s *Server) APIURL() string { return s.baseURL + "/api/" }

// BotToken is the bot token (xoxb-) the Web API accepts.
func (s *Server) BotToken() string { return s.cfg.BotToken }

// RevokeBotToken makes every later use of the bot token answer
// token_revoked, as Slack does once the app is uninstalled or the token
// revoked.
func (s *Server) RevokeBotToken() { s.botRevoked.Store(true) }

// AppToken is the app-level token (xapp-) apps.connections.open accepts.
func (s *Server) AppToken() string { return s.cfg.AppToken }

// Close closes every socket and subscriber channel, wakes every waiter with
// ErrClosed, lets requests in flight finish their answer, stops the listener
// and waits for the goroutines the Server started. It is safe to call more
// than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.done)
		conns := slices.Clone(s.conns)
		for id, ch := range s.subs {
			close(ch)
			delete(s.subs, id)
		}
		s.mu.Unlock()
		for _, c := range conns {
			c.kill()
		}
		// Requests in flight may finish their answer (their waits end on
		// s.done); a client stuck sending a body is cut off after a grace period.
		idle := make(chan struct{})
		go func() {
			s.wg.Wait()
			close(idle)
		}()
		grace := time.NewTimer(closeGrace)
		defer grace.Stop()
		select {
		case <-idle:
		case <-grace.C:
		}
		_ = s.srv.Close()
		<-idle
		s.serving.Wait()
	})
}

// track counts running handlers in s.wg so that Close waits for them, and
// turns requests away once the Server is closing.
func (s *Server) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			http.Error(w, "server closed", http.StatusServiceUnavailable)
			return
		}
		s.wg.Add(1)
		s.mu.Unlock()
		defer s.wg.Done()
		h.ServeHTTP(w, r)
	})
}

// putUser stores a copy of u; s.mu must be held (or s not yet shared).
func (s *Server) putUser(u User) {
	if u.TeamID == "" {
		u.TeamID = s.cfg.TeamID
		if u.EnterpriseID == "" {
			u.EnterpriseID = s.cfg.EnterpriseID
		}
	}
	if _, ok := s.users[u.ID]; !ok {
		s.userOrder = append(s.userOrder, u.ID)
	}
	s.users[u.ID] = &u
}

// AddUser adds u to the directory, or replaces the user with the same ID.
func (s *Server) AddUser(u User) {
	if u.ID == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putUser(u)
}

// SetBotMember adds the bot to, or removes it from, a known channel.
// Unknown channel IDs are ignored.
func (s *Server) SetBotMember(channelID string, member bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.channels[channelID]; ok {
		c.BotIsMember = member
	}
}

// Users returns a copy of the directory, in insertion order (the bot user included).
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.userOrder))
	for _, id := range s.userOrder {
		out = append(out, *s.users[id])
	}
	return out
}

// Channels returns a copy of the channels.
func (s *Server) Channels() []Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Channel, 0, len(s.chanOrder))
	for _, id := range s.chanOrder {
		c := *s.channels[id]
		c.Members = slices.Clone(c.Members)
		out = append(out, c)
	}
	return out
}

// Groups returns a copy of the user groups.
func (s *Server) Groups() []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Group, 0, len(s.groupOrder))
	for _, id := range s.groupOrder {
		g := *s.groups[id]
		g.Members = slices.Clone(g.Members)
		out = append(out, g)
	}
	return out
}

// Thread seeds (or replaces) the thread whose parent message is ts in
// channelID, for conversations.replies and message shortcuts. Replies should
// start with the parent message (TS == ts), as Slack returns it.
func (s *Server) Thread(channelID, ts string, replies []ThreadMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.threads[channelID+"/"+ts] = slices.Clone(replies)
}

// Calls reports how many Web API requests named method arrived, failed ones
// included. Posts to response URLs count as "response_url".
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Failure scripts one answer of a Web API method (see FailNext).
//
// RetryAfter > 0 answers 429 with a Retry-After header (whole seconds, rounded
// up) and {"ok":false,"error":"ratelimited"}. Body answers that raw body with
// Status (default 200). Otherwise the answer is {"ok":false,"error":Error}
// with Status (default 200; Error defaults to "fatal_error"). A Failure with
// only Delay set does not fail: it delays, then the call is served normally.
type Failure struct {
	Status     int
	Error      string
	RetryAfter time.Duration
	Delay      time.Duration
	Body       string
}

// FailNext queues f for the next call of method (e.g. "users.info",
// "apps.connections.open", or "response_url" for posts to response URLs).
// Queued failures are served in order, before normal handling.
func (s *Server) FailNext(method string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], f)
}

// nextID returns a process-unique sequence number; s.mu must be held.
func (s *Server) nextID() uint64 {
	s.seq++
	return s.seq
}

// mintTS returns a unique, increasing Slack message timestamp; s.mu must be held.
func (s *Server) mintTS() string {
	now := time.Now().UnixMicro()
	if now <= s.lastTS {
		now = s.lastTS + 1
	}
	s.lastTS = now
	return fmt.Sprintf("%d.%06d", now/1e6, now%1e6)
}

// mintTrigger registers a fresh trigger ID for userID; s.mu must be held.
func (s *Server) mintTrigger(userID string) string {
	now := time.Now()
	id := fmt.Sprintf("%d.%d.%s", now.Unix(), s.nextID(), randHex(16))
	s.triggers[id] = &trigger{issued: now, userID: userID}
	return id
}

// mintResponseURL registers a fresh response URL; s.mu must be held.
func (s *Server) mintResponseURL(channelID, userID string) string {
	id := fmt.Sprintf("%s/%d/%s", s.cfg.TeamID, s.nextID(), randHex(12))
	s.responses[id] = &responseURL{created: time.Now(), channel: channelID, user: userID}
	return s.baseURL + "/response/" + id
}

// notify wakes everyone waiting on *ch and arms a fresh channel; s.mu must be held.
func notify(ch *chan struct{}) {
	close(*ch)
	*ch = make(chan struct{})
}

// waitUntil blocks until ready (called with s.mu held) reports true. ready
// also returns the channel that is closed when it is worth asking again.
func (s *Server) waitUntil(ctx context.Context, ready func() (bool, <-chan struct{})) error {
	for {
		s.mu.Lock()
		ok, ch := ready()
		closed := s.closed
		s.mu.Unlock()
		if ok {
			return nil
		}
		if closed {
			return ErrClosed
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return ErrClosed
		}
	}
}

// sleep waits d, or less if the request or the server ends first.
func (s *Server) sleep(r *http.Request, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	case <-s.done:
	}
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("slackfake: marshal: %v", err)) // only values built by this package
	}
	return b
}
