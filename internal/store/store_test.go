package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/store"
)

// The conformance suite: every test runs against each backend.

func TestFirstDelivery(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		s := open(t, url, c)
		ctx := t.Context()
		first := func(id string) bool {
			t.Helper()
			ok, err := firstDelivery(ctx, s, id, 10*time.Minute)
			require.NoError(t, err)
			return ok
		}
		assert.True(t, first("E1"))
		assert.False(t, first("E1"), "a redelivery")
		assert.True(t, first("E2"), "another envelope")
		c.Add(10*time.Minute - time.Millisecond)
		assert.False(t, first("E1"), "still remembered just before its time")
		c.Add(time.Millisecond)
		assert.True(t, first("E1"), "forgotten once its time is up")
		assert.False(t, first("E1"))
	})
}

func TestFirstDeliveries(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		s := open(t, url, c)
		ctx := t.Context()
		first := func(ids ...string) map[string]bool {
			t.Helper()
			got, err := s.FirstDeliveries(ctx, ids, 10*time.Minute)
			require.NoError(t, err)
			return got
		}
		assert.Empty(t, first())
		ok, err := firstDelivery(ctx, s, "E1", 10*time.Minute)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, map[string]bool{"E2": true, "E3": true}, first("E1", "E2", "E3", "E2"),
			"E1 was seen one at a time; E2, given twice, counts once")
		assert.Empty(t, first("E1", "E2", "E3"), "all redeliveries")
		c.Add(10*time.Minute - time.Millisecond)
		assert.Equal(t, map[string]bool{"E4": true}, first("E3", "E4"), "E3 still remembered just before its time")
		c.Add(time.Millisecond)
		assert.Equal(t, map[string]bool{"E1": true, "E2": true, "E3": true}, first("E1", "E2", "E3", "E4"),
			"forgotten once their time is up; E4 is not")
		ok, err = firstDelivery(ctx, s, "E1", 10*time.Minute)
		require.NoError(t, err)
		assert.False(t, ok, "one at a time sees the batch's")
	})
}

func TestReserve(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		s := open(t, url, c)
		ctx := t.Context()
		const ttl = 2 * time.Minute
		reserve := reserver(t, s, ttl)
		reserved := func(meeting, number string) bool {
			t.Helper()
			ok, err := s.NumberReserved(ctx, meeting, number)
			require.NoError(t, err)
			return ok
		}
		alice := store.Reservation{Meeting: "M1", Holder: "req1", Person: "UALICE", Numbers: []string{"+861", "sip1", "+861"}}
		require.True(t, reserve(alice))
		assert.True(t, reserved("M1", "+861"))
		assert.True(t, reserved("M1", "sip1"))
		assert.False(t, reserved("M2", "+861"), "another meeting")

		// Same person by another number: refused, and nothing of it is kept.
		assert.False(t, reserve(store.Reservation{Meeting: "M1", Holder: "req2", Person: "UALICE", Numbers: []string{"+862"}}))
		assert.False(t, reserved("M1", "+862"), "all or nothing")
		// Another person (or a typed number) on a number being called: refused.
		assert.False(t, reserve(store.Reservation{Meeting: "M1", Holder: "req2", Person: "UBOB", Numbers: []string{"+863", "sip1"}}))
		assert.False(t, reserve(store.Reservation{Meeting: "M1", Holder: "req2", Numbers: []string{"+861"}}))
		assert.True(t, reserve(store.Reservation{Meeting: "M1", Holder: "req2", Person: "UBOB", Numbers: []string{"+863"}}),
			"UBOB's own keys were not kept by the refused attempt")
		assert.False(t, reserve(alice), "the holder itself cannot reserve twice")
		assert.True(t, reserve(store.Reservation{Meeting: "M2", Holder: "req3", Person: "UALICE", Numbers: []string{"+861"}}),
			"another meeting")

		held, err := s.HeldBy(ctx, "req1")
		require.NoError(t, err)
		assert.Equal(t, 3, held, "UALICE, +861 and sip1")
		held, err = s.HeldBy(ctx, "req9")
		require.NoError(t, err)
		assert.Zero(t, held)

		// Only the holder releases.
		require.NoError(t, s.Release(ctx, store.Reservation{Meeting: "M1", Holder: "req2", Person: "UALICE", Numbers: []string{"+861", "sip1"}}))
		assert.True(t, reserved("M1", "+861"))
		require.NoError(t, s.Release(ctx, alice))
		assert.False(t, reserved("M1", "+861"))
		assert.True(t, reserve(store.Reservation{Meeting: "M1", Holder: "req4", Person: "UALICE", Numbers: []string{"+861"}}))

		// Expiry.
		c.Add(ttl)
		assert.False(t, reserved("M1", "+861"))
		assert.True(t, reserve(store.Reservation{Meeting: "M1", Holder: "req5", Person: "UALICE", Numbers: []string{"+861"}}))

		_, err = s.Reserve(ctx, store.Reservation{Meeting: "M1", Holder: "req6"}, ttl)
		assert.Error(t, err, "a reservation of nobody")
	})
}

