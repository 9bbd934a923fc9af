package slackapp

import (
	"sync"
	"time"
)

// ackDeadline is how long Slack waits for an envelope's ack before it sends
// the envelope again (https://api.slack.com/apis/socket-mode#acknowledge:
// "within 3 seconds"). An envelope not acknowledged by then stops counting
// as awaited.
const ackDeadline = 3 * time.Second

// yieldAtMost bounds how long work after an ack waits for the other acks.
const yieldAtMost = 100 * time.Millisecond

// awaiting holds the envelopes that have arrived and are not acknowledged
// yet: when each arrived, for the ack latency, and whether any is still
// waiting, so that the work after an ack can let the acks go first (yield).
// At 1,000 commands at once, the invitations of the first acknowledged would
// otherwise take the CPU from the acks of the last.
type awaiting struct {
	deadline time.Duration // an envelope stops counting after it (ackDeadline)
	atMost   time.Duration // the longest a yield waits (yieldAtMost)

	mu    sync.Mutex
	since map[string]arrival
	quiet chan struct{} // closed while no envelope awaits its ack
}

type arrival struct {
	at     time.Time
	expiry *time.Timer // forgets the envelope after the deadline
}

func newAwaiting(deadline, atMost time.Duration) *awaiting {
	q := make(chan struct{})
	close(q)
	return &awaiting{deadline: deadline, atMost: atMost, since: map[string]arrival{}, quiet: q}
}

// arrive records that envelope id arrived now. An envelope already awaited
// keeps its first arrival.
func (w *awaiting) arrive(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.since[id]; ok {
		return
	}
	if len(w.since) == 0 {
		w.quiet = make(chan struct{})
	}
	w.since[id] = arrival{at: time.Now(), expiry: time.AfterFunc(w.deadline, func() { w.take(id) })}
}

// take records that envelope id was acknowledged (or is awaited no more),
// and returns when it arrived, if it was awaited.
func (w *awaiting) take(id string) (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	a, ok := w.since[id]
	if !ok {
		return time.Time{}, false
	}
	a.expiry.Stop()
	delete(w.since, id)
	if len(w.since) == 0 {
		close(w.quiet)
	}
	return a.at, true
}

// yield returns once no envelope awaits its ack, or after atMost.
func (w *awaiting) yield() {
	w.mu.Lock()
	q := w.quiet
	w.mu.Unlock()
	select {
	case <-q:
		return
	default:
	}
	t := time.NewTimer(w.atMost)
	defer t.Stop()
	select {
	case <-q:
	case <-t.C:
	}
}

// Len is how many envelopes await their ack.
func (w *awaiting) Len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.since)
}
