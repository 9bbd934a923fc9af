package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

func (s *sqlStore) SaveFollow(ctx context.Context, f Follow, ttl time.Duration) error {
	now := s.now()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO follows (post, meeting, payload, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (post) DO UPDATE
			SET meeting = excluded.meeting, payload = excluded.payload, expires_at = excluded.expires_at`),
			f.Post, f.Meeting, nonNil(f.Payload), ms(now), ms(now.Add(ttl))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM follow_calls WHERE post = ?`), f.Post); err != nil {
			return err
		}
		for i, c := range f.Calls {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO follow_calls (post, position, person, state)
				VALUES (?, ?, ?, ?)`), f.Post, i, c.Person, c.State); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save follow: %w", err)
	}
	return nil
}

func (s *sqlStore) SetCallState(ctx context.Context, post, person, from, to string) (bool, error) {
	moved, err := s.once(ctx, `UPDATE follow_calls SET state = ? WHERE post = ? AND person = ? AND state = ?`,
		to, post, person, from)
	if err != nil {
		return false, fmt.Errorf("store: set call state: %w", err)
	}
	return moved, nil
}

func (s *sqlStore) UnfinishedFollows(ctx context.Context) ([]Follow, error) {
	fs, err := s.follows(ctx, `f.finished_at IS NULL AND f.expires_at > ?`, ms(s.now()))
	if err != nil {
		return nil, fmt.Errorf("store: unfinished follows: %w", err)
	}
	return fs, nil
}

func (s *sqlStore) FinishFollow(ctx context.Context, post string) (bool, error) {
	done, err := s.once(ctx, `UPDATE follows SET finished_at = ? WHERE post = ? AND finished_at IS NULL`,
		ms(s.now()), post)
	if err != nil {
		return false, fmt.Errorf("store: finish follow: %w", err)
	}
	return done, nil
}

func (s *sqlStore) ReopenFollow(ctx context.Context, post string, payload []byte) (bool, error) {
	done, err := s.once(ctx, `UPDATE follows SET finished_at = NULL, payload = ?
		WHERE post = ? AND finished_at IS NOT NULL AND ended_at IS NULL AND expires_at > ?`,
		nonNil(payload), post, ms(s.now()))
	if err != nil {
		return false, fmt.Errorf("store: reopen follow: %w", err)
	}
	return done, nil
}

func (s *sqlStore) EndMeeting(ctx context.Context, meeting string) ([]Follow, error) {
	now := ms(s.now())
	rows, err := s.query(ctx, s.q(`UPDATE follows SET ended_at = ?
		WHERE meeting = ? AND ended_at IS NULL AND expires_at > ? RETURNING post`), now, meeting, now)
	if err != nil {
		return nil, fmt.Errorf("store: end meeting: %w", err)
	}
	var posts []any
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("store: end meeting: %w", err)
		}
		posts = append(posts, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: end meeting: %w", err)
	}
	if len(posts) == 0 {
		return nil, nil
	}
	in := strings.Repeat("?, ", len(posts)-1) + "?"
	fs, err := s.follows(ctx, `f.post IN (`+in+`)`, posts...)
	if err != nil {
		return nil, fmt.Errorf("store: end meeting: %w", err)
	}
	return fs, nil
}

func (s *sqlStore) LoadFollow(ctx context.Context, post string) (SavedFollow, bool, error) {
	var finished, ended sql.NullInt64
	err := s.queryRow(ctx, s.q(`SELECT finished_at, ended_at FROM follows WHERE post = ? AND expires_at > ?`),
		post, ms(s.now())).Scan(&finished, &ended)
	if errors.Is(err, sql.ErrNoRows) {
		return SavedFollow{}, false, nil
	}
	var fs []Follow
	if err == nil {
		fs, err = s.follows(ctx, `f.post = ?`, post)
	}
	if err != nil {
		return SavedFollow{}, false, fmt.Errorf("store: load follow: %w", err)
	}
	if len(fs) == 0 { // deleted meanwhile
		return SavedFollow{}, false, nil
	}
	return SavedFollow{Follow: fs[0], Finished: finished.Valid, Ended: ended.Valid}, true, nil
}

// follows reads the follows matching where (on follows f), oldest first,
// with their calls, in one query.
func (s *sqlStore) follows(ctx context.Context, where string, args ...any) ([]Follow, error) {
	rows, err := s.query(ctx, s.q(`SELECT f.post, f.meeting, f.payload, c.person, c.state
		FROM follows f LEFT JOIN follow_calls c ON c.post = f.post
		WHERE `+where+` ORDER BY f.created_at, f.post, c.position`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Follow
	for rows.Next() {
		var (
			f             Follow
			person, state sql.NullString
		)
		if err := rows.Scan(&f.Post, &f.Meeting, &f.Payload, &person, &state); err != nil {
			return nil, err
		}
		f.Payload = orNil(f.Payload)
		if n := len(out); n == 0 || out[n-1].Post != f.Post {
			out = append(out, f)
		}
		if person.Valid {
			last := &out[len(out)-1]
			last.Calls = append(last.Calls, Call{Person: person.String, State: state.String})
		}
	}
	return slices.Clip(out), rows.Err()
}
