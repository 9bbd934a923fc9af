package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/store"
)

func TestSlackCallIsRegisteredOnceAndEndedOnce(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		s := open(t, url, c)
		ctx := t.Context()
		const hold, ttl = 10 * time.Second, 12 * time.Hour
		take := func(owner string) (string, bool) {
			t.Helper()
			id, mine, err := s.TakeCall(ctx, "M1", owner, hold, ttl)
			require.NoError(t, err)
			return id, mine
		}

		id, mine := take("A")
		assert.True(t, mine, "the first to ask registers the call")
		assert.Empty(t, id)
		id, mine = take("B")
		assert.False(t, mine, "while A registers it, nobody else does")
		assert.Empty(t, id, "and there is no call to show yet")

		set, err := s.SetCall(ctx, "M1", "A", "R1")
		require.NoError(t, err)
		assert.True(t, set)
		id, mine = take("B")
		assert.Equal(t, "R1", id, "once registered, everyone shows it")
		assert.False(t, mine)

		ended, err := s.EndCall(ctx, "M1")
		require.NoError(t, err)
		assert.Equal(t, "R1", ended)
		ended, err = s.EndCall(ctx, "M1")
		require.NoError(t, err)
		assert.Empty(t, ended, "ended once")

		_, mine = take("B")
		assert.True(t, mine, "a meeting held again in its room gets a call of its own")
	})
}

func TestSlackCallClaimsLapseAndAreGivenBack(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		s := open(t, url, c)
		ctx := t.Context()
		const hold, ttl = 10 * time.Second, time.Hour

		_, mine, err := s.TakeCall(ctx, "M1", "A", hold, ttl)
		require.NoError(t, err)
		require.True(t, mine)
		require.NoError(t, s.DropCall(ctx, "M1", "A"), "Slack refused it")
		_, mine, err = s.TakeCall(ctx, "M1", "B", hold, ttl)
		require.NoError(t, err)
		assert.True(t, mine, "given back: the next may try")

		c.Add(hold) // B died while registering
		_, mine, err = s.TakeCall(ctx, "M1", "C", hold, ttl)
		require.NoError(t, err)
		assert.True(t, mine, "a lapsed claim is taken over")
		set, err := s.SetCall(ctx, "M1", "B", "RB")
		require.NoError(t, err)
		assert.False(t, set, "B's call came too late: B ends it")
		require.NoError(t, s.DropCall(ctx, "M1", "B"))
		set, err = s.SetCall(ctx, "M1", "C", "RC")
		require.NoError(t, err)
		assert.True(t, set, "B gave back nothing of C's")

		c.Add(ttl)
		id, mine, err := s.TakeCall(ctx, "M1", "D", hold, ttl)
		require.NoError(t, err)
		assert.True(t, mine, "a call kept past its time is forgotten")
		assert.Empty(t, id)
	})
}

func TestSlackCallEndedWhileBeingRegistered(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ backend, url string) {
		s := open(t, url, newClock())
		ctx := t.Context()
		_, mine, err := s.TakeCall(ctx, "M1", "A", time.Minute, time.Hour)
		require.NoError(t, err)
		require.True(t, mine)

		ended, err := s.EndCall(ctx, "M1")
		require.NoError(t, err)
		assert.Empty(t, ended, "nothing registered yet")
		set, err := s.SetCall(ctx, "M1", "A", "R1")
		require.NoError(t, err)
		assert.False(t, set, "the meeting ended meanwhile: the registrar ends its call")
	})
}

func TestRacesForASlackCall(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend, url string) {
		c := newClock()
		ss := stores(t, b, url, c)
		ctx := t.Context()
		assert.Equal(t, 1, race(t, ss, func(i int, s store.Store) (bool, error) {
			_, mine, err := s.TakeCall(ctx, "M", fmt.Sprint("owner", i), time.Minute, time.Hour)
			return mine, err
		}), "one registrar")
		_, _, err := ss[0].TakeCall(ctx, "M2", "A", time.Minute, time.Hour)
		require.NoError(t, err)
		set, err := ss[0].SetCall(ctx, "M2", "A", "R2")
		require.NoError(t, err)
		require.True(t, set)
		assert.Equal(t, 1, race(t, ss, func(_ int, s store.Store) (bool, error) {
			id, err := s.EndCall(ctx, "M2")
			return id == "R2", err
		}), "one ends it")
	})
}
