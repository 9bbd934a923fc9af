package expiring_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/meet-invite/meet-invite/internal/expiring"
)

// clock is a time that only moves when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)} }

func TestEntriesExpire(t *testing.T) {
	t.Parallel()
	c := newClock()
	m := expiring.New[string, int](time.Minute, 10, c.now)
	m.Set("a", 1)
	c.advance(59 * time.Second)
	v, ok := m.Get("a")
	assert.True(t, ok)
	assert.Equal(t, 1, v)
	c.advance(time.Second)
	_, ok = m.Get("a")
	assert.False(t, ok, "gone after its lifetime")
	assert.True(t, m.Add("a", 2), "an expired key can be added again")
}

func TestSettingAgainRenews(t *testing.T) {
	t.Parallel()
	c := newClock()
	m := expiring.New[string, int](time.Minute, 10, c.now)
	m.Set("a", 1)
	c.advance(50 * time.Second)
	m.Set("a", 2)
	c.advance(50 * time.Second)
	m.Set("b", 3) // prunes what expired: not "a", which was renewed
	v, ok := m.Get("a")
	assert.True(t, ok)
	assert.Equal(t, 2, v)
}

func TestExpiredEntriesAreDroppedAsNewOnesComeIn(t *testing.T) {
	t.Parallel()
	c := newClock()
	m := expiring.New[int, int](time.Minute, 1000, c.now)
	for i := range 100 {
		m.Set(i, i)
	}
	c.advance(time.Minute)
	m.Set(1000, 0)
	assert.Equal(t, 1, m.Len())
}

func TestFullMapDropsWhatExpiresFirst(t *testing.T) {
	t.Parallel()
	c := newClock()
	m := expiring.New[string, int](time.Hour, 3, c.now)
	for i, k := range []string{"a", "b", "c"} {
		m.Set(k, i)
		c.advance(time.Second)
	}
	m.Set("b", 10) // renewed: now expires last
	m.Set("d", 4)
	m.Set("e", 5)
	assert.Equal(t, 3, m.Len())
	for k, want := range map[string]bool{"a": false, "c": false, "b": true, "d": true, "e": true} {
		_, ok := m.Get(k)
		assert.Equal(t, want, ok, k)
	}
}

func TestAddAndTakeHaveOneWinner(t *testing.T) {
	t.Parallel()
	m := expiring.New[string, int](time.Minute, 10, nil)
	var added, taken atomic.Int32
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			if m.Add("k", i) {
				added.Add(1)
			}
		})
	}
	wg.Wait()
	for range 50 {
		wg.Go(func() {
			if _, ok := m.Take("k"); ok {
				taken.Add(1)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, added.Load())
	assert.EqualValues(t, 1, taken.Load())
	assert.Zero(t, m.Len())
}

func TestDelete(t *testing.T) {
	t.Parallel()
	m := expiring.New[string, string](time.Minute, 10, nil)
	for i := range 3 {
		m.Set(fmt.Sprint(i), "x")
	}
	m.Delete("1")
	_, ok := m.Get("1")
	assert.False(t, ok)
	assert.Equal(t, 2, m.Len())
}

func TestPruneDropsExpiredEntriesWithoutAnInsert(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	m := expiring.New[string, int](time.Minute, 10, func() time.Time { return now })
	m.Set("a", 1)
	m.Set("b", 2)
	now = now.Add(time.Minute)
	assert.Equal(t, 2, m.Len(), "expired, still held")

	m.Prune()

	assert.Zero(t, m.Len())
}