// reserver reserves on s for ttl, and reports whether it did.
func reserver(t *testing.T, s store.Store, ttl time.Duration) func(store.Reservation) bool {
	return func(r store.Reservation) bool {
		t.Helper()
		ok, err := s.Reserve(t.Context(), r, ttl)
		require.NoError(t, err)
		return ok
	}
}

// A hold passes from one holder to another whole, or not at all: a phone
// rung in place of the person's call in the app.
func TestTakeOver(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		s := open(t, url, c)
		ctx := t.Context()
		const ttl = 2 * time.Minute
		reserve := reserver(t, s, ttl)
		takeOver := func(r store.Reservation, from string) (ok, held bool) {
			t.Helper()
			ok, held, err := s.TakeOver(ctx, r, from, ttl)
			require.NoError(t, err)
			return ok, held
		}
		heldBy := func(holder string) int {
			t.Helper()
			n, err := s.HeldBy(ctx, holder)
			require.NoError(t, err)
			return n
		}
		app := store.Reservation{Meeting: "M1", Holder: "req1", Person: "UALICE", Numbers: []string{"sip1", "+861"}}
		phone := store.Reservation{Meeting: "M1", Holder: "req1/phone", Person: "UALICE", Numbers: []string{"+861", "sip1"}}
		require.True(t, reserve(app))

		c.Add(time.Minute)
		ok, held := takeOver(phone, "req1")
		require.True(t, ok)
		assert.True(t, held, "the app call's hold passed on")
		assert.Zero(t, heldBy("req1"))
		assert.Equal(t, 3, heldBy("req1/phone"))
		require.NoError(t, s.Release(ctx, app), "the app call's end, seen late")
		assert.Equal(t, 3, heldBy("req1/phone"), "does not lift the phone's hold")
		assert.False(t, reserve(store.Reservation{Meeting: "M1", Holder: "req2", Person: "UALICE"}))
		c.Add(time.Minute + time.Second)
		assert.Equal(t, 3, heldBy("req1/phone"), "held for its own ttl, from the take-over")

		ok, _ = takeOver(phone, "req1")
		assert.False(t, ok, "the holder itself cannot take twice")

		// Given back (the phone was not rung), the keys pass back.
		ok, held = takeOver(app, "req1/phone")
		require.True(t, ok)
		assert.True(t, held)
		assert.Equal(t, 3, heldBy("req1"))

		// Free keys are taken too; held says from held none.
		require.NoError(t, s.Release(ctx, app))
		ok, held = takeOver(phone, "req1")
		require.True(t, ok)
		assert.False(t, held, "nothing of req1's was left")
		require.NoError(t, s.Release(ctx, phone))

		// Anyone else's key refuses the whole, and nothing changes.
		require.True(t, reserve(app))
		require.True(t, reserve(store.Reservation{Meeting: "M1", Holder: "dan", Numbers: []string{"+862"}}))
		ok, held = takeOver(store.Reservation{Meeting: "M1", Holder: "req1/phone", Person: "UALICE", Numbers: []string{"+862", "sip1"}}, "req1")
		assert.False(t, ok)
		assert.False(t, held)
		assert.Equal(t, 3, heldBy("req1"), "the app call keeps its hold")
		assert.Zero(t, heldBy("req1/phone"))
		assert.Equal(t, 1, heldBy("dan"))

		// Expired keys are free.
		c.Add(ttl)
		ok, held = takeOver(phone, "req9")
		assert.True(t, ok)
		assert.False(t, held)

		_, _, err := s.TakeOver(ctx, store.Reservation{Meeting: "M1", Holder: "x"}, "req1", ttl)
		assert.Error(t, err, "a reservation of nobody")
	})
}

