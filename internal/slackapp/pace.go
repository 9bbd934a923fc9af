package slackapp

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Slack's pace (https://docs.slack.dev/apis/web-api/rate-limits):
// chat.postMessage allows about one message per second per channel, "short
// bursts >1 allowed"; chat.update is Tier 3, 50+ calls a minute per
// workspace. The bot keeps under both instead of racing into 429s, which
// slack-go would wait out (OptionRetry) but only three times.
const (
	postsPerSecond = 1
	postBurst      = 2               // Slack allows "short bursts" (unpublished); the fake assumes 3
	maxPostWait    = 2 * time.Minute // a post queued longer goes by response_url instead
	updateEvery    = 3 * time.Second // one post is updated at most this often; the last state always lands
	updatesPerMin  = 45              // with updateBurst, at most 50 chat.update calls in any minute
	updateBurst    = 5
	maxUpdateWait  = 10 * time.Minute // an update queued longer is given up (logged)
	channelsPaced  = 1000             // idle channels' limiters are dropped past this many
)

// errQueued is the error of a post that would wait longer than maxPostWait
// for its channel's turn.
var errQueued = errors.New("the channel's posting queue is too long")

// pacer queues the app's chat.postMessage calls per channel and its
// chat.update calls app-wide, coalescing the updates of each post.
type pacer struct {
	base  context.Context // cancelled when the app stops for good
	close context.CancelFunc

	mu       sync.Mutex
	channels map[string]*rate.Limiter // channel (or user, for DMs) → its posting pace
	updates  *rate.Limiter            // every chat.update of the app
	pending  map[posted]*pendingUpdate
	every    time.Duration
}

// pendingUpdate is the latest state of a post not yet sent to Slack; while
// it exists a worker sends it, at most once every pacer.every.
type pendingUpdate struct {
	next *message
	send func(m message, err error) // err: m is given up, not sent
}

func newPacer(every time.Duration) *pacer {
	if every <= 0 {
		every = updateEvery
	}
	base, cancel := context.WithCancel(context.Background())
	return &pacer{
		base: base, close: cancel, every: every,
		channels: map[string]*rate.Limiter{},
		updates:  rate.NewLimiter(rate.Limit(updatesPerMin/60.0), updateBurst),
		pending:  map[posted]*pendingUpdate{},
	}
}

// waitPost waits for channel's turn to be posted in, however long that is
// up to maxPostWait; a longer queue fails at once with errQueued. The wait
// is the pacer's own: no caller's deadline cuts it short.
func (p *pacer) waitPost(channel string) error {
	r := p.limiter(channel).Reserve()
	d := r.Delay()
	if d > maxPostWait {
		r.Cancel()
		return errQueued
	}
	if d == 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-p.base.Done():
		r.Cancel()
		return p.base.Err()
	}
}

func (p *pacer) limiter(channel string) *rate.Limiter {
	p.mu.Lock()
	defer p.mu.Unlock()
	if l, ok := p.channels[channel]; ok {
		return l
	}
	if len(p.channels) >= channelsPaced {
		now := time.Now()
		for c, l := range p.channels {
			if l.TokensAt(now) >= postBurst {
				delete(p.channels, c) // idle: a new limiter is the same
			}
		}
	}
	l := rate.NewLimiter(postsPerSecond, postBurst)
	p.channels[channel] = l
	return l
}

// update queues m as where's next state. It replaces a state still queued,
// so that a post changing fast is sent its latest state, once every
// p.every at most. It reports false when the caller must send m itself
// because start could not run a worker (the app is stopping).
func (p *pacer) update(where posted, m message, send func(message, error), start func(func()) bool) bool {
	p.mu.Lock()
	if u, ok := p.pending[where]; ok {
		u.next = &m
		p.mu.Unlock()
		return true
	}
	u := &pendingUpdate{next: &m, send: send}
	p.pending[where] = u
	p.mu.Unlock()
	if start(func() { p.work(where, u) }) {
		return true
	}
	p.mu.Lock()
	delete(p.pending, where)
	p.mu.Unlock()
	return false
}

// work sends where's queued states until none is left, keeping p.every
// between two and the app within its chat.update budget.
func (p *pacer) work(where posted, u *pendingUpdate) {
	for {
		p.mu.Lock()
		m := u.next
		u.next = nil
		if m == nil {
			delete(p.pending, where)
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()

		ctx, cancel := context.WithTimeout(p.base, maxUpdateWait)
		err := p.updates.Wait(ctx)
		cancel()
		u.send(*m, err)
		select {
		case <-time.After(p.every):
		case <-p.base.Done():
		}
	}
}
