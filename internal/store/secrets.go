package store

import (
	"context"
	"fmt"
)

func (s *sqlStore) Secret(ctx context.Context, name string, made []byte) ([]byte, error) {
	if _, err := s.exec(ctx, `INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`,
		name, nonNil(made)); err != nil {
		return nil, fmt.Errorf("store: secret: %w", err)
	}
	var kept []byte
	if err := s.queryRow(ctx, s.q(`SELECT value FROM secrets WHERE name = ?`), name).Scan(&kept); err != nil {
		return nil, fmt.Errorf("store: secret: %w", err)
	}
	return kept, nil
}