// A secret is made once and kept: every caller, and every later opening
// of a shared database, gets the first one kept.
func TestSecret(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend, url string) {
		c := newClock()
		s := open(t, url, c)
		ctx := t.Context()
		got, err := s.Secret(ctx, "button", []byte("first"))
		require.NoError(t, err)
		assert.Equal(t, []byte("first"), got)
		got, err = s.Secret(ctx, "button", []byte("second"))
		require.NoError(t, err)
		assert.Equal(t, []byte("first"), got, "kept")
		got, err = s.Secret(ctx, "other", []byte("another"))
		require.NoError(t, err)
		assert.Equal(t, []byte("another"), got, "one per name")

		c.Add(365 * 24 * time.Hour)
		_, err = s.Prune(ctx)
		require.NoError(t, err)
		got, err = s.Secret(ctx, "button", []byte("third"))
		require.NoError(t, err)
		assert.Equal(t, []byte("first"), got, "never pruned")
		if b.shared {
			got, err = open(t, url, c).Secret(ctx, "button", []byte("fourth"))
			require.NoError(t, err)
			assert.Equal(t, []byte("first"), got, "another process, or a restart, reads it")
		}
	})
}

func TestPending(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		s := open(t, url, c)
		ctx := t.Context()
		const ttl = 30 * time.Minute
		require.NoError(t, s.PutPending(ctx, "k1", "UALICE", []byte(`{"n":1}`), ttl))
		require.ErrorIs(t, s.PutPending(ctx, "k1", "UBOB", []byte(`{}`), ttl), store.ErrExists)

		_, ok, err := s.TakePending(ctx, "k1", "UBOB")
		require.NoError(t, err)
		assert.False(t, ok, "someone else's card")
		got, ok, err := s.TakePending(ctx, "k1", "UALICE")
		require.NoError(t, err)
		require.True(t, ok, "the card stays when someone else presses it")
		assert.JSONEq(t, `{"n":1}`, string(got))
		_, ok, err = s.TakePending(ctx, "k1", "UALICE")
		require.NoError(t, err)
		assert.False(t, ok, "taken once")

		require.NoError(t, s.PutPending(ctx, "k2", "UALICE", nil, ttl))
		c.Add(ttl)
		_, ok, err = s.TakePending(ctx, "k2", "UALICE")
		require.NoError(t, err)
		assert.False(t, ok, "expired")
		require.NoError(t, s.PutPending(ctx, "k2", "UBOB", []byte("x"), ttl), "an expired key may be used again")
		got, ok, err = s.TakePending(ctx, "k2", "UBOB")
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, "x", string(got))
	})
}

