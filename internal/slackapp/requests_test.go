package slackapp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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
