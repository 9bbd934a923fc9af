package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

func (s *sqlStore) TakeCall(ctx context.Context, meeting, owner string, hold, ttl time.Duration) (string, bool, error) {
	now := s.now()
	mine, err := s.once(ctx, `INSERT INTO slack_calls (meeting, call_id, owner, claimed_until, expires_at, payload)
		VALUES (?, '', ?, ?, ?, ?) ON CONFLICT (meeting) DO UPDATE
		SET call_id = '', owner = excluded.owner, claimed_until = excluded.claimed_until, expires_at = excluded.expires_at,
			holder = '', held_until = 0, payload = excluded.payload
		WHERE slack_calls.expires_at <= ? OR (slack_calls.call_id = '' AND slack_calls.claimed_until <= ?)`,
		meeting, owner, ms(now.Add(hold)), ms(now.Add(ttl)), []byte{}, ms(now), ms(now))
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

func (s *sqlStore) SetCall(ctx context.Context, meeting, owner, id string, payload []byte, lease time.Duration) (bool, error) {
	set, err := s.once(ctx, `UPDATE slack_calls SET call_id = ?, payload = ?, holder = owner, held_until = ?
		WHERE meeting = ? AND owner = ? AND call_id = ''`,
		id, nonNil(payload), ms(s.now().Add(lease)), meeting, owner)
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

func (s *sqlStore) HoldCall(ctx context.Context, meeting, id, owner string, lease time.Duration) (time.Time, bool, error) {
	now := s.now()
	var until int64
	err := s.queryRow(ctx, s.q(`UPDATE slack_calls SET holder = ?, held_until = ?
		WHERE meeting = ? AND call_id = ? AND call_id <> '' AND expires_at > ? AND (holder = ? OR held_until <= ?)
		RETURNING expires_at`),
		owner, ms(now.Add(lease)), meeting, id, ms(now), owner, ms(now)).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: hold call: %w", err)
	}
	return time.UnixMilli(until), true, nil
}

func (s *sqlStore) ReleaseCall(ctx context.Context, meeting, owner string) error {
	if _, err := s.exec(ctx, `UPDATE slack_calls SET held_until = 0 WHERE meeting = ? AND holder = ?`, meeting, owner); err != nil {
		return fmt.Errorf("store: release call: %w", err)
	}
	return nil
}

func (s *sqlStore) LapsedCalls(ctx context.Context, limit int) ([]SlackCall, error) {
	now := ms(s.now())
	rows, err := s.query(ctx, s.q(`SELECT meeting, call_id, payload, expires_at FROM slack_calls
		WHERE call_id <> '' AND held_until <= ? AND expires_at > ? ORDER BY held_until, meeting LIMIT ?`), now, now, limit)
	if err != nil {
		return nil, fmt.Errorf("store: lapsed calls: %w", err)
	}
	defer rows.Close()
	var out []SlackCall
	for rows.Next() {
		var (
			c     SlackCall
			until int64
		)
		if err := rows.Scan(&c.Meeting, &c.ID, &c.Payload, &until); err != nil {
			return nil, fmt.Errorf("store: lapsed calls: %w", err)
		}
		c.Payload, c.Until = orNil(c.Payload), time.UnixMilli(until)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: lapsed calls: %w", err)
	}
	return out, nil
}

func (s *sqlStore) AddCallPeople(ctx context.Context, id string, people []CallPerson) error {
	if len(people) == 0 {
		return nil
	}
	now := ms(s.now())
	var b strings.Builder
	args := make([]any, 0, 5*len(people))
	b.WriteString(`INSERT INTO slack_call_people (call_id, person, payload, shown, added_at) VALUES `)
	for i, p := range people {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?)")
		args = append(args, id, p.ID, nonNil(p.Payload), flag(p.Shown), now)
	}
	b.WriteString(` ON CONFLICT (call_id, person) DO NOTHING`)
	if _, err := s.exec(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("store: add call people: %w", err)
	}
	return nil
}

func (s *sqlStore) CallPeople(ctx context.Context, id string) ([]CallPerson, error) {
	rows, err := s.query(ctx, s.q(`SELECT person, payload, shown FROM slack_call_people
		WHERE call_id = ? ORDER BY added_at, person`), id)
	if err != nil {
		return nil, fmt.Errorf("store: call people: %w", err)
	}
	defer rows.Close()
	var out []CallPerson
	for rows.Next() {
		var (
			p     CallPerson
			shown int
		)
		if err := rows.Scan(&p.ID, &p.Payload, &shown); err != nil {
			return nil, fmt.Errorf("store: call people: %w", err)
		}
		p.Payload, p.Shown = orNil(p.Payload), shown != 0
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: call people: %w", err)
	}
	return out, nil
}

func (s *sqlStore) ShowCallPerson(ctx context.Context, id, person string, shown bool) error {
	if _, err := s.exec(ctx, `UPDATE slack_call_people SET shown = ? WHERE call_id = ? AND person = ?`,
		flag(shown), id, person); err != nil {
		return fmt.Errorf("store: show call person: %w", err)
	}
	return nil
}

// flag is a boolean as the tables keep it (0 or 1, the same in both
// backends).
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *sqlStore) EndCall(ctx context.Context, meeting string) (string, error) {
	var id string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q(`DELETE FROM slack_calls WHERE meeting = ? RETURNING call_id`), meeting).Scan(&id)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM slack_call_people WHERE call_id = ?`), id)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: end call: %w", err)
	}
	return id, nil
}
