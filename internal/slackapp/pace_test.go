package slackapp

import (
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
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
	p := newPacer(10*time.Millisecond, nil)
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
	p.start = start

	for _, s := range []string{"ringing", "alice joined", "bob ringing", "bob missed", "ended"} {
		p.update(where, message{text: s}, send)
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

// An update while the app stops, when no worker can be started, is sent
// on the caller's goroutine.
func TestAnUpdateWhileStoppingIsSentByTheCaller(t *testing.T) {
	t.Parallel()
	p := newPacer(time.Millisecond, func(func()) bool { return false })
	defer p.close()
	var sent []string
	p.update(posted{channel: "C1", ts: "1.0"}, message{text: "ended"}, func(m message, err error) {
		assert.NoError(t, err)
		sent = append(sent, m.text)
	})
	assert.Equal(t, []string{"ended"}, sent, "sent before update returned")
	assert.Empty(t, p.pending)
}

// A channel whose queue is longer than maxPostWait fails a new post at
// once, so that it can go another way; other channels are not held up.
func TestAPostBehindATooLongQueueFailsAtOnce(t *testing.T) {
	t.Parallel()
	p := newPacer(0, nil)
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
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(time.Millisecond, nil)
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
		p.start = start
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
			p.update(posted{channel: "C1", ts: want[i]}, message{text: want[i]}, send)
		}
		work.Wait()
		assert.Equal(t, want, sent, "every post updated, oldest first")
		assert.LessOrEqual(t, most, 2, "the worker and one send, however many posts wait")
		assert.Empty(t, p.pending, "nothing left queued")
	})
}

// A post's next state goes the pacer's interval after its last send began,
// however long that send waited for the app's budget.
func TestAPostsNextUpdateWaitsItsIntervalAfterItsLastSend(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const every = 40 * time.Millisecond
		p := newPacer(every, nil)
		defer p.close()
		p.updates = rate.NewLimiter(rate.Every(30*time.Millisecond), 1)
		var mu sync.Mutex
		at := map[string]time.Time{}
		send := func(m message, _ error) { mu.Lock(); at[m.text] = time.Now(); mu.Unlock() }
		var work sync.WaitGroup
		start := func(f func()) bool { work.Go(f); return true }
		p.start = start
		a, b := posted{channel: "C1", ts: "1.0"}, posted{channel: "C2", ts: "2.0"}
		p.update(a, message{text: "a1"}, send)
		p.update(b, message{text: "b1"}, send) // waits for the budget: 30 ms
		synctest.Wait()
		time.Sleep(30 * time.Millisecond)
		synctest.Wait()
		mu.Lock()
		b1, sentB1 := at["b1"]
		mu.Unlock()
		require.True(t, sentB1)
		p.update(b, message{text: "b2"}, send)
		work.Wait()
		assert.GreaterOrEqual(t, at["b2"].Sub(b1), every)
	})
}
