package main

import (
	"context"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// makeup is what the bot's memory was made of when its resident set was
// largest, as Go's runtime/metrics tell it (bytes).
type makeup struct {
	RSS        uint64 // the resident set then
	Files      uint64 // of which pages of files: the binary's, mostly (RssFile)
	Objects    uint64 // heap objects, live or not yet swept
	HeapSpare  uint64 // heap spans held but empty or partly used, not given back to the OS
	Stacks     uint64 // goroutine stacks
	Runtime    uint64 // the rest Go mapped and kept: its metadata, buffers, profiling
	Goroutines uint64
}

// Others is the anonymous memory of the resident set beyond what Go mapped
// and kept: memory mapped by others (modernc's SQLite allocates its own).
// Where Go's pages are not all resident it reads as zero.
func (m makeup) Others() uint64 {
	inGo := m.Objects + m.HeapSpare + m.Stacks + m.Runtime
	if m.RSS < inGo+m.Files {
		return 0
	}
	return m.RSS - inGo - m.Files
}

// peakSampler looks at the process's resident set every 10 ms and keeps
// the make-up of the largest it saw.
type peakSampler struct {
	samples []metrics.Sample
	peak    chan makeup // holds the largest so far, one at a time
}

func newPeakSampler() *peakSampler {
	names := []string{
		"/memory/classes/heap/objects:bytes",
		"/memory/classes/heap/unused:bytes",
		"/memory/classes/heap/free:bytes",
		"/memory/classes/heap/stacks:bytes",
		"/memory/classes/os-stacks:bytes",
		"/memory/classes/total:bytes",
		"/memory/classes/heap/released:bytes",
		"/sched/goroutines:goroutines",
	}
	p := &peakSampler{peak: make(chan makeup, 1)}
	for _, n := range names {
		p.samples = append(p.samples, metrics.Sample{Name: n})
	}
	p.peak <- makeup{}
	return p
}

// run samples until ctx ends.
func (p *peakSampler) run(ctx context.Context) {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rss, files := residentNow()
		best := <-p.peak
		if rss > best.RSS {
			best = p.read(rss)
			best.Files = files
		}
		p.peak <- best
	}
}

// read reads the runtime's metrics beside a resident set of rss bytes.
func (p *peakSampler) read(rss uint64) makeup {
	metrics.Read(p.samples)
	v := func(i int) uint64 { return p.samples[i].Value.Uint64() }
	m := makeup{RSS: rss, Objects: v(0), HeapSpare: v(1) + v(2), Stacks: v(3) + v(4), Goroutines: v(7)}
	kept := v(5) - v(6) // mapped and not released
	if in := m.Objects + m.HeapSpare + m.Stacks; kept > in {
		m.Runtime = kept - in
	}
	return m
}

// largest returns the make-up at the largest resident set seen so far.
func (p *peakSampler) largest() makeup {
	m := <-p.peak
	p.peak <- m
	return m
}

// residentNow is the process's resident set and the part of it that is
// pages of files, in bytes (0 where /proc is not available).
func residentNow() (rss, files uint64) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, 0
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return 0, 0
	}
	page := uint64(os.Getpagesize())
	resident, err1 := strconv.ParseUint(f[1], 10, 64)
	shared, err2 := strconv.ParseUint(f[2], 10, 64) // resident pages backed by files
	if err1 != nil || err2 != nil {
		return 0, 0
	}
	return resident * page, shared * page
}