func TestFollows(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		s := open(t, url, c)
		ctx := t.Context()
		const ttl = 12 * time.Hour
		p1 := store.Follow{Post: "C1/1.0", Meeting: "M1", Payload: []byte(`{"p":1}`),
			Calls: []store.Call{{Person: "0", State: "ringing"}, {Person: "1", State: "ringing"}, {Person: "2", State: "none"}}}
		p2 := store.Follow{Post: "C1/2.0", Meeting: "M1", Payload: []byte(`{"p":2}`)}
		p3 := store.Follow{Post: "C2/3.0", Meeting: "M2", Payload: []byte(`{"p":3}`), Calls: []store.Call{{Person: "0", State: "ringing"}}}
		require.NoError(t, s.SaveFollow(ctx, p1, ttl))
		c.Add(time.Second)
		require.NoError(t, s.SaveFollow(ctx, p2, ttl))
		c.Add(time.Second)
		require.NoError(t, s.SaveFollow(ctx, p3, time.Hour))

		unfinished := func() []store.Follow {
			t.Helper()
			fs, err := s.UnfinishedFollows(ctx)
			require.NoError(t, err)
			return fs
		}
		assert.Equal(t, []store.Follow{p1, p2, p3}, unfinished(), "oldest first, calls in order")

		moved, err := s.SetCallState(ctx, "C1/1.0", "1", "ringing", "missed")
		require.NoError(t, err)
		assert.True(t, moved)
		moved, err = s.SetCallState(ctx, "C1/1.0", "1", "ringing", "joined")
		require.NoError(t, err)
		assert.False(t, moved, "no longer ringing")
		p1.Calls[1].State = "missed"
		assert.Equal(t, p1, unfinished()[0])

		done, err := s.FinishFollow(ctx, "C1/1.0")
		require.NoError(t, err)
		assert.True(t, done)
		done, err = s.FinishFollow(ctx, "C1/1.0")
		require.NoError(t, err)
		assert.False(t, done, "finished once")
		assert.Equal(t, []store.Follow{p2, p3}, unfinished())

		ended, err := s.EndMeeting(ctx, "M1")
		require.NoError(t, err)
		assert.Equal(t, []store.Follow{p1, p2}, ended, "finished posts too: their buttons go")
		ended, err = s.EndMeeting(ctx, "M1")
		require.NoError(t, err)
		assert.Empty(t, ended, "each post once")

		c.Add(time.Hour)
		assert.Equal(t, []store.Follow{p2}, unfinished(), "p3 expired")
		ended, err = s.EndMeeting(ctx, "M2")
		require.NoError(t, err)
		assert.Empty(t, ended, "expired posts are not edited")

		// Saving again replaces the payload and the calls.
		p2.Payload, p2.Calls = []byte(`{"p":22}`), []store.Call{{Person: "9", State: "ringing"}}
		require.NoError(t, s.SaveFollow(ctx, p2, ttl))
		assert.Equal(t, []store.Follow{p2}, unfinished())

		load := func(post string) (store.SavedFollow, bool) {
			t.Helper()
			f, ok, err := s.LoadFollow(ctx, post)
			require.NoError(t, err)
			return f, ok
		}
		got, ok := load("C1/1.0")
		require.True(t, ok)
		assert.Equal(t, store.SavedFollow{Follow: p1, Finished: true, Ended: true}, got, "finished and ended posts are found too")
		got, ok = load("C1/2.0")
		require.True(t, ok)
		assert.Equal(t, store.SavedFollow{Follow: p2, Ended: true}, got)
		_, ok = load("C2/3.0")
		assert.False(t, ok, "expired")
		_, ok = load("C9/9.9")
		assert.False(t, ok, "never saved")
	})
}

// A finished post is reopened once, with its new payload, unless its
// meeting ended; then it is followed (and finished) again.
func TestReopenFollow(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		s := open(t, url, c)
		ctx := t.Context()
		reopen := func(post, payload string) bool {
			t.Helper()
			ok, err := s.ReopenFollow(ctx, post, []byte(payload))
			require.NoError(t, err)
			return ok
		}
		p1 := store.Follow{Post: "C1/1.0", Meeting: "M1", Payload: []byte(`{"p":1}`), Calls: []store.Call{{Person: "0", State: "missed"}}}
		p2 := store.Follow{Post: "C1/2.0", Meeting: "M2", Payload: []byte(`{"p":2}`)}
		require.NoError(t, s.SaveFollow(ctx, p1, time.Hour))
		require.NoError(t, s.SaveFollow(ctx, p2, time.Hour))
		assert.False(t, reopen("C1/1.0", `{"p":11}`), "not finished")
		for _, p := range []string{"C1/1.0", "C1/2.0"} {
			_, err := s.FinishFollow(ctx, p)
			require.NoError(t, err)
		}

		assert.True(t, reopen("C1/1.0", `{"p":11}`))
		assert.False(t, reopen("C1/1.0", `{"p":12}`), "reopened once")
		p1.Payload = []byte(`{"p":11}`)
		fs, err := s.UnfinishedFollows(ctx)
		require.NoError(t, err)
		assert.Equal(t, []store.Follow{p1}, fs, "followed again, with its calls as they were")
		done, err := s.FinishFollow(ctx, "C1/1.0")
		require.NoError(t, err)
		assert.True(t, done, "and finished again")

		_, err = s.EndMeeting(ctx, "M2")
		require.NoError(t, err)
		assert.False(t, reopen("C1/2.0", `{"p":22}`), "its meeting ended")
		c.Add(time.Hour)
		assert.False(t, reopen("C1/1.0", `{"p":13}`), "expired")
		assert.False(t, reopen("C9/9.9", `{}`), "never saved")
	})
}

