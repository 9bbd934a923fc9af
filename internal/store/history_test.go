package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/store"
)

func TestAPersonsRecentInvitations(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		s := open(t, url, c)
		ctx := t.Context()
		const keep, ttl = 3, 24 * time.Hour
		history := func(user string) []string {
			t.Helper()
			es, err := s.History(ctx, user, 10)
			require.NoError(t, err)
			var out []string
			for _, e := range es {
				out = append(out, e.ID+" "+e.Outcome+" "+e.Post)
			}
			return out
		}

		start := c.Now()
		for i := range 4 {
			at := start.Add(time.Duration(i) * time.Minute)
			require.NoError(t, s.AddHistory(ctx, "UCAROL", store.HistoryEntry{ID: fmt.Sprint("r", i), At: at, Outcome: fmt.Sprint("outcome ", i)}, keep, ttl))
		}
		require.NoError(t, s.AddHistory(ctx, "UBOB", store.HistoryEntry{ID: "r0", At: start, Outcome: "Bob's"}, keep, ttl))
		require.NoError(t, s.SetHistoryPost(ctx, "UCAROL", "r2", "C1/1.0002"))
		assert.Equal(t, []string{"r3 outcome 3 ", "r2 outcome 2 C1/1.0002", "r1 outcome 1 "}, history("UCAROL"),
			"newest first, the keep newest")
		assert.Equal(t, []string{"r0 Bob's "}, history("UBOB"), "each their own")
		es, err := s.History(ctx, "UCAROL", 1)
		require.NoError(t, err)
		require.Len(t, es, 1)
		assert.True(t, start.Add(3*time.Minute).Equal(es[0].At), "at %v", es[0].At)
		assert.Empty(t, history("UNOBODY"))

		c.Add(ttl)
		assert.Empty(t, history("UCAROL"), "forgotten after a day")
		n, err := s.Prune(ctx)
		require.NoError(t, err)
		assert.EqualValues(t, 4, n)
	})
}

// Two processes recording one person's invitations at once keep them all
// (up to the bound) and each once.
func TestRacesToRecordInvitations(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend, url string) {
		c := newClock()
		ss := stores(t, b, url, c)
		ctx := t.Context()
		race(t, ss, func(i int, s store.Store) (bool, error) {
			e := store.HistoryEntry{ID: fmt.Sprint("r", i), At: c.Now().Add(time.Duration(i) * time.Millisecond), Outcome: "x"}
			return true, s.AddHistory(ctx, "UCAROL", e, 100, time.Hour)
		})
		es, err := ss[0].History(ctx, "UCAROL", 100)
		require.NoError(t, err)
		assert.Len(t, es, racers)
	})
}
