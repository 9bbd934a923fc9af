package flight_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/flight"
)

func TestConcurrentCallersShareOneFetch(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var g flight.Group[string, int]
		var fetches atomic.Int32
		release := make(chan struct{})
		fetch := func(context.Context) (int, error) {
			fetches.Add(1)
			<-release
			return 42, nil
		}
		var wg sync.WaitGroup
		got := make([]int, 8)
		for i := range got {
			wg.Go(func() {
				v, err := g.Do(t.Context(), "k", fetch)
				assert.NoError(t, err)
				got[i] = v
			})
		}
		synctest.Wait() // all eight are in: one fetching, seven waiting
		close(release)
		wg.Wait()
		assert.EqualValues(t, 1, fetches.Load())
		assert.Equal(t, []int{42, 42, 42, 42, 42, 42, 42, 42}, got)

		_, _ = g.Do(t.Context(), "k", fetch)
		assert.EqualValues(t, 2, fetches.Load(), "a later call fetches anew")
	})
}

func TestAWaiterIsNotHandedTheOwnersCancellation(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var g flight.Group[string, int]
		ownerCtx, cancelOwner := context.WithCancel(t.Context())
		started := make(chan struct{})
		go func() {
			_, err := g.Do(ownerCtx, "k", func(ctx context.Context) (int, error) {
				close(started)
				<-ctx.Done()
				return 0, ctx.Err()
			})
			assert.ErrorIs(t, err, context.Canceled)
		}()
		<-started
		var v int
		var err error
		done := make(chan struct{})
		go func() {
			v, err = g.Do(t.Context(), "k", func(context.Context) (int, error) { return 7, nil })
			close(done)
		}()
		synctest.Wait() // the second caller waits for the owner's fetch
		cancelOwner()
		<-done
		require.NoError(t, err, "it fetched itself instead")
		assert.Equal(t, 7, v)
	})
}

func TestAWaiterStopsWithItsContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var g flight.Group[string, int]
		release := make(chan struct{})
		go func() {
			_, _ = g.Do(t.Context(), "k", func(context.Context) (int, error) { <-release; return 1, nil })
		}()
		synctest.Wait()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := g.Do(ctx, "k", func(context.Context) (int, error) { return 2, errors.New("not called") })
		assert.ErrorIs(t, err, context.Canceled)
		close(release)
	})
}
