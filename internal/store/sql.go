package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sqlStore is Store over database/sql. The two backends share every query:
// times are Unix milliseconds in both, placeholders are written "?" and
// numbered for PostgreSQL, and only the missed-call claim differs (SKIP
// LOCKED, which SQLite, running one writer at a time, does not need).
type sqlStore struct {
	db  *sql.DB
	now func() time.Time
	pg  bool
	// first, on a store of one connection (Memory), lets the request
	// records through ahead of everything else (BeginRequests; nil
	// elsewhere).
	first *priority
}

var _ Store = (*sqlStore)(nil)

// q numbers the placeholders of query for PostgreSQL ($1, $2, …).
func (s *sqlStore) q(query string) string {
	if !s.pg {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r != '?' {
			b.WriteRune(r)
			continue
		}
		n++
		b.WriteString("$" + strconv.Itoa(n))
	}
	return b.String()
}

func (s *sqlStore) exec(ctx context.Context, query string, args ...any) (int64, error) {
	s.first.wait(ctx)
	res, err := s.db.ExecContext(ctx, s.q(query), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// once runs a statement that changes at most one row and reports whether it did.
func (s *sqlStore) once(ctx context.Context, query string, args ...any) (bool, error) {
	n, err := s.exec(ctx, query, args...)
	return n == 1, err
}

// inTx runs f in a transaction, committed if f returns nil. On SQLite files
// BEGIN takes the write lock at once (_txlock=immediate).
func (s *sqlStore) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	s.first.wait(ctx)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (s *sqlStore) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s.first.wait(ctx)
	return s.db.QueryContext(ctx, query, args...)
}

func (s *sqlStore) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	s.first.wait(ctx)
	return s.db.QueryRowContext(ctx, query, args...)
}

// priority lets some statements on a store of one connection go first:
// database/sql hands a freed connection to any of its waiters, so a write
// that acks wait for could otherwise queue behind hundreds of others.
// While one is pending, other statements wait before asking for the
// connection (those already asking still go in their turn).
type priority struct {
	mu      sync.Mutex
	pending int
	clear   chan struct{} // closed while nothing is pending
}

func newPriority() *priority {
	c := make(chan struct{})
	close(c)
	return &priority{clear: c}
}

// wait returns once no priority statement is pending, or ctx is done (the
// statement then fails on ctx itself). A nil priority never waits.
func (p *priority) wait(ctx context.Context) {
	if p == nil {
		return
	}
	p.mu.Lock()
	c := p.clear
	p.mu.Unlock()
	select {
	case <-c:
	case <-ctx.Done():
	}
}

// run runs f ahead of the statements that wait.
func (p *priority) run(f func()) {
	if p == nil {
		f()
		return
	}
	p.mu.Lock()
	if p.pending == 0 {
		p.clear = make(chan struct{})
	}
	p.pending++
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.pending--
		if p.pending == 0 {
			close(p.clear)
		}
		p.mu.Unlock()
	}()
	f()
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func (s *sqlStore) Close() error { return s.db.Close() }

func (s *sqlStore) FirstDeliveries(ctx context.Context, ids []string, ttl time.Duration) (map[string]bool, error) {
	first := make(map[string]bool, len(ids))
	if len(ids) == 0 {
		return first, nil
	}
	now := s.now()
	var b strings.Builder
	args := make([]any, 0, 2*len(ids)+1)
	b.WriteString(`INSERT INTO envelopes (id, expires_at) VALUES `)
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] { // one row may not be changed twice by one statement
			continue
		}
		seen[id] = true
		if len(args) > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?)")
		args = append(args, id, ms(now.Add(ttl)))
	}
	b.WriteString(` ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at WHERE envelopes.expires_at <= ? RETURNING id`)
	args = append(args, ms(now))
	rows, err := s.query(ctx, s.q(b.String()), args...)
	if err != nil {
		return nil, fmt.Errorf("store: envelopes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: envelopes: %w", err)
		}
		first[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: envelopes: %w", err)
	}
	return first, nil
}

// reservationKey is one row of a Reservation.
type reservationKey struct{ kind, subject string }

// keys are r's rows, without repeats, in one order for every caller (so
// that two transactions never wait for each other's rows crosswise).
func (r Reservation) keys() []reservationKey {
	var out []reservationKey
	if r.Person != "" {
		out = append(out, reservationKey{"person", r.Person})
	}
	nums := slices.Clone(r.Numbers)
	slices.Sort(nums)
	for _, n := range slices.Compact(nums) {
		if n != "" {
			out = append(out, reservationKey{"number", n})
		}
	}
	return out
}

var errHeld = errors.New("held")

func (s *sqlStore) Reserve(ctx context.Context, r Reservation, ttl time.Duration) (bool, error) {
	ok, _, err := s.reserve(ctx, r, "", ttl)
	if err != nil {
		return false, fmt.Errorf("store: reserve: %w", err)
	}
	return ok, nil
}

func (s *sqlStore) TakeOver(ctx context.Context, r Reservation, from string, ttl time.Duration) (ok, held bool, err error) {
	ok, held, err = s.reserve(ctx, r, from, ttl)
	if err != nil {
		return false, false, fmt.Errorf("store: take over: %w", err)
	}
	return ok, held, nil
}

