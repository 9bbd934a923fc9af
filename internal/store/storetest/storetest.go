// Package storetest gives tests a PostgreSQL schema of their own, at the
// machines' local PostgreSQL or TEST_DATABASE_URL. When PostgreSQL is
// unreachable a test fails under CI=true (CI must run them), else it is
// skipped, saying why.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// DefaultURL is the machines' local PostgreSQL (trust auth).
const DefaultURL = "postgres://root@127.0.0.1:5432/test?sslmode=disable"

// URL is the PostgreSQL the tests use: TEST_DATABASE_URL, else DefaultURL.
func URL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

var postgres struct {
	once sync.Once
	db   *sql.DB
	err  error
}

// Schema makes a schema named prefix + random hex for the test, dropped at
// its end, and returns a URL whose connections work in it.
func Schema(t testing.TB, prefix string) string {
	t.Helper()
	base := URL()
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
			t.Fatalf("PostgreSQL at TEST_DATABASE_URL (default %s) is unreachable, and CI=true: %v", DefaultURL, postgres.err)
		}
		t.Skipf("PostgreSQL unreachable (set TEST_DATABASE_URL; default %s), skipping outside CI: %v", DefaultURL, postgres.err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := prefix + hex.EncodeToString(b)
	if _, err := postgres.db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() { _, _ = postgres.db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`) })
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}
