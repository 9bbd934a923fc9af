package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

func (s *sqlStore) BeginRequests(ctx context.Context, rs []Request, owner string, hold, ttl time.Duration) (map[string]bool, error) {
	added := make(map[string]bool, len(rs))
	if len(rs) == 0 {
		return added, nil
	}
	now := s.now()
	var b strings.Builder
	args := make([]any, 0, 5*len(rs))
	b.WriteString(`INSERT INTO requests (id, payload, owner, claimed_until, expires_at) VALUES `)
	for i, r := range rs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?)")
		args = append(args, r.ID, nonNil(r.Payload), owner, ms(now.Add(hold)), ms(now.Add(ttl)))
	}
	b.WriteString(` ON CONFLICT (id) DO NOTHING RETURNING id`)
	var err error
	s.first.run(func() { // acks wait for it
		var rows *sql.Rows
		if rows, err = s.db.QueryContext(ctx, s.q(b.String()), args...); err != nil {
			return
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err = rows.Scan(&id); err != nil {
				return
			}
			added[id] = true
		}
		err = rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: begin requests: %w", err)
	}
	return added, nil
}

func (s *sqlStore) RenewRequests(ctx context.Context, owner string, hold time.Duration) (int64, error) {
	n, err := s.exec(ctx, `UPDATE requests SET claimed_until = ? WHERE owner = ? AND ended_at IS NULL`,
		ms(s.now().Add(hold)), owner)
	if err != nil {
		return 0, fmt.Errorf("store: renew requests: %w", err)
	}
	return n, nil
}

func (s *sqlStore) EndRequest(ctx context.Context, id, owner string) (bool, error) {
	ended, err := s.once(ctx, `UPDATE requests SET ended_at = ? WHERE id = ? AND owner = ? AND ended_at IS NULL`,
		ms(s.now()), id, owner)
	if err != nil {
		return false, fmt.Errorf("store: end request: %w", err)
	}
	return ended, nil
}

func (s *sqlStore) ClaimOrphans(ctx context.Context, owner string, limit int, hold time.Duration) ([]Request, error) {
	now := s.now()
	skipLocked := "" // as in ClaimMissed
	if s.pg {
		skipLocked = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := s.query(ctx, s.q(`UPDATE requests SET owner = ?, claimed_until = ?
		WHERE id IN (SELECT id FROM requests
			WHERE ended_at IS NULL AND claimed_until <= ? AND expires_at > ?
			ORDER BY claimed_until, id LIMIT ?`+skipLocked+`)
		RETURNING id, payload`),
		owner, ms(now.Add(hold)), ms(now), ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim orphans: %w", err)
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		var r Request
		if err := rows.Scan(&r.ID, &r.Payload); err != nil {
			return nil, fmt.Errorf("store: claim orphans: %w", err)
		}
		r.Payload = orNil(r.Payload)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: claim orphans: %w", err)
	}
	return out, nil
}
