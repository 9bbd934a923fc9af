package slackfake

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Slack's rate-limit tiers, as requests per minute per method per
// workspace per app (https://docs.slack.dev/apis/web-api/rate-limits).
// The published figures are floors ("20+ per minute"); the fake allows
// exactly the floor, which is as strict as Slack can be.
const (
	Tier1 = 1
	Tier2 = 20
	Tier3 = 50
	Tier4 = 100
)

// MethodTiers are the tiers of the methods the fake serves, from each
// method's reference page (https://docs.slack.dev/reference/methods/<method>).
// chat.postMessage is special (see RateLimits.PostsPerSecond).
// chat.postEphemeral is taken as Tier 4 (its page's tier was not checked).
// Posts to response URLs are limited by their 5 uses, not by tiers.
var MethodTiers = map[string]int{
	"chat.postEphemeral":    Tier4,
	"apps.connections.open": Tier1,
	"auth.test":             Tier4,
	"users.info":            Tier4,
	"users.lookupByEmail":   Tier3,
	"usergroups.users.list": Tier2,
	"conversations.members": Tier4,
	"conversations.replies": Tier3,
	"views.open":            Tier4,
	"views.update":          Tier4,
	"views.push":            Tier4,
	"chat.update":           Tier3,
	"views.publish":         Tier4,
	// The Calls API (calls.go).
	"calls.add":                 Tier3,
	"calls.info":                Tier3,
	"calls.update":              Tier3,
	"calls.end":                 Tier3,
	"calls.participants.add":    Tier3,
	"calls.participants.remove": Tier3,
}

// RateLimits turns on Slack's rate limits (Config.RateLimits; nil means
// none but scripted ones). A request over a limit is answered, as Slack
// does, with HTTP 429, a Retry-After header in whole seconds and
// {"ok":false,"error":"ratelimited"}; it does not count against the limit.
//
// Tiered methods allow PerMinute[method] requests (default MethodTiers) in
// any 60-second window. chat.postMessage allows PostsPerSecond (default 1) per channel with bursts of PostBurst (default
// 3): "1 per second, short bursts >1 allowed" (rate-limits page, "Posting
// messages"). chat.postMessage's workspace-wide limit is not published and
// not modelled.
type RateLimits struct {
	PerMinute      map[string]int   // method → requests per minute; nil takes MethodTiers
	PostsPerSecond float64          // per channel; default 1
	PostBurst      int              // per channel; default 3
	Now            func() time.Time // default time.Now; tests inject a clock
}

// limiter holds the state behind RateLimits.
type limiter struct {
	cfg RateLimits

	mu      sync.Mutex
	windows map[string][]time.Time // method → accepted calls in the last minute, oldest first
	buckets map[string]*bucket     // channel → posting tokens
	limited map[string]int         // method → 429s answered
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(cfg *RateLimits) *limiter {
	if cfg == nil {
		return nil
	}
	l := &limiter{cfg: *cfg, windows: map[string][]time.Time{}, buckets: map[string]*bucket{}, limited: map[string]int{}}
	if l.cfg.PerMinute == nil {
		l.cfg.PerMinute = MethodTiers
	}
	if l.cfg.PostsPerSecond <= 0 {
		l.cfg.PostsPerSecond = 1
	}
	if l.cfg.PostBurst <= 0 {
		l.cfg.PostBurst = 3
	}
	if l.cfg.Now == nil {
		l.cfg.Now = time.Now
	}
	return l
}

// take admits one call of method (in channel, for chat.postMessage), or
// returns how long the caller must wait.
func (l *limiter) take(method, channel string) time.Duration {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.cfg.Now()
	var wait time.Duration
	if method == "chat.postMessage" {
		wait = l.takeToken(channel, now)
	} else {
		wait = l.takeWindow(method, now)
	}
	if wait > 0 {
		l.limited[method]++
	}
	return wait
}

func (l *limiter) takeWindow(method string, now time.Time) time.Duration {
	perMinute, ok := l.cfg.PerMinute[method]
	if !ok || perMinute <= 0 {
		return 0
	}
	calls := l.windows[method]
	for len(calls) > 0 && !calls[0].After(now.Add(-time.Minute)) {
		calls = calls[1:]
	}
	if len(calls) >= perMinute {
		l.windows[method] = calls
		return calls[0].Add(time.Minute).Sub(now)
	}
	l.windows[method] = append(calls, now)
	return 0
}

func (l *limiter) takeToken(channel string, now time.Time) time.Duration {
	b, ok := l.buckets[channel]
	if !ok {
		b = &bucket{tokens: float64(l.cfg.PostBurst), at: now}
		l.buckets[channel] = b
	}
	b.tokens = math.Min(float64(l.cfg.PostBurst), b.tokens+now.Sub(b.at).Seconds()*l.cfg.PostsPerSecond)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) / l.cfg.PostsPerSecond * float64(time.Second))
}

// RateLimited reports how many calls of method the fake's rate limits
// (Config.RateLimits) answered with 429. Scripted failures are not counted.
func (s *Server) RateLimited(method string) int {
	if s.limits == nil {
		return 0
	}
	s.limits.mu.Lock()
	defer s.limits.mu.Unlock()
	return s.limits.limited[method]
}

// writeRateLimited answers 429 with Retry-After in whole seconds, rounded up.
func writeRateLimited(w http.ResponseWriter, wait time.Duration) {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeJSON(w, http.StatusTooManyRequests, errReply("ratelimited"))
}