func TestMissedCalls(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		s := open(t, url, c)
		ctx := t.Context()
		const ttl, hold = time.Hour, time.Minute
		m1 := store.Missed{ID: "C1/1.0/0", UserID: "UALICE", Payload: []byte(`{"m":1}`)}
		m2 := store.Missed{ID: "C1/1.0/1", UserID: "UBOB", Payload: []byte(`{"m":2}`)}
		added, err := s.EnqueueMissed(ctx, m1, ttl)
		require.NoError(t, err)
		assert.True(t, added)
		added, err = s.EnqueueMissed(ctx, m1, ttl)
		require.NoError(t, err)
		assert.False(t, added, "enqueued once")
		c.Add(time.Millisecond)
		_, err = s.EnqueueMissed(ctx, m2, ttl)
		require.NoError(t, err)

		claim := func(owner string, limit int) []store.Missed {
			t.Helper()
			ms, err := s.ClaimMissed(ctx, owner, limit, hold)
			require.NoError(t, err)
			return ms
		}
		mark := func(id, owner string) bool {
			t.Helper()
			ok, err := s.MarkMissedSent(ctx, id, owner)
			require.NoError(t, err)
			return ok
		}
		assert.Equal(t, []store.Missed{m1}, claim("A", 1), "oldest first, up to the limit")
		assert.Equal(t, []store.Missed{m2}, claim("B", 5), "what A holds is not offered")
		assert.Empty(t, claim("C", 5))
		assert.False(t, mark(m1.ID, "B"), "B does not hold m1")
		assert.True(t, mark(m1.ID, "A"))
		assert.False(t, mark(m1.ID, "A"), "sent once")

		// B dies holding m2: when its claim lapses, C takes it over.
		c.Add(hold)
		assert.Equal(t, []store.Missed{m2}, claim("C", 5), "m1 is sent; m2's claim lapsed")
		assert.False(t, mark(m2.ID, "B"), "B's claim was taken over")
		assert.True(t, mark(m2.ID, "C"))
		c.Add(hold)
		assert.Empty(t, claim("A", 5), "nothing left to send")

		_, err = s.EnqueueMissed(ctx, store.Missed{ID: "late", UserID: "U"}, ttl)
		require.NoError(t, err)
		c.Add(ttl)
		assert.Empty(t, claim("A", 5), "too late to send")
	})
}

func TestLeases(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		s := open(t, url, c)
		ctx := t.Context()
		const ttl = 30 * time.Second
		acquire := func(meeting, owner string) bool {
			t.Helper()
			ok, err := s.AcquireLease(ctx, meeting, owner, ttl)
			require.NoError(t, err)
			return ok
		}
		renew := func(meeting, owner string) bool {
			t.Helper()
			kept, err := s.RenewLeases(ctx, []string{meeting}, owner, ttl)
			require.NoError(t, err)
			return kept[meeting]
		}
		assert.True(t, acquire("M1", "A"))
		assert.False(t, acquire("M1", "B"))
		assert.True(t, acquire("M2", "B"), "another meeting")
		assert.True(t, acquire("M1", "A"), "its own lease")
		c.Add(ttl - time.Second)
		assert.True(t, renew("M1", "A"))
		c.Add(ttl - time.Second)
		assert.False(t, acquire("M1", "B"), "renewed")
		assert.False(t, renew("M1", "B"), "not B's")

		c.Add(time.Second) // A stopped renewing: the lease lapses
		assert.True(t, acquire("M1", "B"), "taken over")
		assert.False(t, renew("M1", "A"), "A learns it lost the lease")
		require.NoError(t, s.ReleaseLease(ctx, "M1", "A"))
		assert.False(t, acquire("M1", "A"), "A's release did not free B's lease")
		require.NoError(t, s.ReleaseLease(ctx, "M1", "B"))
		assert.True(t, acquire("M1", "A"))

		// Many at once, in one call: those held are renewed, the rest named.
		var many []string
		for i := range 1200 { // more than one statement's worth
			m := fmt.Sprintf("P%04d", i)
			many = append(many, m)
			require.True(t, acquire(m, "A"))
		}
		require.True(t, acquire("PB", "B"))
		c.Add(ttl - time.Second)
		kept, err := s.RenewLeases(ctx, append(many, "PB", "PNONE"), "A", ttl)
		require.NoError(t, err)
		assert.Len(t, kept, len(many), "every lease A holds, and only those")
		assert.False(t, kept["PB"], "B's")
		assert.False(t, kept["PNONE"], "nobody's")
		c.Add(ttl - time.Second)
		assert.False(t, acquire(many[0], "B"), "renewed")
		assert.False(t, acquire(many[len(many)-1], "B"), "renewed, in the last statement too")
		kept, err = s.RenewLeases(ctx, nil, "A", ttl)
		require.NoError(t, err)
		assert.Empty(t, kept)
	})
}

