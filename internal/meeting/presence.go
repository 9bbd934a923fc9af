package meeting

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/meet-invite/meet-invite/internal/flight"
)

const (
	defaultFollowIdle  = 10 * time.Minute // stop watching a conference nobody has invited into for this long
	followRetry        = time.Minute      // after a watch fails to open, ask the REST API for this long
	defaultMaxFollowed = 200              // conferences followed at once
)

// PresenceOption tunes a Presence.
type PresenceOption func(*Presence)

// MaxFollowed caps the conferences followed at once (default 200; n <= 0
// keeps the default). Following one more drops the one least recently
// wanted (its WebSocket closes); a conference not followed is asked about
// on each invitation instead.
func MaxFollowed(n int) PresenceOption {
	return func(p *Presence) {
		if n > 0 {
			p.max = n
		}
	}
}

// Presence tells who is online in a conference. For a conference it has been
// asked to Follow it keeps a Watch and answers from it, at no cost, while the
// watch is live and complete; otherwise it asks the API: realTimeInfo when a
// control token is in hand, since it documents who is being called (state
// 1) as well as who is in the meeting; else ListOnlineConfAttendee
// (OnlineParticipants), which needs only the access token but whose list of
// people still ringing is not documented. It also passes on the call results
// a watch hears (CallResults). It is safe for concurrent use; Close it when
// done.
type Presence struct {
	client *Client
	idle   time.Duration
	max    int // conferences followed at once
	logger *slog.Logger
	ctx    context.Context // cancelled by Close; bounds the opening of watches
	cancel context.CancelFunc

	mu      sync.Mutex
	closed  bool
	follows map[string]*follow                  // by conference ID
	asking  flight.Group[string, []Participant] // API lists in progress, by conference ID
	ended   chan string                         // followed meetings that ended
	wg      sync.WaitGroup                      // watches being opened or watched, and the janitor
}

// Ended tells the conference ID of each followed meeting that ends, for
// one reader. A meeting's end waits for the reader (or for Close).
func (p *Presence) Ended() <-chan string { return p.ended }

// follow is Presence's state for one conference.
type follow struct {
	watch      *Watch // nil while opening or after a failure
	opening    bool
	failedAt   time.Time
	lastWanted time.Time
}

// NewPresence returns a Presence over c. A conference is no longer watched
// once idle passes without a call for it (default 10 minutes when idle <= 0).
func NewPresence(c *Client, idle time.Duration, opts ...PresenceOption) *Presence {
	if idle <= 0 {
		idle = defaultFollowIdle
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Presence{client: c, idle: idle, max: defaultMaxFollowed, logger: c.logger, ctx: ctx, cancel: cancel,
		follows: map[string]*follow{}, ended: make(chan string, 16)}
	for _, o := range opts {
		o(p)
	}
	p.wg.Go(p.janitor)
	return p
}

// Sizes reports how many conferences are followed (with a watch open or
// opening, or remembered as failing), for metrics.
func (p *Presence) Sizes() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return map[string]int{"followed_meetings": len(p.follows)}
}

// makeRoomLocked drops the conferences least recently wanted until one
// more fits under p.max, and returns their watches to be closed without
// p.mu held. Those still opening are kept (their opener holds them); when
// only those are left it reports false: the new one is not followed.
func (p *Presence) makeRoomLocked() (stale []*Watch, ok bool) {
	for len(p.follows) >= p.max {
		var oldest string
		var at time.Time
		for id, f := range p.follows {
			if !f.opening && (oldest == "" || f.lastWanted.Before(at)) {
				oldest, at = id, f.lastWanted
			}
		}
		if oldest == "" {
			return stale, false
		}
		if w := p.follows[oldest].watch; w != nil {
			stale = append(stale, w)
		}
		delete(p.follows, oldest)
	}
	return stale, true
}

// janitor stops watches nobody has wanted for p.idle, even when no other
// conference is followed afterwards.
func (p *Presence) janitor() {
	t := time.NewTicker(max(p.idle/4, time.Second))
	defer t.Stop()
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-t.C:
			p.mu.Lock()
			stale := p.reapLocked(p.client.now())
			p.mu.Unlock()
			closeAll(stale)
		}
	}
}

// Participants returns everyone online in the conference: from its live
// watch when there is one, else from the API.
func (p *Presence) Participants(ctx context.Context, conferenceID string) ([]Participant, error) {
	p.mu.Lock()
	f := p.follows[conferenceID]
	var w *Watch
	if f != nil {
		f.lastWanted = p.client.now()
		w = f.watch
	}
	p.mu.Unlock()
	if w != nil {
		if ps, ok := w.Participants(); ok {
			return ps, nil
		}
	}
	return p.ask(ctx, conferenceID)
}

