// Package tasks runs background work that a shutdown waits for: one small
// group for everything the bot starts (invitations, call following, post
// updates), so that there is one lifecycle to reason about.
package tasks

import (
	"sync"
	"time"
)

// Group runs functions in goroutines until it is closed, and waits for them
// within a bound. The zero Group is ready to use; it must not be copied.
type Group struct {
	mu     sync.Mutex
	closed bool
	n      int
	wg     sync.WaitGroup
}

// Go runs f in a new goroutine and reports true, unless the group is closed:
// then f does not run and Go reports false.
func (g *Group) Go(f func()) bool {
	start, ok := g.Later()
	if ok {
		start(f)
	}
	return ok
}

// Later reserves the group's place for a function to be run later, and
// reports false when the group is closed. The work counts from now on (Len,
// Wait). start must be called exactly once: it runs its function in a new
// goroutine, even once the group is closed.
func (g *Group) Later() (start func(f func()), ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil, false
	}
	g.n++
	g.wg.Add(1)
	return func(f func()) {
		go func() {
			defer g.done()
			f()
		}()
	}, true
}

func (g *Group) done() {
	g.mu.Lock()
	g.n--
	g.mu.Unlock()
	g.wg.Done()
}

// Close makes every later Go refuse. Work already started goes on.
func (g *Group) Close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

// Len is how many functions are running, or reserved to run (Later).
func (g *Group) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}

// Wait reports whether every function finished within d.
func (g *Group) Wait(d time.Duration) bool {
	done := make(chan struct{})
	go func() { g.wg.Wait(); close(done) }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
