package commands

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/meet-invite/meet-invite/internal/expiring"
)

// ErrSlowDown is matched by the error of an invitation refused because its
// invoker had too many people called within the last minute; nobody was
// called.
var ErrSlowDown = errors.New("commands: too many people called lately")

// SlowDownError says how long until the invitation would fit.
type SlowDownError struct {
	Count, PerMinute int
	Wait             time.Duration
}

func (e *SlowDownError) Error() string {
	return fmt.Sprintf("%d more people would exceed %d a minute; wait %s", e.Count, e.PerMinute, e.Wait)
}
func (e *SlowDownError) Is(target error) bool { return target == ErrSlowDown }

// callLimits holds one token bucket per invoker: PerMinute people called a
// minute, with a burst of the larger of PerMinute and MaxPeople + 1, so
// that one invitation of the allowed size, with the meeting it may start
// (Inviter.Start counts one), always fits a fresh bucket. A bucket
// unused for a minute is full again, so it is forgotten after that.
type callLimits struct {
	perMinute, burst int
	now              func() time.Time
	mu               sync.Mutex // one bucket per invoker, even for concurrent first uses
	buckets          *expiring.Map[string, *rate.Limiter]
}

func newCallLimits(perMinute, maxPeople int, now func() time.Time) *callLimits {
	if perMinute <= 0 {
		return nil
	}
	return &callLimits{perMinute: perMinute, burst: max(perMinute, maxPeople+1), now: now,
		buckets: expiring.New[string, *rate.Limiter](time.Minute, maxRemembered, now)}
}

// take takes n calls from invoker's bucket, or takes none and says how long
// to wait. A nil *callLimits allows everything.
func (l *callLimits) take(invoker string, n int) error {
	if l == nil || n == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	lim, ok := l.buckets.Get(invoker)
	if !ok {
		lim = rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.burst)
	}
	l.buckets.Set(invoker, lim) // used now: kept a minute from now
	r := lim.ReserveN(now, n)
	if !r.OK() {
		return &SlowDownError{Count: n, PerMinute: l.perMinute, Wait: time.Minute}
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return &SlowDownError{Count: n, PerMinute: l.perMinute, Wait: d.Round(time.Second)}
	}
	return nil
}

// Len is how many invokers' buckets are remembered.
func (l *callLimits) Len() int {
	if l == nil {
		return 0
	}
	return l.buckets.Len()
}
