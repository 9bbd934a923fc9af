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

// calmAfter is how long no envelope must have arrived, with none awaiting
// its ack, for a burst to count as over. Envelopes of a burst arrive
// microseconds apart; those still in the socket or in slack-go's queues are
// not seen until they are read, so an empty set of awaited envelopes alone
// does not mean the burst is over (between two reads, it often is empty).
//
// Within a burst the reading itself pauses for a few milliseconds now and
// then (the writer, the garbage collector, the scheduler), so once more than
// a handful have arrived since the last calm, calm takes burstCalmAfter:
// a single command's work waits 2 ms, a burst's does not start in one of
// those pauses and take the CPU from the rest of the burst.
const (
	calmAfter      = 2 * time.Millisecond
	burstCalmAfter = 25 * time.Millisecond
	burstArrivals  = 8
)

// yieldAtMost bounds how long work after an ack waits for the other acks.
// At 1,000 commands at once the acks take about a tenth of a second; under
// a flood that never calms down, each request waits this long once.
const yieldAtMost = 500 * time.Millisecond

// awaiting holds the envelopes that have arrived and are not acknowledged
// yet: when each arrived, for the ack latency, and whether the arrivals
// have calmed down, so that the work after an ack can let the acks go first
// (yield). At 1,000 commands at once, the invitations of the first
// acknowledged would otherwise take the CPU from the reading and the acks
// of the last.
type awaiting struct {
	deadline time.Duration // an envelope stops counting after it (ackDeadline)
	atMost   time.Duration // the longest a yield waits (yieldAtMost)
	gap      time.Duration // calm: no arrival for this long, none awaited (calmAfter)
	burstGap time.Duration // the same after a burst (burstCalmAfter)
	burst    int           // arrivals since the last calm that make a burst (burstArrivals)

	mu    sync.Mutex
	since map[string]arrival
	last  time.Time     // the latest arrival
	count int           // arrivals since the last calm
	calm  chan struct{} // closed while calm
	check *time.Timer   // looks again whether it is calm; nil while calm
	held  bool          // check waits for the last awaited ack (take arms it)
}

type arrival struct {
	at     time.Time
	expiry *time.Timer // forgets the envelope after the deadline
}

func newAwaiting(deadline, atMost, gap, burstGap time.Duration, burst int) *awaiting {
	c := make(chan struct{})
	close(c)
	return &awaiting{deadline: deadline, atMost: atMost, gap: gap, burstGap: burstGap, burst: burst, since: map[string]arrival{}, calm: c}
}

// arrive records that envelope id arrived now. An envelope already awaited
// keeps its first arrival.
func (w *awaiting) arrive(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	w.last = now
	w.count++
	if w.check == nil { // calm until now: a burst may be starting
		w.calm = make(chan struct{})
		w.check = time.AfterFunc(w.gap, w.recheck)
	}
	if _, ok := w.since[id]; ok {
		return
	}
	w.since[id] = arrival{at: now, expiry: time.AfterFunc(w.deadline, func() { w.take(id) })}
}

// recheck declares calm when nothing awaits and nothing arrived for the
// gap (the burst's gap after a burst), else looks again later.
func (w *awaiting) recheck() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.since) > 0 { // no calm before the last ack: take looks again then
		w.held = true
		return
	}
	gap := w.gap
	if w.count >= w.burst {
		gap = w.burstGap
	}
	quiet := time.Since(w.last)
	if quiet >= gap {
		close(w.calm)
		w.check, w.count = nil, 0
		return
	}
	w.check.Reset(max(gap-quiet, w.gap/4))
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
	if len(w.since) == 0 && w.held {
		w.held = false
		w.check.Reset(w.gap / 4)
	}
	return a.at, true
}

// yield returns once it is calm (no envelope awaits its ack and none has
// arrived for the gap), or after atMost.
func (w *awaiting) yield() {
	w.mu.Lock()
	c := w.calm
	w.mu.Unlock()
	select {
	case <-c:
		return
	default:
	}
	t := time.NewTimer(w.atMost)
	defer t.Stop()
	select {
	case <-c:
	case <-t.C:
	}
}

// Len is how many envelopes await their ack.
func (w *awaiting) Len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.since)
}
