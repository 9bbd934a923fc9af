package tasks

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// Limit gives out a fixed number of turns, first come first served. What
// waits for a turn is a function in a queue, not a goroutine: at a burst
// most of the work waits, and a goroutine each would cost its stack.
type Limit struct {
	later func() (start func(func()), ok bool) // reserves a goroutine for later (Group.Later)

	size int

	mu     sync.Mutex
	free   int
	coming int       // work on its way to Take (Expect)
	queue  list.List // of *turn, oldest first
}

// turn is a function waiting in a Limit's queue.
type turn struct {
	f         func(release func(), err error)
	start     func(func()) // its reserved goroutine
	elem      *list.Element
	stopCtx   func() bool // stops the wait for its context's end
	stopTimer func() bool // stops the wait to say it is queued; nil: none
}

// NewLimit gives out n turns (at least one). later reserves the goroutine
// on which a function that waited will run (Group.Later).
func NewLimit(n int, later func() (start func(func()), ok bool)) *Limit {
	n = max(1, n)
	return &Limit{later: later, size: n, free: n}
}

// Take runs f with a turn. When one is free and nothing waits, f runs at
// once on the caller's goroutine; otherwise f waits in the queue, Take
// returns at once, and f runs later on a goroutine of its own (when later
// reserves none, the work stopping, Take waits for f's turn and runs it
// itself, as it would have run at once). f must call release exactly once,
// when it no longer needs the turn; it may go on after that. If ctx ends
// first, f runs without a turn, with ctx's cause as err and release nil.
// If f still waits after queuedAfter, queued (if not nil) runs once, on a
// goroutine of its own (unless the work is stopping); f's turn may come
// while it runs.
func (l *Limit) Take(ctx context.Context, f func(release func(), err error), queuedAfter time.Duration, queued func()) {
	l.mu.Lock()
	if l.free > 0 && l.queue.Len() == 0 {
		l.free--
		l.mu.Unlock()
		f(l.releaser(), nil)
		return
	}
	start, ok := l.later()
	var here chan func()
	if !ok {
		here = make(chan func(), 1)
		start = func(g func()) { here <- g }
	}
	t := &turn{f: f, start: start}
	t.elem = l.queue.PushBack(t)
	t.stopCtx = context.AfterFunc(ctx, func() {
		if l.unqueue(t) {
			t.start(func() { t.f(nil, context.Cause(ctx)) })
		}
	})
	if queued != nil {
		t.stopTimer = time.AfterFunc(queuedAfter, func() {
			if !l.waiting(t) {
				return
			}
			if start, ok := l.later(); ok {
				start(func() {
					if l.waiting(t) { // still: it may have got its turn meanwhile
						queued()
					}
				})
			}
		}).Stop
	}
	l.mu.Unlock()
	if here != nil {
		(<-here)()
	}
}

// Expect counts work on its way to Take, ahead of whatever comes after it,
// and reports whether it will have to wait: every turn is taken, or
// promised to work expected before it. arrived says that it reached Take,
// or will not come; calls after the first do nothing.
func (l *Limit) Expect() (wait bool, arrived func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	wait = l.free-l.coming <= 0 // a queue forms only once free is 0
	l.coming++
	var once sync.Once
	return wait, func() {
		once.Do(func() {
			l.mu.Lock()
			l.coming--
			l.mu.Unlock()
		})
	}
}

// Running is how many turns are taken.
func (l *Limit) Running() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.size - l.free
}

// releaser returns the release of a turn just given out: it hands the
// turn to the oldest function waiting, else frees it. Called again, it
// does nothing.
func (l *Limit) releaser() func() {
	var once sync.Once
	return func() { once.Do(l.release) }
}

func (l *Limit) release() {
	l.mu.Lock()
	front := l.queue.Front()
	if front == nil {
		l.free++
		l.mu.Unlock()
		return
	}
	t := l.queue.Remove(front).(*turn)
	t.elem = nil
	l.mu.Unlock()
	t.stop()
	t.start(func() { t.f(l.releaser(), nil) })
}

// unqueue takes t out of the queue and reports whether it was still there.
func (l *Limit) unqueue(t *turn) bool {
	l.mu.Lock()
	queued := t.elem != nil
	if queued {
		l.queue.Remove(t.elem)
		t.elem = nil
	}
	l.mu.Unlock()
	if queued {
		t.stop()
	}
	return queued
}

// waiting reports whether t is still in the queue.
func (l *Limit) waiting(t *turn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return t.elem != nil
}

// stop stops t's waits for its context and its queued note.
func (t *turn) stop() {
	t.stopCtx()
	if t.stopTimer != nil {
		t.stopTimer()
	}
}
