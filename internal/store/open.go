package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers "sqlite"
)

// DefaultFile is the SQLite file used when no database URL is given.
const DefaultFile = "meet-invite.db"

// Memory is the database URL of an in-memory SQLite database, gone when the
// store is closed: for the sandbox and tests.
const Memory = ":memory:"

// Open opens the store that databaseURL names and brings its schema up to
// date:
//   - "" — the SQLite file meet-invite.db in the working directory;
//   - ":memory:" — an in-memory SQLite database;
//   - "sqlite:PATH" or "file:PATH" — an SQLite file;
//   - "postgres://…" or "postgresql://…" — PostgreSQL (pgx's URL or its
//     parameters, such as search_path=…).
//
// Errors never include the URL, which may hold a password.
func Open(ctx context.Context, databaseURL string, opts ...Option) (Store, error) {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	s := &sqlStore{now: o.now}
	var err error
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		s.pg = true
		s.db, err = openPostgres(databaseURL)
	case databaseURL == Memory:
		s.db, err = sql.Open("sqlite", "file::memory:?_busy_timeout=10000")
		if err == nil {
			// Each connection to ":memory:" is a database of its own: keep
			// exactly one, for ever.
			s.db.SetMaxOpenConns(1)
			s.db.SetMaxIdleConns(1)
			s.db.SetConnMaxLifetime(0)
			s.db.SetConnMaxIdleTime(0)
			s.first = newPriority()
		}
	default:
		var file string
		file, err = sqliteFile(databaseURL)
		if err == nil {
			s.db, err = sql.Open("sqlite", sqliteDSN(file))
		}
		if err == nil {
			s.db.SetMaxOpenConns(8)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open store: %w", redact(err, databaseURL))
	}
	if err := connect(ctx, s.db); err != nil {
		_ = s.db.Close()
		return nil, fmt.Errorf("open store: %w", redact(err, databaseURL))
	}
	if err := s.migrate(ctx); err != nil {
		_ = s.db.Close()
		return nil, fmt.Errorf("open store: %w", redact(err, databaseURL))
	}
	return s, nil
}

// connect makes the store's first connection. Processes opening the same
// new SQLite file at once can be refused with SQLITE_BUSY there without
// waiting out the busy timeout: each connection switches the file to WAL,
// which upgrades its lock, and SQLite returns SQLITE_BUSY at once rather
// than call the busy handler where waiting could deadlock
// (https://www.sqlite.org/c3ref/busy_handler.html). Once one has switched
// it, the others find it in WAL; so a refusal is tried again, for up to
// busyWait.
func connect(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(busyWait)
	for {
		err := db.PingContext(ctx)
		var coded interface{ Code() int }
		if err == nil || !errors.As(err, &coded) || coded.Code()&0xff != sqliteBusy || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// sqliteBusy is SQLite's primary result code SQLITE_BUSY; busyWait is how
// long the store waits for a lock, as the busy timeout does (sqliteDSN).
const (
	sqliteBusy = 5
	busyWait   = 10 * time.Second
)

// openPostgres opens a pool of PostgreSQL connections whose commits do not
// wait for the disk (synchronous_commit=off), unless databaseURL says
// otherwise. A commit is still seen by every other connection at once, so
// whatever is taken once stays taken once; what a crash of the database
// server (not of the bot) can lose is the last few hundred milliseconds of
// commits, never consistency. Waiting for the disk costs about 2 ms a
// statement on the project's machines, ten times the rest of it (see
// BenchmarkInvitation): too dear for rows that live minutes.
func openPostgres(databaseURL string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return nil, err
	}
	if _, set := cfg.RuntimeParams["synchronous_commit"]; !set {
		cfg.RuntimeParams["synchronous_commit"] = "off"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	return db, nil
}

// sqliteFile is the file an SQLite database URL names.
func sqliteFile(databaseURL string) (string, error) {
	switch {
	case databaseURL == "":
		return DefaultFile, nil
	case strings.HasPrefix(databaseURL, "sqlite:"):
		return strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite:"), "//"), nil
	case strings.HasPrefix(databaseURL, "file:"):
		return strings.TrimPrefix(strings.TrimPrefix(databaseURL, "file:"), "//"), nil
	}
	scheme, _, _ := strings.Cut(databaseURL, ":")
	return "", fmt.Errorf("database URL: unknown scheme %q (want postgres://, sqlite: or file:)", scheme)
}

// sqliteDSN opens file in WAL mode (readers do not wait for the writer),
// with transactions that take the write lock at BEGIN (so that two that
// read and then write cannot deadlock), and waits up to 10 s for the lock.
// synchronous=NORMAL loses no committed transaction when the process dies;
// only a power cut can take back the last ones.
func sqliteDSN(file string) string {
	u := url.URL{Scheme: "file", Opaque: file, RawQuery: url.Values{
		"_busy_timeout": {strconv.FormatInt(busyWait.Milliseconds(), 10)},
		"_journal_mode": {"WAL"},
		"_synchronous":  {"NORMAL"},
		"_txlock":       {"immediate"},
	}.Encode()}
	return u.String()
}

// redact removes the password of databaseURL from err's text.
func redact(err error, databaseURL string) error {
	u, perr := url.Parse(databaseURL)
	if perr != nil || u.User == nil {
		return err
	}
	p, ok := u.User.Password()
	if !ok || p == "" || !strings.Contains(err.Error(), p) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), p, "xxxxx"))
}