func TestPrune(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		s := open(t, url, c)
		ctx := t.Context()
		short, long := time.Minute, time.Hour
		// One row of each kind that expires, one that stays.
		for i, ttl := range []time.Duration{short, long} {
			id := string(rune('a' + i))
			_, err := firstDelivery(ctx, s, id, ttl)
			require.NoError(t, err)
			_, err = s.Reserve(ctx, store.Reservation{Meeting: "M", Holder: "h", Person: id, Numbers: []string{"+" + id}}, ttl) // 2 rows
			require.NoError(t, err)
			require.NoError(t, s.PutPending(ctx, id, "U", nil, ttl))
			require.NoError(t, s.SaveFollow(ctx, store.Follow{Post: id, Meeting: "M", Calls: []store.Call{{Person: "0", State: "ringing"}}}, ttl)) // 2 rows
			_, err = s.EnqueueMissed(ctx, store.Missed{ID: id, UserID: "U"}, ttl)
			require.NoError(t, err)
			_, err = s.AcquireLease(ctx, id, "A", ttl)
			require.NoError(t, err)
			_, err = beginRequest(ctx, s, store.Request{ID: id}, "A", time.Second, ttl)
			require.NoError(t, err)
		}
		n, err := s.Prune(ctx)
		require.NoError(t, err)
		assert.Zero(t, n, "nothing has expired yet")

		c.Add(short)
		n, err = s.Prune(ctx)
		require.NoError(t, err)
		assert.EqualValues(t, 9, n, "envelope, 2 reservation keys, card, follow and its call, message, lease, request")
		fs, err := s.UnfinishedFollows(ctx)
		require.NoError(t, err)
		require.Len(t, fs, 1)
		assert.Equal(t, "b", fs[0].Post)
		_, ok, err := s.TakePending(ctx, "b", "U")
		require.NoError(t, err)
		assert.True(t, ok, "the unexpired card stays")

		c.Add(long)
		n, err = s.Prune(ctx)
		require.NoError(t, err)
		assert.EqualValues(t, 8, n, "the rest, less the card taken")
	})
}

