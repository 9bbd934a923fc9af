//go:build race

package main

// soakShare is the share of TestSoakLeavesBoundedMemory's load run under
// the race detector, which slows this test about eightfold: a fifth (1,000
// commands into 200 meetings, still ten times the cap of followed
// meetings). .ci/run also runs the whole load without it.
const soakShare = 5
