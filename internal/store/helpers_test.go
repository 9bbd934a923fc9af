package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/store"
	"github.com/meet-invite/meet-invite/internal/store/storetest"
)

// clock is a clock the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// backend makes new, empty databases of one kind.
type backend struct {
	name string
	// newDB returns the URL of a new empty database. shared says whether
	// several stores (standing for several processes) may open it.
	newDB  func(t testing.TB) string
	shared bool
}

var backends = []backend{
	{name: "sqlite-memory", newDB: func(testing.TB) string { return store.Memory }},
	{name: "sqlite-file", shared: true, newDB: func(t testing.TB) string {
		return "sqlite:" + filepath.Join(t.TempDir(), "meet-invite.db")
	}},
	{name: "postgres", shared: true, newDB: newPostgresSchema},
}

// forEachBackend runs f against a new database of each backend.
func forEachBackend(t *testing.T, f func(t *testing.T, b backend, url string)) {
	forBackends(t, func(backend) bool { return true }, f)
}

// forSharedBackends runs f against each backend that more than one process
// (or a process after another) can open: not the in-memory one.
func forSharedBackends(t *testing.T, f func(t *testing.T, b backend, url string)) {
	forBackends(t, func(b backend) bool { return b.shared }, f)
}

func forBackends(t *testing.T, want func(backend) bool, f func(t *testing.T, b backend, url string)) {
	for _, b := range backends {
		if !want(b) {
			continue
		}
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			f(t, b, b.newDB(t))
		})
	}
}

// open opens the store at url with clock c, closed when the test ends.
func open(t testing.TB, url string, c *clock) store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), url, store.WithClock(c.Now))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// newPostgresSchema makes a schema of its own for the test, dropped at its
// end, and returns a URL whose connections work in it. When PostgreSQL is
// unreachable the test fails under CI=true, else it is skipped.
func newPostgresSchema(t testing.TB) string {
	t.Helper()
	return storetest.Schema(t, "test_store_")
}

// firstDelivery is FirstDeliveries for one envelope.
func firstDelivery(ctx context.Context, s store.Store, id string, ttl time.Duration) (bool, error) {
	first, err := s.FirstDeliveries(ctx, []string{id}, ttl)
	return first[id], err
}

// beginRequest is BeginRequests for one request.
func beginRequest(ctx context.Context, s store.Store, r store.Request, owner string, hold, ttl time.Duration) (bool, error) {
	added, err := s.BeginRequests(ctx, []store.Request{r}, owner, hold, ttl)
	return added[r.ID], err
}
