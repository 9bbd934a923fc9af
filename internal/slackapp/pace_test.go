package slackapp

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
