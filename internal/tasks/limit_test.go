package tasks_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/tasks"
)

func TestALimitRunsItsTurnsInTheOrderTheyCame(t *testing.T) {
	t.Parallel()
	var g tasks.Group
	l := tasks.NewLimit(2, g.Later)
	var releases []func()
	l.Take(t.Context(), func(release func(), err error) { require.NoError(t, err); releases = append(releases, release) }, time.Hour, nil)
	l.Take(t.Context(), func(release func(), err error) { require.NoError(t, err); releases = append(releases, release) }, time.Hour, nil)
	require.Len(t, releases, 2, "free turns run at once, on the caller's goroutine")
	wait, arrived := l.Expect()
	assert.True(t, wait, "every turn is taken")
	arrived()
	assert.Equal(t, 2, l.Running())

	ran := make(chan int, 5)
	for i := range 5 {
		l.Take(t.Context(), func(release func(), err error) {
			assert.NoError(t, err)
			ran <- i
			release()
			release() // a second release gives nothing back
		}, time.Hour, nil)
	}
	assert.Equal(t, 5, g.Len(), "whatever waits counts as the group's work")
	select {
	case i := <-ran:
		t.Fatalf("%d ran without a turn", i)
	default:
	}
	releases[0]()
	for want := range 5 {
		assert.Equal(t, want, <-ran, "first come, first served")
	}
	require.True(t, g.Wait(5*time.Second))
	assert.Equal(t, 1, l.Running(), "the one still held")
	releases[1]()
	wait, arrived = l.Expect()
	assert.False(t, wait)
	arrived()
}

func TestWorkExpectedCountsAheadOfWhatComesAfter(t *testing.T) {
	t.Parallel()
	var g tasks.Group
	l := tasks.NewLimit(2, g.Later)
	wait1, arrived1 := l.Expect()
	wait2, arrived2 := l.Expect()
	wait3, arrived3 := l.Expect()
	assert.False(t, wait1)
	assert.False(t, wait2)
	assert.True(t, wait3, "the two turns are promised to the two before it")

	arrived3() // it will not come after all (refused, say)
	arrived3() // said twice, counted once
	wait, arrived := l.Expect()
	assert.True(t, wait)
	arrived()

	arrived1()
	l.Take(t.Context(), func(release func(), err error) {
		require.NoError(t, err)
		release()
	}, time.Hour, nil)
	wait, arrived = l.Expect()
	assert.False(t, wait, "one turn free, one promised")
	arrived()
	arrived2()
}

func TestWhatWaitsForATurnHoldsNoGoroutine(t *testing.T) {
	var g tasks.Group
	l := tasks.NewLimit(1, g.Later)
	var release func()
	l.Take(t.Context(), func(r func(), _ error) { release = r }, time.Hour, nil)
	before := runtime.NumGoroutine()
	const waiting = 1000
	var done sync.WaitGroup
	done.Add(waiting)
	for range waiting {
		l.Take(t.Context(), func(r func(), _ error) { r(); done.Done() }, time.Hour, func() {})
	}
	assert.Less(t, runtime.NumGoroutine()-before, waiting/10)
	release()
	done.Wait()
}

func TestATurnNotComeBeforeItsContextEndsRunsWithTheCause(t *testing.T) {
	t.Parallel()
	g, l, hold := heldLimit(t)

	cause := errors.New("gave up")
	ctx, cancel := context.WithCancelCause(t.Context())
	gotErr := make(chan error, 1)
	l.Take(ctx, func(r func(), err error) {
		assert.Nil(t, r, "no turn to release")
		gotErr <- err
	}, time.Hour, nil)
	next := make(chan struct{})
	l.Take(t.Context(), func(r func(), _ error) { close(next); r() }, time.Hour, nil)
	cancel(cause)
	assert.ErrorIs(t, <-gotErr, cause)

	hold()
	<-next // the turn went to the next in line, not to the one that gave up
	require.True(t, g.Wait(5*time.Second))
	assert.Zero(t, l.Running())
}

func TestOnlyWhatStillWaitsIsToldItIsQueued(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		g, l, hold := heldLimit(t)

		told := make(chan string, 3)
		ran := make(chan struct{})
		l.Take(t.Context(), func(r func(), _ error) { r(); close(ran) }, time.Millisecond, func() { told <- "waiting" })
		time.Sleep(time.Millisecond)
		synctest.Wait()
		assert.Equal(t, "waiting", <-told)

		hold()
		<-ran
		l.Take(t.Context(), func(r func(), _ error) { r() }, time.Millisecond, func() { told <- "ran at once" })
		l.Take(t.Context(), func(r func(), _ error) { hold = r }, time.Hour, nil)
		ctx, cancel := context.WithCancel(t.Context())
		l.Take(ctx, func(release func(), err error) {
			assert.ErrorIs(t, err, context.Canceled)
		}, 20*time.Millisecond, func() { told <- "gave up" })
		cancel()
		time.Sleep(time.Hour) // past both notes' time
		synctest.Wait()
		assert.Empty(t, told, "neither the one that ran at once nor the one that gave up")
		hold()
		require.True(t, g.Wait(time.Second))
	})
}

func TestWhenNothingNewMayStartTakeWaitsForItsTurnItself(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		g, l, hold := heldLimit(t)
		g.Close()

		ran := make(chan bool, 1)
		returned := make(chan struct{})
		go func() {
			defer close(returned)
			l.Take(t.Context(), func(r func(), err error) { assert.NoError(t, err); ran <- true; r() }, time.Hour, nil)
		}()
		synctest.Wait() // Take blocks: nowhere to run f later
		select {
		case <-returned:
			t.Fatal("Take returned before its turn, with nowhere to run it later")
		default:
		}
		hold()
		<-returned
		assert.True(t, <-ran)
	})
}

// heldLimit is a limit of one turn, held: hold releases it.
func heldLimit(t *testing.T) (g *tasks.Group, l *tasks.Limit, hold func()) {
	g = &tasks.Group{}
	l = tasks.NewLimit(1, g.Later)
	l.Take(t.Context(), func(r func(), _ error) { hold = r }, time.Hour, nil)
	return g, l, hold
}
