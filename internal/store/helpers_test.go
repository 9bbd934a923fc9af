package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/store"
)

// defaultTestDatabaseURL is the machines' local PostgreSQL (trust auth).
const defaultTestDatabaseURL = "postgres://root@127.0.0.1:5432/test?sslmode=disable"

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

// testDatabaseURL is the PostgreSQL the tests use: TEST_DATABASE_URL, else
// the local one.
func testDatabaseURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return defaultTestDatabaseURL
}

var postgres struct {
	once sync.Once
	db   *sql.DB
	err  error
}

// newPostgresSchema makes a schema of its own for the test, dropped at its
// end, and returns a URL whose connections work in it. When PostgreSQL is
// unreachable the test fails under CI=true, else it is skipped.
func newPostgresSchema(t testing.TB) string {
	t.Helper()
	base := testDatabaseURL()
	postgres.once.Do(func() {
		postgres.db, postgres.err = sql.Open("pgx", base)
		if postgres.err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			postgres.err = postgres.db.PingContext(ctx)
		}
	})
	if postgres.err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at TEST_DATABASE_URL (default %s) is unreachable, and CI=true: %v", defaultTestDatabaseURL, postgres.err)
		}
		t.Skipf("PostgreSQL unreachable (set TEST_DATABASE_URL; default %s), skipping outside CI: %v", defaultTestDatabaseURL, postgres.err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "test_store_" + hex.EncodeToString(b)
	_, err := postgres.db.Exec(`CREATE SCHEMA ` + schema)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = postgres.db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`) })
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}