// reserve takes every key of r for ttl, each free (or expired) or, when
// from is not empty, held by from; all or none, in one transaction. held
// reports whether from held any of them. On PostgreSQL from's rows are
// locked first, so that from cannot give them back meanwhile.
func (s *sqlStore) reserve(ctx context.Context, r Reservation, from string, ttl time.Duration) (ok, held bool, err error) {
	keys := r.keys()
	if len(keys) == 0 {
		return false, false, errors.New("no person and no number")
	}
	now := s.now()
	var b strings.Builder
	args := make([]any, 0, 5*len(keys)+2)
	b.WriteString(`INSERT INTO reservations (meeting, kind, subject, holder, expires_at) VALUES `)
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?)")
		args = append(args, r.Meeting, k.kind, k.subject, r.Holder, ms(now.Add(ttl)))
	}
	b.WriteString(` ON CONFLICT (meeting, kind, subject) DO UPDATE
		SET holder = excluded.holder, expires_at = excluded.expires_at WHERE reservations.expires_at <= ?`)
	args = append(args, ms(now))
	if from != "" {
		b.WriteString(` OR reservations.holder = ?`)
		args = append(args, from)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if from != "" {
			n, err := s.lockHeld(ctx, tx, r.Meeting, from, keys, now)
			if err != nil {
				return err
			}
			held = n > 0
		}
		res, err := tx.ExecContext(ctx, s.q(b.String()), args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(keys)) {
			return cmpOr(err, errHeld) // roll back: all or nothing
		}
		return nil
	})
	switch {
	case errors.Is(err, errHeld):
		return false, false, nil
	case err != nil:
		return false, false, err
	}
	return true, held, nil
}

// lockHeld counts the keys of meeting that holder holds, unexpired, and on
// PostgreSQL locks their rows until tx ends.
func (s *sqlStore) lockHeld(ctx context.Context, tx *sql.Tx, meeting, holder string, keys []reservationKey, now time.Time) (int, error) {
	var b strings.Builder
	args := []any{meeting, holder, ms(now)}
	b.WriteString(`SELECT kind, subject FROM reservations WHERE meeting = ? AND holder = ? AND expires_at > ? AND (`)
	for i, k := range keys {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString("kind = ? AND subject = ?")
		args = append(args, k.kind, k.subject)
	}
	b.WriteString(`)`)
	if s.pg { // in the order of keys, as every statement on them goes, so that none waits crosswise
		b.WriteString(` ORDER BY kind DESC, subject COLLATE "C" FOR UPDATE`)
	}
	rows, err := tx.QueryContext(ctx, s.q(b.String()), args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

func cmpOr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

func (s *sqlStore) Release(ctx context.Context, r Reservation) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, k := range r.keys() {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM reservations
				WHERE meeting = ? AND kind = ? AND subject = ? AND holder = ?`),
				r.Meeting, k.kind, k.subject, r.Holder); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: release: %w", err)
	}
	return nil
}

func (s *sqlStore) NumberReserved(ctx context.Context, meeting, number string) (bool, error) {
	var n int
	err := s.queryRow(ctx, s.q(`SELECT count(*) FROM reservations
		WHERE meeting = ? AND kind = 'number' AND subject = ? AND expires_at > ?`),
		meeting, number, ms(s.now())).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: reserved: %w", err)
	}
	return n > 0, nil
}

func (s *sqlStore) HeldBy(ctx context.Context, holder string) (int, error) {
	var n int
	err := s.queryRow(ctx, s.q(`SELECT count(*) FROM reservations WHERE holder = ? AND expires_at > ?`),
		holder, ms(s.now())).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: held by: %w", err)
	}
	return n, nil
}

func (s *sqlStore) PutPending(ctx context.Context, key, userID string, payload []byte, ttl time.Duration) error {
	now := s.now()
	put, err := s.once(ctx, `INSERT INTO pending (id, user_id, payload, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, payload = excluded.payload,
			expires_at = excluded.expires_at WHERE pending.expires_at <= ?`,
		key, userID, nonNil(payload), ms(now.Add(ttl)), ms(now))
	switch {
	case err != nil:
		return fmt.Errorf("store: put pending: %w", err)
	case !put:
		return ErrExists
	}
	return nil
}

// nonNil keeps a nil payload from becoming NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// orNil reads an empty payload as nil, as both backends do not.
func orNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

func (s *sqlStore) TakePending(ctx context.Context, key, userID string) ([]byte, bool, error) {
	var payload []byte
	err := s.queryRow(ctx, s.q(`DELETE FROM pending
		WHERE id = ? AND user_id = ? AND expires_at > ? RETURNING payload`),
		key, userID, ms(s.now())).Scan(&payload)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("store: take pending: %w", err)
	}
	return orNil(payload), true, nil
}

func (s *sqlStore) Prune(ctx context.Context) (int64, error) {
	now := ms(s.now())
	var total int64
	for _, query := range []string{
		`DELETE FROM envelopes WHERE expires_at <= ?`,
		`DELETE FROM reservations WHERE expires_at <= ?`,
		`DELETE FROM pending WHERE expires_at <= ?`,
		`DELETE FROM follow_calls WHERE post IN (SELECT post FROM follows WHERE expires_at <= ?)`,
		`DELETE FROM follows WHERE expires_at <= ?`,
		`DELETE FROM missed WHERE expires_at <= ?`,
		`DELETE FROM leases WHERE expires_at <= ?`,
		`DELETE FROM requests WHERE expires_at <= ?`,
		`DELETE FROM slack_calls WHERE expires_at <= ?`,
		`DELETE FROM slack_call_people WHERE call_id NOT IN (SELECT call_id FROM slack_calls WHERE expires_at > ?)`,
		`DELETE FROM home_history WHERE expires_at <= ?`,
	} {
		n, err := s.exec(ctx, query, now)
		if err != nil {
			return total, fmt.Errorf("store: prune: %w", err)
		}
		total += n
	}
	return total, nil
}
