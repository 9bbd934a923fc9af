package slackapp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// yielded runs w.yield in the background and returns a channel closed when
// it returns.
func yielded(w *awaiting) <-chan struct{} {
	done := make(chan struct{})
	go func() { defer close(done); w.yield() }()
	return done
}

func waitClosed(t *testing.T, c <-chan struct{}, why string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(10 * time.Second):
		t.Fatal(why)
	}
}

func TestWorkAfterAnAckWaitsForTheOtherAcks(t *testing.T) {
	t.Parallel()
	w := newAwaiting(time.Hour, time.Hour)
	waitClosed(t, yielded(w), "nothing awaited: no wait")

	w.arrive("E1")
	w.arrive("E2")
	w.arrive("E1") // a redelivery keeps its first arrival
	assert.Equal(t, 2, w.Len())
	done := yielded(w)

	_, ok := w.take("E1")
	require.True(t, ok)
	select {
	case <-done:
		t.Fatal("returned while E2 awaited its ack")
	default:
	}
	at, ok := w.take("E2")
	require.True(t, ok)
	assert.False(t, at.IsZero(), "when it arrived, for the ack latency")
	waitClosed(t, done, "every ack sent: the work goes on")

	_, ok = w.take("E2")
	assert.False(t, ok, "taken once")
	assert.Zero(t, w.Len())
}

func TestAnEnvelopeNeverAcknowledgedHoldsNothingBackForLong(t *testing.T) {
	t.Parallel()
	w := newAwaiting(20*time.Millisecond, time.Hour)
	w.arrive("E1")
	waitClosed(t, yielded(w), "an envelope past Slack's ack deadline no longer counts")
	assert.Zero(t, w.Len())
	_, ok := w.take("E1")
	assert.False(t, ok)
}

func TestAYieldIsBounded(t *testing.T) {
	t.Parallel()
	w := newAwaiting(time.Hour, 20*time.Millisecond)
	w.arrive("E1")
	waitClosed(t, yielded(w), "work waits at most atMost")
	assert.Equal(t, 1, w.Len(), "still awaited")
}
