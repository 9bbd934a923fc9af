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
		const lease = 15 * time.Second
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

		set, err := s.SetCall(ctx, "M1", "A", "R1", nil, lease)
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
		const lease = 15 * time.Second

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
		set, err := s.SetCall(ctx, "M1", "B", "RB", nil, lease)
		require.NoError(t, err)
		assert.False(t, set, "B's call came too late: B ends it")
		require.NoError(t, s.DropCall(ctx, "M1", "B"))
		set, err = s.SetCall(ctx, "M1", "C", "RC", nil, lease)
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
		const lease = 15 * time.Second

		ended, err := s.EndCall(ctx, "M1")
		require.NoError(t, err)
		assert.Empty(t, ended, "nothing registered yet")
		set, err := s.SetCall(ctx, "M1", "A", "R1", nil, lease)
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
		const lease = 15 * time.Second
		_, _, err := ss[0].TakeCall(ctx, "M2", "A", time.Minute, time.Hour)
		require.NoError(t, err)
		set, err := ss[0].SetCall(ctx, "M2", "A", "R2", nil, lease)
		require.NoError(t, err)
		require.True(t, set)
		assert.Equal(t, 1, race(t, ss, func(_ int, s store.Store) (bool, error) {
			id, err := s.EndCall(ctx, "M2")
			return id == "R2", err
		}), "one ends it")
	})
}

// register takes and registers meeting's call as owner, who then holds it.
func register(t *testing.T, s store.Store, meeting, owner, id string, payload []byte, ttl, lease time.Duration) {
	t.Helper()
	_, mine, err := s.TakeCall(t.Context(), meeting, owner, time.Minute, ttl)
	require.NoError(t, err)
	require.True(t, mine)
	set, err := s.SetCall(t.Context(), meeting, owner, id, payload, lease)
	require.NoError(t, err)
	require.True(t, set)
}

func TestASlackCallIsHeldByOneProcessAndAdoptedWhenItsHolderIsGone(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		s := open(t, url, c)
		ctx := t.Context()
		const ttl, lease = 25 * time.Hour, 15 * time.Second
		registeredAt := c.Now()
		hold := func(id, owner string) bool {
			t.Helper()
			until, held, err := s.HoldCall(ctx, "M1", id, owner, lease)
			require.NoError(t, err)
			if held {
				assert.True(t, until.Equal(registeredAt.Add(ttl)), "its time: until %v", until)
			}
			return held
		}
		lapsed := func() []store.SlackCall {
			t.Helper()
			cs, err := s.LapsedCalls(ctx, 10)
			require.NoError(t, err)
			return cs
		}

		register(t, s, "M1", "A", "R1", []byte(`{"p":1}`), ttl, lease)
		assert.Empty(t, lapsed(), "its registrar holds it")
		assert.False(t, hold("R1", "B"), "nobody else feeds it meanwhile")
		c.Add(lease - time.Second)
		assert.True(t, hold("R1", "A"), "its holder renews")

		c.Add(lease) // A stopped renewing: it died
		cs := lapsed()
		require.Len(t, cs, 1)
		assert.Equal(t, store.SlackCall{Meeting: "M1", ID: "R1", Payload: []byte(`{"p":1}`), Until: cs[0].Until}, cs[0])
		assert.True(t, registeredAt.Add(ttl).Equal(cs[0].Until), "until %v", cs[0].Until)
		assert.True(t, hold("R1", "B"), "adopted")
		assert.False(t, hold("R1", "A"), "A, back, finds it taken")
		assert.False(t, hold("R1", "C"))
		assert.Empty(t, lapsed())

		require.NoError(t, s.ReleaseCall(ctx, "M1", "A"), "A holds nothing: nothing happens")
		assert.Empty(t, lapsed())
		require.NoError(t, s.ReleaseCall(ctx, "M1", "B"), "B stops")
		assert.Len(t, lapsed(), 1, "given back: adopted at once")
		assert.False(t, hold("R0", "C"), "another call of the meeting's room is not this one")
		assert.True(t, hold("R1", "C"))

		ended, err := s.EndCall(ctx, "M1")
		require.NoError(t, err)
		assert.Equal(t, "R1", ended)
		assert.False(t, hold("R1", "C"), "an ended call is held by nobody")
		assert.Empty(t, lapsed())

		register(t, s, "M2", "A", "R2", nil, time.Hour, lease)
		c.Add(time.Hour)
		assert.Empty(t, lapsed(), "past its time it is not adopted")
		assert.False(t, hold("R2", "A"))
	})
}

