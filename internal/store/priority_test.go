package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPriorityGoesFirst(t *testing.T) {
	p := newPriority()
	free, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	p.wait(free)
	assert.NoError(t, free.Err(), "nothing pending: no wait")

	released := make(chan struct{})
	p.run(func() {
		p.run(func() {}) // a second one pending meanwhile keeps the first's turn
		held, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		p.wait(held)
		assert.Error(t, held.Err(), "a statement waits while a priority one is pending")
		go func() { p.wait(free); close(released) }()
	})
	<-released // the waiter goes once the priority statement is done
	assert.NoError(t, free.Err())

	var none *priority
	none.wait(free)
	ran := false
	none.run(func() { ran = true })
	assert.True(t, ran, "a store without priority runs the statement all the same")
}
