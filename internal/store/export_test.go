package store

import "context"

// Setting is the value of a run-time setting of s's database connections
// (PostgreSQL), for tests.
func Setting(ctx context.Context, s Store, name string) (string, error) {
	var v string
	err := s.(*sqlStore).db.QueryRowContext(ctx, "SELECT current_setting($1)", name).Scan(&v)
	return v, err
}

// Exec runs a statement on s's database, for tests that set up rows as an
// earlier version of the bot left them.
func Exec(ctx context.Context, s Store, query string, args ...any) error {
	_, err := s.(*sqlStore).exec(ctx, query, args...)
	return err
}
