// Package expiring is the bot's one in-memory table whose entries expire:
// envelope IDs seen, confirmation cards, recent calls, cached lookups. Every
// table has a lifetime and a size cap, so that no long run grows it without
// bound, and a clock that tests can drive.
package expiring

import (
	"sync"
	"time"
)

// Map maps keys to values that expire a fixed time after they were set.
// When it is full, setting a new key first drops the entry that expires
// soonest. It is safe for concurrent use.
//
// Expired entries are dropped as new ones come in, from a queue in order of
// expiry: no insert scans the whole table.
type Map[K comparable, V any] struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	now   func() time.Time
	m     map[K]entry[V]
	queue []queued[K] // in order of expiry; may hold keys since set again or deleted
}

type entry[V any] struct {
	v       V
	expires time.Time
}

type queued[K comparable] struct {
	k       K
	expires time.Time
}

// New returns a Map whose entries live for ttl, holding at most size
// (at least 1). now is the clock; nil means time.Now.
func New[K comparable, V any](ttl time.Duration, size int, now func() time.Time) *Map[K, V] {
	if now == nil {
		now = time.Now
	}
	return &Map[K, V]{ttl: ttl, max: max(1, size), now: now, m: map[K]entry[V]{}}
}

// Get returns the value of k, if it is there and has not expired.
func (m *Map[K, V]) Get(k K) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.get(k, m.now())
}

func (m *Map[K, V]) get(k K, now time.Time) (V, bool) {
	e, ok := m.m[k]
	if !ok || !now.Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Set sets k to v, for the map's lifetime from now.
func (m *Map[K, V]) Set(k K, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.set(k, v, m.now())
}

// Add sets k to v only if k is absent (or expired), and reports whether it
// did: of any number of concurrent Adds of one key, exactly one wins.
func (m *Map[K, V]) Add(k K, v V) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if _, ok := m.get(k, now); ok {
		return false
	}
	m.set(k, v, now)
	return true
}

// Take removes k and returns its value, if it was there and had not
// expired: of any number of concurrent Takes of one key, one gets it.
func (m *Map[K, V]) Take(k K) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.get(k, m.now())
	delete(m.m, k)
	return v, ok
}

// Delete removes k.
func (m *Map[K, V]) Delete(k K) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, k)
}

// Prune drops the entries that have expired, without waiting for the
// next insert to do it: owners call it on a timer, so that a table nobody
// writes to gives its memory back.
func (m *Map[K, V]) Prune() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.prune(m.now())
}

// Len is how many entries the map holds, some perhaps expired but not yet
// dropped.
func (m *Map[K, V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m)
}

func (m *Map[K, V]) set(k K, v V, now time.Time) {
	m.prune(now)
	if _, ok := m.m[k]; !ok {
		for len(m.m) >= m.max && m.dropFirst() {
		}
	}
	e := entry[V]{v: v, expires: now.Add(m.ttl)}
	m.m[k] = e
	m.queue = append(m.queue, queued[K]{k: k, expires: e.expires})
}

// prune drops the entries that expired by now.
func (m *Map[K, V]) prune(now time.Time) {
	for len(m.queue) > 0 && !now.Before(m.queue[0].expires) {
		m.dropFirst()
	}
	if cap(m.queue) > 64 && len(m.queue) < cap(m.queue)/4 {
		m.queue = append([]queued[K](nil), m.queue...) // give back what the queue no longer needs
	}
}

// dropFirst removes the queue's first item, and its entry unless the key was
// set again since; it reports whether there was an item.
func (m *Map[K, V]) dropFirst() bool {
	if len(m.queue) == 0 {
		return false
	}
	q := m.queue[0]
	m.queue = m.queue[1:]
	if e, ok := m.m[q.k]; ok && e.expires.Equal(q.expires) {
		delete(m.m, q.k)
	}
	return true
}
