package store_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/store"
)

// racers is how many goroutines race for one thing; on a backend that
// several processes can share, they are spread over processes stores
// (each its own connection pool, as separate processes would be).
const (
	racers    = 16
	processes = 4
)

// race runs f on racers goroutines at once, goroutine i with store
// stores[i%len(stores)], and returns how many got true.
func race(t *testing.T, stores []store.Store, f func(i int, s store.Store) (bool, error)) int {
	t.Helper()
	var (
		wins  atomic.Int32
		start = make(chan struct{})
		wg    sync.WaitGroup
	)
	for i := range racers {
		wg.Go(func() {
			<-start
			won, err := f(i, stores[i%len(stores)])
			if assert.NoError(t, err) && won {
				wins.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	return int(wins.Load())
}

// stores opens the database at url once per process standing in (once if
// the backend cannot be shared).
func stores(t *testing.T, b backend, url string, c *clock) []store.Store {
	n := processes
	if !b.shared {
		n = 1
	}
	out := make([]store.Store, n)
	for i := range out {
		out[i] = open(t, url, c)
	}
	return out
}

func TestRacesTakeOnce(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend, url string) {
		c := newClock()
		ss := stores(t, b, url, c)
		ctx := t.Context()

		assert.Equal(t, 1, race(t, ss, func(_ int, s store.Store) (bool, error) {
			return firstDelivery(ctx, s, "E1", time.Minute)
		}), "one first delivery")

		// Each racer calls the same person on a number of its own and two
		// shared ones listed in either order: one wins, and only its keys stay.
		assert.Equal(t, 1, race(t, ss, func(i int, s store.Store) (bool, error) {
			nums := []string{"+1", "+2", fmt.Sprint("+own", i)}
			if i%2 == 1 {
				nums[0], nums[1] = nums[1], nums[0]
			}
			return s.Reserve(ctx, store.Reservation{Meeting: "M", Holder: fmt.Sprint("req", i), Person: "UALICE", Numbers: nums}, time.Minute)
		}), "one reservation")
		owns := 0
		for i := range racers {
			ok, err := ss[0].NumberReserved(ctx, "M", fmt.Sprint("+own", i))
			require.NoError(t, err)
			if ok {
				owns++
			}
		}
		assert.Equal(t, 1, owns, "the losers kept nothing")

		// A hold passed on is never free on the way: of requests racing
		// for Bob while his app call's hold passes to his phone, none wins.
		app := store.Reservation{Meeting: "M", Holder: "app", Person: "UBOB", Numbers: []string{"sip", "+44"}}
		ok, err := ss[0].Reserve(ctx, app, time.Minute)
		require.NoError(t, err)
		require.True(t, ok)
		var tookOver atomic.Bool
		assert.Equal(t, 1, race(t, ss, func(i int, s store.Store) (bool, error) {
			if i == racers/2 {
				ok, _, err := s.TakeOver(ctx, store.Reservation{Meeting: "M", Holder: "phone", Person: "UBOB", Numbers: []string{"+44", "sip"}}, "app", time.Minute)
				tookOver.Store(ok)
				return ok, err
			}
			return s.Reserve(ctx, store.Reservation{Meeting: "M", Holder: fmt.Sprint("req", i), Person: "UBOB", Numbers: []string{"+44"}}, time.Minute)
		}), "one winner")
		assert.True(t, tookOver.Load(), "the phone's")

		var secrets sync.Map
		race(t, ss, func(i int, s store.Store) (bool, error) {
			got, err := s.Secret(ctx, "button", []byte(fmt.Sprint("key", i)))
			secrets.Store(string(got), true)
			return false, err
		})
		n := 0
		secrets.Range(func(any, any) bool { n++; return true })
		assert.Equal(t, 1, n, "one secret kept, read by all")

		require.NoError(t, ss[0].PutPending(ctx, "K", "U", []byte("card"), time.Minute))
		assert.Equal(t, 1, race(t, ss, func(_ int, s store.Store) (bool, error) {
			_, ok, err := s.TakePending(ctx, "K", "U")
			return ok, err
		}), "one card taken")

		require.NoError(t, ss[0].SaveFollow(ctx, store.Follow{Post: "P", Meeting: "M",
			Calls: []store.Call{{Person: "0", State: "ringing"}}}, time.Hour))
		assert.Equal(t, 1, race(t, ss, func(_ int, s store.Store) (bool, error) {
			return s.SetCallState(ctx, "P", "0", "ringing", "missed")
		}), "one call state change")
		assert.Equal(t, 1, race(t, ss, func(_ int, s store.Store) (bool, error) {
			return s.FinishFollow(ctx, "P")
		}), "one finish")
		assert.Equal(t, 1, race(t, ss, func(i int, s store.Store) (bool, error) {
			return s.ReopenFollow(ctx, "P", []byte(fmt.Sprint("again", i)))
		}), "one reopening")

		assert.Equal(t, 1, race(t, ss, func(i int, s store.Store) (bool, error) {
			return s.AcquireLease(ctx, "M", fmt.Sprint("replica", i), time.Minute)
		}), "one lease holder")
		assert.Equal(t, 1, race(t, ss, func(i int, s store.Store) (bool, error) {
			return s.EnqueueMissed(ctx, store.Missed{ID: "P/0", UserID: "U"}, time.Hour)
		}), "one message enqueued")
	})
}

// TestRacesShareOut: racers taking from a common pool each get distinct
// items, and every item goes to exactly one.
func TestRacesShareOut(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend, url string) {
		c := newClock()
		ss := stores(t, b, url, c)
		ctx := t.Context()
		const posts, messages, requests = 5, 40, 20
		for i := range posts {
			require.NoError(t, ss[0].SaveFollow(ctx, store.Follow{Post: fmt.Sprint("P", i), Meeting: "M"}, time.Hour))
		}
		for i := range messages {
			_, err := ss[0].EnqueueMissed(ctx, store.Missed{ID: fmt.Sprintf("m%02d", i), UserID: "U"}, time.Hour)
			require.NoError(t, err)
		}
		for i := range requests {
			_, err := beginRequest(ctx, ss[0], store.Request{ID: fmt.Sprintf("r%02d", i)}, "dead", time.Second, time.Hour)
			require.NoError(t, err)
		}
		c.Add(time.Second)

		var (
			mu      sync.Mutex
			edited  = map[string]int{}
			claimed = map[string]int{}
			adopted = map[string]int{}
		)
		race(t, ss, func(i int, s store.Store) (bool, error) {
			fs, err := s.EndMeeting(ctx, "M")
			if err != nil {
				return false, err
			}
			owner := fmt.Sprint("replica", i)
			rs, err := s.ClaimOrphans(ctx, owner, 2, time.Minute)
			if err != nil {
				return false, err
			}
			mu.Lock()
			for _, r := range rs {
				adopted[r.ID]++
			}
			mu.Unlock()
			for {
				ms, err := s.ClaimMissed(ctx, owner, 3, time.Minute)
				if err != nil || len(ms) == 0 {
					mu.Lock()
					for _, f := range fs {
						edited[f.Post]++
					}
					mu.Unlock()
					return false, err
				}
				for _, m := range ms {
					sent, err := s.MarkMissedSent(ctx, m.ID, owner)
					if !assert.NoError(t, err) || !assert.True(t, sent, m.ID) {
						continue
					}
					mu.Lock()
					claimed[m.ID]++
					mu.Unlock()
				}
			}
		})
		assert.Len(t, adopted, min(requests, 2*racers))
		for id, n := range adopted {
			assert.Equal(t, 1, n, "request %s taken over by one", id)
		}
		assert.Len(t, edited, posts)
		for p, n := range edited {
			assert.Equal(t, 1, n, "post %s edited by one", p)
		}
		assert.Len(t, claimed, messages)
		for id, n := range claimed {
			assert.Equal(t, 1, n, "message %s sent by one", id)
		}
	})
}

// TestOpenTogether: replicas starting at once on a new database each apply
// the migrations, or find them applied; none fails.
func TestOpenTogether(t *testing.T) {
	t.Parallel()
	forSharedBackends(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		var mu sync.Mutex
		var opened []store.Store
		race(t, make([]store.Store, 1), func(i int, _ store.Store) (bool, error) {
			s, err := store.Open(t.Context(), url, store.WithClock(c.Now))
			if err == nil {
				mu.Lock()
				opened = append(opened, s)
				mu.Unlock()
			}
			return false, err
		})
		t.Cleanup(func() {
			for _, s := range opened {
				_ = s.Close()
			}
		})
		require.Len(t, opened, racers)
		ok, err := firstDelivery(t.Context(), opened[0], "E", time.Minute)
		require.NoError(t, err)
		assert.True(t, ok, "the schema is there")
	})
}
