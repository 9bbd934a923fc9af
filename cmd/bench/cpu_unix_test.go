//go:build unix

package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCPUTimeGrows(t *testing.T) {
	before := cpuTime()
	assert.Positive(t, before, "the test binary has used some CPU")
	for cpuTime() == before { // burn CPU until the clock moves
	}
	assert.Greater(t, cpuTime(), before)
}
