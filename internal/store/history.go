package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

func (s *sqlStore) AddHistory(ctx context.Context, userID string, e HistoryEntry, keep int, ttl time.Duration) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO home_history (user_id, id, made_at, outcome, post, expires_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, id) DO NOTHING`),
			userID, e.ID, ms(e.At), e.Outcome, e.Post, ms(s.now().Add(ttl))); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM home_history WHERE user_id = ? AND id NOT IN
			(SELECT id FROM home_history WHERE user_id = ? ORDER BY made_at DESC, id DESC LIMIT ?)`), userID, userID, keep)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: add history: %w", err)
	}
	return nil
}

func (s *sqlStore) SetHistoryPost(ctx context.Context, userID, id, post string) error {
	if _, err := s.exec(ctx, `UPDATE home_history SET post = ? WHERE user_id = ? AND id = ?`, post, userID, id); err != nil {
		return fmt.Errorf("store: set history post: %w", err)
	}
	return nil
}

func (s *sqlStore) History(ctx context.Context, userID string, limit int) ([]HistoryEntry, error) {
	rows, err := s.query(ctx, s.q(`SELECT id, made_at, outcome, post FROM home_history
		WHERE user_id = ? AND expires_at > ? ORDER BY made_at DESC, id DESC LIMIT ?`), userID, ms(s.now()), limit)
	if err != nil {
		return nil, fmt.Errorf("store: history: %w", err)
	}
	defer rows.Close()
	var out []HistoryEntry
	for rows.Next() {
		var (
			e  HistoryEntry
			at int64
		)
		if err := rows.Scan(&e.ID, &at, &e.Outcome, &e.Post); err != nil {
			return nil, fmt.Errorf("store: history: %w", err)
		}
		e.At = time.UnixMilli(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: history: %w", err)
	}
	return out, nil
}
