package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/store"
)

// newOwnerID names this process among the replicas sharing a database: the
// holder of its leases, claims and requests. It is new at every start, so
// that a restarted process does not mistake its predecessor's work for its
// own.
func newOwnerID() string {
	host, _ := os.Hostname()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return host + "/" + hex.EncodeToString(b)
}

// storePruner deletes the store's expired rows, for pruneEvery. Every
// replica prunes: deleting what expired is the same whoever does it.
func storePruner(ctx context.Context, st store.Store, log *slog.Logger) func() {
	return func() {
		if n, err := st.Prune(ctx); err != nil && ctx.Err() == nil {
			log.Warn("could not prune the store", "err", err)
		} else if n > 0 {
			log.Debug("pruned the store", "rows", n)
		}
	}
}

// keptButtonSecret is the key that signs button values when BUTTON_SECRET
// is unset: made at the first start and kept in the store, so that the
// buttons of posts made before a restart still work after it (LoadConfig
// requires BUTTON_SECRET with PostgreSQL, where replicas share the store).
func keptButtonSecret(ctx context.Context, st store.Secrets) ([]byte, error) {
	made := make([]byte, 32)
	_, _ = rand.Read(made)
	key, err := st.Secret(ctx, "button", made)
	if err != nil {
		return nil, fmt.Errorf("the key that signs buttons: %w", err)
	}
	return key, nil
}

// reservations is the store's called-recently window as commands sees it.
type reservations struct{ s store.Reservations }

var _ commands.Reservations = reservations{}

func (r reservations) Reserve(ctx context.Context, res commands.Reservation, ttl time.Duration) (bool, error) {
	return r.s.Reserve(ctx, store.Reservation(res), ttl)
}

func (r reservations) Release(ctx context.Context, res commands.Reservation) error {
	return r.s.Release(ctx, store.Reservation(res))
}

func (r reservations) TakeOver(ctx context.Context, res commands.Reservation, from string, ttl time.Duration) (ok, held bool, err error) {
	return r.s.TakeOver(ctx, store.Reservation(res), from, ttl)
}

func (r reservations) NumberReserved(ctx context.Context, meeting, number string) (bool, error) {
	return r.s.NumberReserved(ctx, meeting, number)
}
