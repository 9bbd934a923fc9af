//go:build !race

package main

// soakShare: without the race detector TestSoakLeavesBoundedMemory runs
// its whole load (see soak_race_test.go).
const soakShare = 1
