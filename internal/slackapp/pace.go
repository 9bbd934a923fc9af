package slackapp

import (
	"container/list"
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
	queue    list.List // of *pendingUpdate waiting for their turn, oldest first
	working  bool      // a worker takes the queue's updates in turn (work)
	wake     chan struct{}
	every    time.Duration
	start    func(func()) bool // runs the worker and each send in the background; false: the app is stopping
}

// pendingUpdate is a post whose updates the pacer has in hand: the latest
// state not yet sent, if any. It stays until p.every after its last send,
// so that a post is updated once every p.every at most.
type pendingUpdate struct {
	where     posted
	next      *message                   // nil: nothing new since the last send
	since     time.Time                  // when next was queued, its state replaced since or not
	send      func(m message, err error) // err: m is given up, not sent
	notBefore time.Time                  // p.every after its last send began
	elem      *list.Element              // in p.queue; nil while it is being sent
}

// newPacer paces the app's posts and updates; start runs its background
// work (the updates' worker and sends).
func newPacer(every time.Duration, start func(func()) bool) *pacer {
	if every <= 0 {
		every = updateEvery
	}
	base, cancel := context.WithCancel(context.Background())
	return &pacer{
		base: base, close: cancel, every: every, start: start,
		channels: map[string]*rate.Limiter{},
		updates:  rate.NewLimiter(rate.Limit(updatesPerMin/60.0), updateBurst),
		pending:  map[posted]*pendingUpdate{},
		wake:     make(chan struct{}, 1),
	}
}

// waitPost waits for channel's turn to be posted in, however long that is
// up to maxPostWait; a longer queue fails at once with errQueued. The wait
// is the pacer's own: no caller's deadline cuts it short.
func (p *pacer) waitPost(channel string) error {
	d, err := p.turnIn(channel)
	if err != nil || d == 0 {
		return err
	}
	return p.sleep(d)
}

// sleep waits d, and reports the pacer's error if it closes first.
func (p *pacer) sleep(d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-p.base.Done():
		return p.base.Err()
	}
}

// turnIn takes channel's next turn to be posted in and reports how long
// until it comes; a turn further than maxPostWait is not taken: errQueued.
func (p *pacer) turnIn(channel string) (time.Duration, error) {
	r := p.limiter(channel).Reserve()
	d := r.Delay()
	if d > maxPostWait {
		r.Cancel()
		return 0, errQueued
	}
	return d, nil
}

// after runs f(nil) once d has passed, or f(the pacer's error) once it
// closes, whichever comes first; it holds no goroutine meanwhile.
func (p *pacer) after(d time.Duration, f func(err error)) {
	var once sync.Once
	fire := func(err error) { once.Do(func() { f(err) }) }
	stop := context.AfterFunc(p.base, func() { fire(p.base.Err()) })
	time.AfterFunc(d, func() {
		stop()
		fire(nil)
	})
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
// p.every at most. One worker takes the queued posts in turn, within the
// app's chat.update budget; each send runs on its own goroutine (p.start).
// When the worker cannot be started (the app is stopping), it runs on the
// caller's goroutine.
func (p *pacer) update(where posted, m message, send func(message, error)) {
	p.mu.Lock()
	if u, ok := p.pending[where]; ok { // queued, or being sent: then it comes back to the queue
		if u.next == nil {
			u.since = time.Now()
		}
		u.next = &m
		p.mu.Unlock()
		return
	}
	u := &pendingUpdate{where: where, next: &m, since: time.Now(), send: send}
	p.pending[where] = u
	u.elem = p.queue.PushBack(u)
	idle := !p.working
	p.working = true
	p.mu.Unlock()
	switch {
	case !idle:
		p.nudge()
	case !p.start(p.work):
		p.work()
	}
}

// work sends the queued posts' latest states, the oldest ready first (one
// sent less than p.every ago waits), within the app's chat.update budget,
// until nothing is queued.
func (p *pacer) work() {
	for {
		u, m, wait := p.nextUpdate()
		switch {
		case u == nil && wait == 0:
			return
		case u == nil:
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-p.wake: // see nudge
				t.Stop()
			case <-p.base.Done():
				t.Stop()
			}
			continue
		}
		err := errUpdateQueued
		if time.Since(u.since) < maxUpdateWait {
			ctx, cancel := context.WithTimeout(p.base, maxUpdateWait-time.Since(u.since))
			err = p.updates.Wait(ctx)
			cancel()
		}
		p.mu.Lock()
		u.notBefore = time.Now().Add(p.every) // from when its send begins
		p.mu.Unlock()
		if !p.start(func() { p.sent(u, m, err) }) {
			p.sent(u, m, err) // the app is stopping: now or never
		}
	}
}

// errUpdateQueued is the error of an update that waited over maxUpdateWait
// for its turn.
var errUpdateQueued = errors.New("the post's update waited too long for its turn")

// nextUpdate takes the oldest queued post that may be updated now, and its
// state to send (nil: nothing new since its last send, and it is dropped).
// With none ready it reports how long until one is, or 0 when none is
// queued: then the worker has stopped.
func (p *pacer) nextUpdate() (u *pendingUpdate, m *message, wait time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	stopping := p.base.Err() != nil // what is queued is given up at once
	for e := p.queue.Front(); e != nil; {
		c := e.Value.(*pendingUpdate)
		e = e.Next()
		if !stopping && now.Before(c.notBefore) {
			if d := c.notBefore.Sub(now); wait == 0 || d < wait {
				wait = d
			}
			continue
		}
		p.queue.Remove(c.elem)
		c.elem = nil
		if c.next == nil { // nothing new within p.every of its last send
			delete(p.pending, c.where)
			continue
		}
		m, c.next = c.next, nil
		return c, m, 0
	}
	if wait == 0 {
		p.working = false
	}
	return nil, nil, wait
}

// sent sends m as u's state (or gives it up, with err), then puts u back
// in the queue: its next state, if any comes, goes p.every after this one.
func (p *pacer) sent(u *pendingUpdate, m *message, err error) {
	u.send(*m, err)
	p.mu.Lock()
	u.elem = p.queue.PushBack(u)
	idle := !p.working // the worker stopped while u was being sent
	p.working = true
	p.mu.Unlock()
	switch {
	case !idle:
		p.nudge()
	case !p.start(p.work):
		p.work() // the app is stopping: on this goroutine, which it counts already
	}
}

// nudge wakes the worker if it sleeps: a post was queued that may be due
// before it would wake.
func (p *pacer) nudge() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}
