// Package flight is the bot's one single-flight: concurrent callers that
// want the same thing (a token, a meeting's details, a person) share one
// fetch instead of each making their own.
//
// Unlike golang.org/x/sync/singleflight, a caller whose context ends stops
// waiting at once, and when the fetching caller's own context ended before
// its fetch finished, the others are not handed its cancellation: they
// fetch themselves.
package flight

import (
	"context"
	"sync"
)

// Call is one fetch in progress. Its owner makes it with NewCall, fetches,
// then lands it; others wait for it.
type Call[T any] struct {
	done      chan struct{} // closed when landed
	val       T
	err       error
	abandoned bool // the owner's context ended before the fetch finished
}

// NewCall returns a call in progress.
func NewCall[T any]() *Call[T] { return &Call[T]{done: make(chan struct{})} }

// Wait blocks until the call lands or ctx is done. Then Result is set: a
// caller that gets abandoned should fetch itself.
func (c *Call[T]) Wait(ctx context.Context) error {
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Land records the fetch's result, made under ctx, and releases the
// waiters. It is called once, by the owner.
func (c *Call[T]) Land(ctx context.Context, val T, err error) {
	c.val, c.err = val, err
	c.abandoned = err != nil && ctx.Err() != nil
	close(c.done)
}

// Result is what the call fetched; abandoned says that the owner's context
// ended first, so that the result says nothing of the thing itself.
func (c *Call[T]) Result() (val T, err error, abandoned bool) { return c.val, c.err, c.abandoned }

// Group shares one call per key among concurrent callers. The zero Group
// is ready to use.
type Group[K comparable, T any] struct {
	mu    sync.Mutex
	calls map[K]*Call[T]
}

// Do returns fetch's result for key, fetching only when no call for key is
// in progress; otherwise it waits for that call's result.
func (g *Group[K, T]) Do(ctx context.Context, key K, fetch func(context.Context) (T, error)) (T, error) {
	for {
		g.mu.Lock()
		if c := g.calls[key]; c != nil {
			g.mu.Unlock()
			if err := c.Wait(ctx); err != nil {
				var zero T
				return zero, err
			}
			if val, err, abandoned := c.Result(); !abandoned {
				return val, err
			}
			continue // its owner gave up: fetch ourselves
		}
		c := NewCall[T]()
		if g.calls == nil {
			g.calls = map[K]*Call[T]{}
		}
		g.calls[key] = c
		g.mu.Unlock()

		val, err := fetch(ctx)

		g.mu.Lock()
		delete(g.calls, key)
		c.Land(ctx, val, err)
		g.mu.Unlock()
		return val, err
	}
}
