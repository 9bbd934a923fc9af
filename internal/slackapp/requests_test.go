package slackapp

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	a := New(slog.New(slog.DiscardHandler), nil, nil, nil, Config{Owner: "me"})
	ctx := t.Context()
	follow := map[string]context.Context{}
	for _, post := range []string{"P1", "P2", "P3"} {
		ok, err := a.store.AcquireLease(ctx, leaseKey(post), "me", leaseTTL)
		require.NoError(t, err)
		require.True(t, ok)
		fctx, lost := context.WithCancelCause(ctx)
		t.Cleanup(func() { lost(nil) })
		a.keepLease(fctx, lost, post)
		follow[post] = fctx
	}
	require.NoError(t, a.store.ReleaseLease(ctx, leaseKey("P2"), "me"))
	ok, err := a.store.AcquireLease(ctx, leaseKey("P2"), "other", leaseTTL)
	require.NoError(t, err)
	require.True(t, ok, "another process takes P2 over")
	a.dropLease("P3") // as P3's following ending does
	require.NoError(t, a.store.ReleaseLease(ctx, leaseKey("P3"), "me"))

	require.True(t, a.renewHeld())
	assert.NoError(t, follow["P1"].Err(), "P1 is still ours")
	assert.ErrorIs(t, context.Cause(follow["P2"]), errLeaseLost)
	assert.True(t, a.holdsLease("P1"))
	assert.False(t, a.holdsLease("P2"), "a lost lease is renewed no more")
	assert.NoError(t, follow["P3"].Err(), "a post no longer followed is not told anything")
}
