//go:build !unix

package main

import "time"

// cpuTime is not measured here: the report shows the CPU figures as n/a.
func cpuTime() time.Duration { return 0 }
