package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migrations are numbered files, NNNN_name.sql, one directory per backend
// (the SQL differs only in types: BIGINT and BYTEA against INTEGER and
// BLOB). A file is never edited once released; a change is a new file.
//
// A migration library was weighed and left out: goose, the one that fits
// both backends over database/sql, requires some ninety modules (Docker,
// Azure, ClickHouse, MSSQL…) in its go.mod for drivers this bot does not
// use, and golang-migrate is of the same kind. What is needed here is one
// linear list applied in order, which the few lines below do: each file runs
// in its own transaction with its row in schema_migrations, and on
// PostgreSQL an advisory lock held by that transaction makes replicas
// starting together apply each file once (SQLite's BEGIN IMMEDIATE does the
// same for processes sharing a file).
//
//go:embed migrations
var migrations embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations(dir string) ([]migration, error) {
	entries, err := fs.ReadDir(migrations, path.Join("migrations", dir))
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration %s: name is not NNNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(migrations, path.Join("migrations", dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version { // one would never run: its version is recorded as applied
			return nil, fmt.Errorf("migrations %s and %s share a number", out[i-1].name, out[i].name)
		}
	}
	return out, nil
}

// migrate applies the migrations of the backend that the database lacks.
func (s *sqlStore) migrate(ctx context.Context) error {
	dir := "sqlite"
	if s.pg {
		dir = "postgres"
	}
	ms, err := loadMigrations(dir)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := s.apply(ctx, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

// apply runs m in one transaction unless it is recorded as applied.
func (s *sqlStore) apply(ctx context.Context, m migration) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if s.pg {
			// Held until the transaction ends; keyed by schema, so that
			// separate schemas (tests) do not wait for one another.
			if _, err := tx.ExecContext(ctx,
				`SELECT pg_advisory_xact_lock(hashtext('meet-invite migrations ' || current_schema()))`); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT count(*) FROM schema_migrations WHERE version = ?`), m.version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
			m.version, m.name, s.now().UnixMilli())
		return err
	})
}
