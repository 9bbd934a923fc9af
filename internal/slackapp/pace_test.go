package slackapp

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// Updates of one post that come faster than it may be updated are
// coalesced: the one being sent, then only the latest; none is lost at
// the end.
func TestUpdatesOfOnePostAreCoalesced(t *testing.T) {
	t.Parallel()
	p := newPacer(10 * time.Millisecond)
	defer p.close()
	where := posted{channel: "C1", ts: "1.0"}
	gate := make(chan struct{})
	var mu sync.Mutex
	var sent []string
	first := make(chan struct{})
	send := func(m message, err error) {
		assert.NoError(t, err)
		mu.Lock()
		sent = append(sent, m.text)
		n := len(sent)
		mu.Unlock()
		if n == 1 {
			close(first)
			<-gate // Slack is slow to take the first
		}
	}
	var workers sync.WaitGroup
	start := func(f func()) bool { workers.Go(f); return true }

	for _, s := range []string{"ringing", "alice joined", "bob ringing", "bob missed", "ended"} {
		require.True(t, p.update(where, message{text: s}, send, start))
		if s == "ringing" {
			<-first
		}
	}
	close(gate)
	workers.Wait()

	assert.Equal(t, []string{"ringing", "ended"}, sent, "the first, then the last; the states between were replaced")
	p.mu.Lock()
	defer p.mu.Unlock()
	assert.Empty(t, p.pending, "nothing left queued")
}

// An update the app cannot run in the background (it is stopping) is
// handed back to be sent at once.
func TestAnUpdateWhileStoppingIsHandedBack(t *testing.T) {
	t.Parallel()
	p := newPacer(0)
	defer p.close()
	ok := p.update(posted{channel: "C1", ts: "1.0"}, message{text: "ended"}, func(message, error) { t.Error("not sent by the pacer") },
		func(func()) bool { return false })
	assert.False(t, ok)
	assert.Empty(t, p.pending)
}

// A channel whose queue is longer than maxPostWait fails a new post at
// once, so that it can go another way; other channels are not held up.
func TestAPostBehindATooLongQueueFailsAtOnce(t *testing.T) {
	t.Parallel()
	p := newPacer(0)
	defer p.close()
	l := p.limiter("CBUSY")
	for range postBurst + int(maxPostWait/time.Second)*postsPerSecond + 1 {
		l.Reserve() // the burst, and more than maxPostWait of posts after it
	}

	assert.ErrorIs(t, p.waitPost("CBUSY"), errQueued)
	assert.NoError(t, p.waitPost("CQUIET"))
}

// Posts waiting for the app's chat.update budget wait in one queue, not on
// a goroutine each, and each gets its turn.
func TestPostsWaitingForTheUpdateBudgetHoldNoGoroutine(t *testing.T) {
	t.Parallel()
	p := newPacer(time.Millisecond)
	defer p.close()
	p.updates = rate.NewLimiter(rate.Every(5*time.Millisecond), 1)
	var mu sync.Mutex
	var sent []string
	var running, most int
	var work sync.WaitGroup
	start := func(f func()) bool {
		mu.Lock()
		running++
		most = max(most, running)
		mu.Unlock()
		work.Go(func() {
			defer func() { mu.Lock(); running--; mu.Unlock() }()
			f()
		})
		return true
	}
	send := func(m message, err error) {
		assert.NoError(t, err)
		mu.Lock()
		sent = append(sent, m.text)
		mu.Unlock()
	}
	const posts = 50
	var want []string
	for i := range posts {
		want = append(want, strconv.Itoa(i))
		require.True(t, p.update(posted{channel: "C1", ts: want[i]}, message{text: want[i]}, send, start))
	}
	work.Wait()
	assert.ElementsMatch(t, want, sent, "every post updated")
	assert.LessOrEqual(t, most, 3, "the worker and a send or two, however many posts wait")
	assert.Empty(t, p.pending, "nothing left queued")
}

// A post's next state goes the pacer's interval after the last one was
// taken, even when the budget would allow it sooner.
func TestAPostsNextUpdateWaitsItsInterval(t *testing.T) {
	t.Parallel()
	const every = 50 * time.Millisecond
	p := newPacer(every)
	defer p.close()
	p.updates = rate.NewLimiter(rate.Inf, 1)
	where := posted{channel: "C1", ts: "1.0"}
	at := make(chan time.Time, 2)
	send := func(message, error) { at <- time.Now() }
	var work sync.WaitGroup
	start := func(f func()) bool { work.Go(f); return true }
	asked := time.Now() // the first is taken from the queue after this
	require.True(t, p.update(where, message{text: "ringing"}, send, start))
	<-at
	require.True(t, p.update(where, message{text: "answered"}, send, start))
	second := <-at
	assert.GreaterOrEqual(t, second.Sub(asked), every)
	work.Wait()
}
