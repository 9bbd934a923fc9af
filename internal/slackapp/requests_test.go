package slackapp

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/store"
)

func TestABurstIsRecordedInFewBatches(t *testing.T) {
	t.Parallel()
	q := make(chan int)
	stop := make(chan struct{})
	defer close(stop)
	batches := make(chan []int, 10)
	write := func(b []int) { batches <- b }

	go groupCommit(stop, q, 3, time.Hour, func(n int) bool { return true }, write)
	for i := range 3 {
		q <- i
	}
	assert.Equal(t, []int{0, 1, 2}, <-batches, "more were coming: the batch waited for them, up to its size")

	alone := make(chan int)
	go groupCommit(stop, alone, 3, time.Hour, nil, write)
	alone <- 10
	assert.Equal(t, []int{10}, <-batches, "nothing said to be coming: written at once")
}

// One renewal keeps every followed post's lease; a post whose lease another
// process took is told so, and its lease is renewed no more, nor is that of
// a post no longer followed.
func TestOneRenewalKeepsEveryPostsLease(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	pass := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	st, err := store.Open(ctx, store.Memory, store.WithClock(clock))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	a := New(slog.New(slog.DiscardHandler), nil, nil, nil, Config{Owner: "me", Store: st})

	follow := map[string]context.Context{}
	stop := map[string]context.CancelCauseFunc{}
	for _, post := range []string{"P1", "P2", "P3"} {
		ok, err := st.AcquireLease(ctx, leaseKey(post), "me", leaseTTL)
		require.NoError(t, err)
		require.True(t, ok)
		fctx, lost := context.WithCancelCause(ctx)
		t.Cleanup(func() { lost(nil) })
		a.keepLease(fctx, lost, post)
		follow[post], stop[post] = fctx, lost
	}
	require.NoError(t, st.ReleaseLease(ctx, leaseKey("P2"), "me"))
	ok, err := st.AcquireLease(ctx, leaseKey("P2"), "other", leaseTTL)
	require.NoError(t, err)
	require.True(t, ok, "another process takes P2 over")
	stop["P3"](nil) // P3's following ends
	require.NoError(t, st.ReleaseLease(ctx, leaseKey("P3"), "me"))

	pass(leaseTTL - time.Second)
	require.True(t, a.renewHeld())
	assert.NoError(t, follow["P1"].Err(), "P1 is still ours")
	assert.ErrorIs(t, context.Cause(follow["P2"]), errLeaseLost)
	assert.ErrorIs(t, context.Cause(follow["P3"]), context.Canceled, "a post no longer followed is told nothing")

	pass(leaseTTL - time.Second) // past the first lease, within the renewed one
	ok, err = st.AcquireLease(ctx, leaseKey("P1"), "other", leaseTTL)
	require.NoError(t, err)
	assert.False(t, ok, "P1's lease was renewed")
	a.leasesMu.Lock()
	_, p2 := a.leases["P2"]
	a.leasesMu.Unlock()
	assert.False(t, p2, "a lost lease is renewed no more")
}
