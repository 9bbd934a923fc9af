package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

func (s *sqlStore) EnqueueMissed(ctx context.Context, m Missed, ttl time.Duration) (bool, error) {
	now := s.now()
	added, err := s.once(ctx, `INSERT INTO missed (id, user_id, payload, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		m.ID, m.UserID, nonNil(m.Payload), ms(now), ms(now.Add(ttl)))
	if err != nil {
		return false, fmt.Errorf("store: enqueue missed: %w", err)
	}
	return added, nil
}

func (s *sqlStore) ClaimMissed(ctx context.Context, owner string, limit int, hold time.Duration) ([]Missed, error) {
	now := s.now()
	// On PostgreSQL, rows another claimer has locked are passed over rather
	// than waited for; SQLite runs the whole statement under its write lock.
	skipLocked := ""
	if s.pg {
		skipLocked = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := s.query(ctx, s.q(`UPDATE missed SET claimed_by = ?, claimed_until = ?
		WHERE id IN (SELECT id FROM missed
			WHERE sent_at IS NULL AND expires_at > ? AND (claimed_until IS NULL OR claimed_until <= ?)
			ORDER BY created_at, id LIMIT ?`+skipLocked+`)
		RETURNING id, user_id, payload, created_at`),
		owner, ms(now.Add(hold)), ms(now), ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim missed: %w", err)
	}
	defer rows.Close()
	type claimed struct {
		m  Missed
		at int64
	}
	var out []claimed
	for rows.Next() {
		var c claimed
		if err := rows.Scan(&c.m.ID, &c.m.UserID, &c.m.Payload, &c.at); err != nil {
			return nil, fmt.Errorf("store: claim missed: %w", err)
		}
		c.m.Payload = orNil(c.m.Payload)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: claim missed: %w", err)
	}
	// RETURNING keeps no order.
	slices.SortFunc(out, func(a, b claimed) int {
		return cmp.Or(cmp.Compare(a.at, b.at), strings.Compare(a.m.ID, b.m.ID))
	})
	list := make([]Missed, len(out))
	for i, c := range out {
		list[i] = c.m
	}
	return list, nil
}

func (s *sqlStore) MarkMissedSent(ctx context.Context, id, owner string) (bool, error) {
	marked, err := s.once(ctx, `UPDATE missed SET sent_at = ? WHERE id = ? AND claimed_by = ? AND sent_at IS NULL`,
		ms(s.now()), id, owner)
	if err != nil {
		return false, fmt.Errorf("store: mark missed sent: %w", err)
	}
	return marked, nil
}

func (s *sqlStore) AcquireLease(ctx context.Context, meeting, owner string, ttl time.Duration) (bool, error) {
	now := s.now()
	got, err := s.once(ctx, `INSERT INTO leases (meeting, owner, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (meeting) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
		WHERE leases.expires_at <= ? OR leases.owner = excluded.owner`,
		meeting, owner, ms(now.Add(ttl)), ms(now))
	if err != nil {
		return false, fmt.Errorf("store: acquire lease: %w", err)
	}
	return got, nil
}

func (s *sqlStore) RenewLeases(ctx context.Context, meetings []string, owner string, ttl time.Duration) (map[string]bool, error) {
	kept := make(map[string]bool, len(meetings))
	expires := ms(s.now().Add(ttl))
	for len(meetings) > 0 {
		batch := meetings[:min(len(meetings), maxRenewBatch)]
		meetings = meetings[len(batch):]
		args := make([]any, 0, 2+len(batch))
		args = append(args, expires, owner)
		for _, m := range batch {
			args = append(args, m)
		}
		q := `UPDATE leases SET expires_at = ? WHERE owner = ? AND meeting IN (?` + strings.Repeat(", ?", len(batch)-1) + `) RETURNING meeting`
		rows, err := s.db.QueryContext(ctx, s.q(q), args...)
		if err != nil {
			return nil, fmt.Errorf("store: renew leases: %w", err)
		}
		for rows.Next() {
			var m string
			if err := rows.Scan(&m); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: renew leases: %w", err)
			}
			kept[m] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: renew leases: %w", err)
		}
	}
	return kept, nil
}

// maxRenewBatch bounds the leases one statement renews, well within
// SQLite's and PostgreSQL's limits on a statement's parameters.
const maxRenewBatch = 500

func (s *sqlStore) ReleaseLease(ctx context.Context, meeting, owner string) error {
	if _, err := s.exec(ctx, `DELETE FROM leases WHERE meeting = ? AND owner = ?`, meeting, owner); err != nil {
		return fmt.Errorf("store: release lease: %w", err)
	}
	return nil
}
