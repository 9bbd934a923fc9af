package tasks_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/tasks"
)

func TestGroupWaitsForItsWork(t *testing.T) {
	t.Parallel()
	var g tasks.Group
	release := make(chan struct{})
	started := make(chan struct{})
	require.True(t, g.Go(func() { close(started); <-release }))
	<-started
	assert.Equal(t, 1, g.Len())
	assert.False(t, g.Wait(10*time.Millisecond), "still running")

	close(release)
	assert.True(t, g.Wait(5*time.Second))
	assert.Zero(t, g.Len())
}

func TestClosedGroupRunsNothingNew(t *testing.T) {
	t.Parallel()
	var g tasks.Group
	release := make(chan struct{})
	require.True(t, g.Go(func() { <-release }))
	g.Close()
	ran := false
	assert.False(t, g.Go(func() { ran = true }))
	close(release)
	require.True(t, g.Wait(5*time.Second))
	assert.False(t, ran)
}