func TestRequests(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		s := open(t, url, c)
		ctx := t.Context()
		const hold, ttl = 30 * time.Second, time.Hour
		begin := func(id, owner string) bool {
			t.Helper()
			ok, err := beginRequest(ctx, s, store.Request{ID: id, Payload: []byte(id)}, owner, hold, ttl)
			require.NoError(t, err)
			return ok
		}
		orphans := func(owner string) []string {
			t.Helper()
			rs, err := s.ClaimOrphans(ctx, owner, 10, hold)
			require.NoError(t, err)
			var ids []string
			for _, r := range rs {
				assert.Equal(t, r.ID, string(r.Payload))
				ids = append(ids, r.ID)
			}
			slices.Sort(ids)
			return ids
		}
		end := func(id, owner string) bool {
			t.Helper()
			ok, err := s.EndRequest(ctx, id, owner)
			require.NoError(t, err)
			return ok
		}
		assert.True(t, begin("r1", "A"))
		assert.False(t, begin("r1", "B"), "recorded once")
		assert.True(t, begin("r2", "A"))
		assert.True(t, begin("r3", "B"))
		assert.Empty(t, orphans("C"), "all held")

		c.Add(hold - time.Second)
		n, err := s.RenewRequests(ctx, "B", hold)
		require.NoError(t, err)
		assert.EqualValues(t, 1, n)
		assert.True(t, end("r2", "A"))
		assert.False(t, end("r2", "A"), "answered once")
		c.Add(time.Second) // A died: its hold on r1 lapses; B renewed r3

		assert.Equal(t, []string{"r1"}, orphans("C"))
		assert.Empty(t, orphans("B"), "taken over once")
		assert.False(t, end("r1", "A"), "A lost it")
		assert.True(t, end("r1", "C"))

		// In a batch: the known one stays as it was, the new ones are A's.
		added, err := s.BeginRequests(ctx, []store.Request{{ID: "r3", Payload: []byte("x")},
			{ID: "r4", Payload: []byte("r4")}, {ID: "r5", Payload: []byte("r5")}, {ID: "r4", Payload: []byte("again")}}, "A", hold, ttl)
		require.NoError(t, err)
		assert.Equal(t, map[string]bool{"r4": true, "r5": true}, added, "r3 was known; r4 is added once")
		assert.True(t, end("r4", "A"))
		assert.False(t, end("r3", "A"), "still B's")
		c.Add(hold + time.Second) // A and B die
		assert.Equal(t, []string{"r3", "r5"}, orphans("C"), "r3 with its own payload (checked in orphans)")
		added, err = s.BeginRequests(ctx, nil, "A", hold, ttl)
		require.NoError(t, err)
		assert.Empty(t, added)
	})
}

// TestReopen: what one process stored, the next one finds (a restart), and
// opening an up-to-date database applies no migration again.
func TestReopen(t *testing.T) {
	t.Parallel()
	forSharedBackends(t, func(t *testing.T, _ backend, url string) {
		c := newClock()
		first, err := store.Open(t.Context(), url, store.WithClock(c.Now))
		require.NoError(t, err)
		require.NoError(t, first.SaveFollow(t.Context(), store.Follow{Post: "P", Meeting: "M",
			Calls: []store.Call{{Person: "0", State: "ringing"}}}, time.Hour))
		_, err = first.EnqueueMissed(t.Context(), store.Missed{ID: "P/0", UserID: "U"}, time.Hour)
		require.NoError(t, err)
		require.NoError(t, first.Close())

		second := open(t, url, c)
		fs, err := second.UnfinishedFollows(t.Context())
		require.NoError(t, err)
		assert.Equal(t, []store.Follow{{Post: "P", Meeting: "M", Calls: []store.Call{{Person: "0", State: "ringing"}}}}, fs)
		ms, err := second.ClaimMissed(t.Context(), "B", 10, time.Minute)
		require.NoError(t, err)
		assert.Len(t, ms, 1)
	})
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	t.Parallel()
	_, err := store.Open(context.Background(), "mysql://root@127.0.0.1/test")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"mysql"`)
}

// TestPostgresCommitsDoNotWaitForDisk: the default, and what DATABASE_URL
// may say instead.
func TestPostgresCommitsDoNotWaitForDisk(t *testing.T) {
	t.Parallel()
	url := newPostgresSchema(t)
	got, err := store.Setting(t.Context(), open(t, url, newClock()), "synchronous_commit")
	require.NoError(t, err)
	assert.Equal(t, "off", got)
	got, err = store.Setting(t.Context(), open(t, url+"&synchronous_commit=on", newClock()), "synchronous_commit")
	require.NoError(t, err)
	assert.Equal(t, "on", got)
}

func TestOpenHidesPassword(t *testing.T) {
	t.Parallel()
	for _, url := range []string{
		"postgres://root:s3cret-pw@127.0.0.1:1/test?connect_timeout=2", // nothing listens
		"postgres://root:s3cret-pw@127.0.0.1:1/test?sslmode=bogus",     // does not parse
	} {
		_, err := store.Open(t.Context(), url)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "s3cret-pw")
	}
}