// A call registered before leases existed (migration 0005) has no holder:
// the first process to look adopts it.
func TestASlackCallOfAnEarlierVersionIsAdopted(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		s := open(t, url, c)
		ctx := t.Context()
		require.NoError(t, store.Exec(ctx, s, `INSERT INTO slack_calls (meeting, call_id, owner, claimed_until, expires_at)
			VALUES (?, ?, ?, ?, ?)`, "M1", "R1", "old", c.Now().UnixMilli(), c.Now().Add(time.Hour).UnixMilli()))
		cs, err := s.LapsedCalls(ctx, 10)
		require.NoError(t, err)
		require.Len(t, cs, 1)
		assert.Equal(t, "R1", cs[0].ID)
		assert.Empty(t, cs[0].Payload)
		_, held, err := s.HoldCall(ctx, "M1", "R1", "B", time.Minute)
		require.NoError(t, err)
		assert.True(t, held)
	})
}

func TestASlackCallsPeople(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		s := open(t, url, c)
		ctx := t.Context()
		register(t, s, "M1", "A", "R1", nil, time.Hour, time.Minute)
		people := func(id string) []store.CallPerson {
			t.Helper()
			ps, err := s.CallPeople(ctx, id)
			require.NoError(t, err)
			return ps
		}

		require.NoError(t, s.AddCallPeople(ctx, "R1", []store.CallPerson{{ID: "UALICE", Payload: []byte("a")}, {ID: "UBOB", Payload: []byte("b")}}))
		require.NoError(t, s.ShowCallPerson(ctx, "R1", "UALICE", true))
		c.Add(time.Second)
		require.NoError(t, s.AddCallPeople(ctx, "R1", []store.CallPerson{{ID: "UALICE", Payload: []byte("a2")}, {ID: "UCAROL"}}),
			"another invitation names Alice again")
		require.NoError(t, s.AddCallPeople(ctx, "R1", nil))
		assert.Equal(t, []store.CallPerson{
			{ID: "UALICE", Payload: []byte("a"), Shown: true},
			{ID: "UBOB", Payload: []byte("b")},
			{ID: "UCAROL"},
		}, people("R1"), "those known are left as they are")
		require.NoError(t, s.ShowCallPerson(ctx, "R1", "UALICE", false))
		assert.False(t, people("R1")[0].Shown)

		_, err := s.EndCall(ctx, "M1")
		require.NoError(t, err)
		assert.Empty(t, people("R1"), "forgotten with the call")

		register(t, s, "M2", "A", "R2", nil, time.Hour, time.Minute)
		require.NoError(t, s.AddCallPeople(ctx, "R2", []store.CallPerson{{ID: "UALICE"}}))
		c.Add(time.Hour)
		n, err := s.Prune(ctx)
		require.NoError(t, err)
		assert.EqualValues(t, 2, n, "the call and its person")
		assert.Empty(t, people("R2"))
	})
}

func TestRacesToAdoptASlackCall(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend, url string) {
		c := newClock()
		ss := stores(t, b, url, c)
		ctx := t.Context()
		register(t, ss[0], "M", "A", "R", nil, time.Hour, time.Minute)
		c.Add(time.Minute)
		assert.Equal(t, 1, race(t, ss, func(i int, s store.Store) (bool, error) {
			_, held, err := s.HoldCall(ctx, "M", "R", fmt.Sprint("owner", i), time.Minute)
			return held, err
		}), "one adopter")
	})
}
