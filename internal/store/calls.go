package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

func (s *sqlStore) TakeCall(ctx context.Context, meeting, owner string, hold, ttl time.Duration) (string, bool, error) {
	now := s.now()
	mine, err := s.once(ctx, `INSERT INTO slack_calls (meeting, call_id, owner, claimed_until, expires_at)
		VALUES (?, '', ?, ?, ?) ON CONFLICT (meeting) DO UPDATE
		SET call_id = '', owner = excluded.owner, claimed_until = excluded.claimed_until, expires_at = excluded.expires_at
		WHERE slack_calls.expires_at <= ? OR (slack_calls.call_id = '' AND slack_calls.claimed_until <= ?)`,
		meeting, owner, ms(now.Add(hold)), ms(now.Add(ttl)), ms(now), ms(now))
	if err != nil {
		return "", false, fmt.Errorf("store: take call: %w", err)
	}
	if mine {
		return "", true, nil
	}
	var id string
	err = s.queryRow(ctx, s.q(`SELECT call_id FROM slack_calls WHERE meeting = ?`), meeting).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) { // ended between the two statements
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: take call: %w", err)
	}
	return id, false, nil
}

func (s *sqlStore) SetCall(ctx context.Context, meeting, owner, id string) (bool, error) {
	set, err := s.once(ctx, `UPDATE slack_calls SET call_id = ? WHERE meeting = ? AND owner = ? AND call_id = ''`,
		id, meeting, owner)
	if err != nil {
		return false, fmt.Errorf("store: set call: %w", err)
	}
	return set, nil
}

func (s *sqlStore) DropCall(ctx context.Context, meeting, owner string) error {
	if _, err := s.exec(ctx, `DELETE FROM slack_calls WHERE meeting = ? AND owner = ? AND call_id = ''`, meeting, owner); err != nil {
		return fmt.Errorf("store: drop call: %w", err)
	}
	return nil
}

func (s *sqlStore) EndCall(ctx context.Context, meeting string) (string, error) {
	var id string
	err := s.queryRow(ctx, s.q(`DELETE FROM slack_calls WHERE meeting = ? RETURNING call_id`), meeting).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: end call: %w", err)
	}
	return id, nil
}