// ask lists the conference's participants with the API. Invitations into
// one meeting asking at the same time share one request (a burst into a
// meeting not followed yet would otherwise list it once each).
func (p *Presence) ask(ctx context.Context, conferenceID string) ([]Participant, error) {
	return p.asking.Do(ctx, conferenceID, func(ctx context.Context) ([]Participant, error) {
		ps, err := p.client.realTimeParticipants(ctx, conferenceID)
		if err != nil {
			if !errors.Is(err, ErrNoControlToken) {
				p.logger.DebugContext(ctx, "realTimeInfo failed; listing online attendees instead",
					slog.String("conference_id", conferenceID), slog.Any("err", err))
			}
			ps, err = p.client.OnlineParticipants(ctx, conferenceID)
		}
		return ps, err
	})
}

// Find returns the participants of a followed conference for which match
// is true, from its live watch, without a request. live is false when the
// conference has no live, complete watch (not followed, or still opening).
func (p *Presence) Find(conferenceID string, match func(Participant) bool) (found []Participant, live bool) {
	w := p.watchOf(conferenceID)
	if w == nil {
		return nil, false
	}
	return w.Find(match)
}

// watchOf returns the conference's watch, or nil when it has none.
func (p *Presence) watchOf(conferenceID string) *Watch {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f := p.follows[conferenceID]; f != nil {
		return f.watch
	}
	return nil
}

// CallResults returns the results of calls into a followed conference
// received at or after since (busy, declined, not answered, no PSTN,
// answered...), oldest first, from its watch. live is false when the
// conference has no live watch: results may then have been missed.
func (p *Presence) CallResults(conferenceID string, since time.Time) (results []CallResult, live bool) {
	w := p.watchOf(conferenceID)
	if w == nil {
		return nil, false
	}
	return w.CallResults(since), !isDone(w.Done())
}

// Follow starts watching a conference that has just been prepared (its
// control token is cached), unless it is watched already or a watch failed
// to open in the last minute. It returns at once.
func (p *Presence) Follow(conferenceID string) {
	now := p.client.now()
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	stale := p.reapLocked(now)
	f := p.follows[conferenceID]
	if f == nil {
		dropped, ok := p.makeRoomLocked()
		stale = append(stale, dropped...)
		if !ok {
			p.mu.Unlock()
			closeAll(stale)
			return
		}
		f = &follow{}
		p.follows[conferenceID] = f
	}
	f.lastWanted = now
	live := f.watch != nil && !isDone(f.watch.Done())
	if f.watch != nil && !live && f.watch.Err() != nil && f.failedAt.IsZero() {
		// It failed: ask the API for a while rather than reconnect on
		// every invitation to a link that keeps failing.
		f.failedAt = now
	}
	if f.opening || live || (!f.failedAt.IsZero() && now.Sub(f.failedAt) < followRetry) {
		p.mu.Unlock()
		closeAll(stale)
		return
	}
	if f.watch != nil {
		stale = append(stale, f.watch)
		f.watch = nil
	}
	f.opening = true
	p.wg.Add(1)
	p.mu.Unlock()
	closeAll(stale)

	go p.open(conferenceID, f)
}

func (p *Presence) open(conferenceID string, f *follow) {
	defer p.wg.Done()
	ctx, cancel := context.WithTimeout(p.ctx, watchDialTimeout+watchWriteWait)
	defer cancel()
	w, err := p.client.Watch(ctx, conferenceID)

	p.mu.Lock()
	f.opening = false
	if err != nil {
		f.failedAt = p.client.now()
		p.mu.Unlock()
		if p.ctx.Err() == nil {
			p.logger.Warn("cannot watch the meeting's participants; asking for them on each invitation instead",
				slog.String("conference_id", conferenceID), slog.Any("err", err))
		}
		return
	}
	if p.closed {
		p.mu.Unlock()
		w.Close()
		return
	}
	f.watch, f.failedAt = w, time.Time{}
	p.mu.Unlock()
	p.logger.Debug("watching the meeting's participants", slog.String("conference_id", conferenceID))

	<-w.Done()
	if errors.Is(w.Err(), ErrEnded) {
		select {
		case p.ended <- conferenceID:
		case <-p.ctx.Done():
		}
	}
}

// reapLocked forgets conferences not wanted for p.idle and returns their
// watches, to be closed without p.mu held.
func (p *Presence) reapLocked(now time.Time) []*Watch {
	var stale []*Watch
	for id, f := range p.follows {
		if f.opening || now.Sub(f.lastWanted) < p.idle {
			continue
		}
		if f.watch != nil {
			stale = append(stale, f.watch)
		}
		delete(p.follows, id)
	}
	return stale
}

// Close stops every watch and waits for those being opened.
func (p *Presence) Close() {
	p.mu.Lock()
	p.closed = true
	var all []*Watch
	for id, f := range p.follows {
		if f.watch != nil {
			all = append(all, f.watch)
		}
		delete(p.follows, id)
	}
	p.mu.Unlock()
	p.cancel()
	closeAll(all)
	p.wg.Wait()
}

func closeAll(ws []*Watch) {
	for _, w := range ws {
		w.Close()
	}
}

func isDone(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
