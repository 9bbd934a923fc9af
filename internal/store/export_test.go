package store

import "context"

// Setting is the value of a run-time setting of s's database connections
// (PostgreSQL), for tests.
func Setting(ctx context.Context, s Store, name string) (string, error) {
	var v string
	err := s.(*sqlStore).db.QueryRowContext(ctx, "SELECT current_setting($1)", name).Scan(&v)
	return v, err
}
