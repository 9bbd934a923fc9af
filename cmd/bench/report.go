package main

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
)

// Targets of issue 7.
const (
	targetAckP99 = 20 * time.Millisecond
	targetRatio  = 1.15
	targetRSS    = 64 << 20
)

// report is everything measured, printed as Markdown.
type report struct {
	opts   options
	floors []floorResult // with -floor
	bursts []burstResult
	e2e    []e2eResult
}

func (r report) write(w io.Writer) {
	L := r.opts.latency
	fmt.Fprintf(w, "### meet-invite benchmark\n\n")
	limits := "Slack's published rate limits on (chat.postMessage about 1/s per channel, each other method its tier per minute)"
	if !r.opts.limits {
		limits = "no rate limits (-limits=false): the bot's own capacity, not what real Slack allows"
	}
	fmt.Fprintf(w, "`go run ./cmd/bench%s`: L = %v added to every Slack Web API and Huawei call by the fakes; %s; "+
		"the bot is cmd/bot's wiring in its own process, its store %s; %s.\n\n", r.flags(), L, limits, storeName(r.opts.database), goVersion())

	fmt.Fprintf(w, "**Bursts of concurrent slash commands** (each a valid invitation of one new person, the commands coming from the channels in turn; "+
		"calls followed for %s, then each post's final state; fresh bot and fakes per burst)\n\n", callStatusFor)
	fmt.Fprintln(w, "| commands at once | channels | connections | ack p50 | ack p99 | ack max | CPU / command to the acks | acked exactly once | one outcome | posted | told privately (of which failed as a whole) | invites accepted | last post after | posts updated (within) | last update after | 429s | peak in flight | bot peak RSS | allocs / request | Slack calls / person | Huawei calls / person |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, b := range r.bursts {
		fmt.Fprintf(w, "| %d | %d | %d | %s | %s | %s | %s | %d / %d | %d / %d | %d | %d (%d) | %d | %s | %d / %d (%s) | %s | %d | %d | %s | %s | %s | %s |\n",
			b.n, b.channels, b.conns, ms(percentile(b.acks, 50)), ms(percentile(b.acks, 99)), ms(percentile(b.acks, 100)),
			perCommand(b.ackCPU, b.n), b.ackedOnce, b.n, b.outcomes, b.n, b.posted, b.outcomes-b.posted, b.unattributed, b.invites, secs(b.lastPost),
			b.updated, b.posted, r.opts.updateWait, secs(b.lastUpdate), sum(b.limited), b.peakInFlight, mib(b.peakRSS),
			perUnit(b.mallocs, b.n), ratio(sum(b.calls.slack), b.n), ratio(sum(b.calls.meet), b.n))
	}

	if len(r.floors) > 0 {
		fmt.Fprintf(w, "\n**The floor** (-floor: the same bursts to slack-go's Socket Mode client alone, as the bot uses it, acknowledging each envelope at once with no payload and doing nothing else)\n\n")
		fmt.Fprintln(w, "| commands at once | connections | ack p50 | ack p99 | ack max | CPU / command to the acks | acked exactly once |")
		fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|")
		for _, f := range r.floors {
			fmt.Fprintf(w, "| %d | %d | %s | %s | %s | %s | %d / %d |\n", f.n, f.conns,
				ms(percentile(f.acks, 50)), ms(percentile(f.acks, 99)), ms(percentile(f.acks, 100)), perCommand(f.ackCPU, f.n), f.ackedOnce, f.n)
		}
	}

	if len(r.e2e) > 0 {
		fmt.Fprintf(w, "\n**End to end, invitation of %d people** (envelope sent → channel post received; %d repeats, each on a fresh bot process)\n\n", e2ePeople, r.opts.repeats)
		fmt.Fprintln(w, "| case | p50 | max | limit (sequential round trips × L) | p50 / limit | Slack calls / person | Huawei calls / person | users.info + directory lookups | allocs / request |")
		fmt.Fprintln(w, "|---|---:|---:|---|---:|---:|---:|---:|---:|")
		for _, e := range r.e2e {
			n := len(e.took)
			limit := time.Duration(e.trips) * L
			lookups := e.calls.slack["users.info"] + e.calls.meet[meetingfake.EndpointDirectory]
			fmt.Fprintf(w, "| %s | %s | %s | %s = %s | %.2f | %s | %s | %s | %s |\n",
				e.name, ms(percentile(e.took, 50)), ms(percentile(e.took, 100)), e.detail, ms(limit),
				float64(percentile(e.took, 50))/float64(limit),
				ratio(sum(e.calls.slack), n*e2ePeople), ratio(sum(e.calls.meet), n*e2ePeople),
				ratio(lookups, n), perUnit(e.mallocs, n))
		}
	}

	fmt.Fprintf(w, "\nCalls per person count every upstream request after the bot connected, divided by the people invited. ")
	fmt.Fprintf(w, "Lookups are per invitation. Allocations are the bot process's heap objects (runtime.MemStats.Mallocs) per command. "+
		"CPU to the acks is the process's user and system CPU time (getrusage) from just before the burst to just after its last ack, per command: "+
		"a burst's acks wait for the CPU the commands before them take, on cores the fake Slack shares.\n")
	for _, b := range r.bursts {
		fmt.Fprintf(w, "Upstream calls in the burst of %d: Slack %s; Huawei %s. 429s by method: %s. Queued notes %d, missed-call messages %d.\n",
			b.n, breakdown(b.calls.slack), breakdown(b.calls.meet), breakdown(b.limited), b.queuedNotes, b.missedNotes)
		if b.warns+b.errors > 0 {
			fmt.Fprintf(w, "The bot logged %d warnings and %d errors during the burst of %d.\n", b.warns, b.errors, b.n)
		}
		if m := b.peak; m.RSS > 0 {
			fmt.Fprintf(w, "Memory at the bot's largest resident set in the burst of %d over %d connections (%s): heap objects %s, spare heap %s, stacks %s for %d goroutines, the rest of Go's runtime %s, pages of files (the binary) %s, others' (SQLite) %s.\n",
				b.n, b.conns, mib(m.RSS), mib(m.Objects), mib(m.HeapSpare), mib(m.Stacks), m.Goroutines, mib(m.Runtime), mib(m.Files), mib(m.Others()))
		}
	}

	fmt.Fprintf(w, "\n**Targets**\n\n")
	for _, t := range r.targets() {
		mark := "❌ missed"
		if t.met {
			mark = "✅ met"
		}
		fmt.Fprintf(w, "- %s — %s: %s\n", t.name, mark, t.got)
	}
}

func (r report) flags() string {
	s := ""
	if r.opts.quick {
		s += " -quick"
	}
	if r.opts.latency != 50*time.Millisecond {
		s += " -latency " + r.opts.latency.String()
	}
	if !r.opts.limits {
		s += " -limits=false"
	}
	defaultConns := []int{2}
	if r.opts.quick {
		defaultConns = []int{1}
	}
	if !slices.Equal(r.opts.connections, defaultConns) {
		counts := make([]string, len(r.opts.connections))
		for i, c := range r.opts.connections {
			counts[i] = strconv.Itoa(c)
		}
		s += " -connections " + strings.Join(counts, ",")
	}
	if r.opts.database != "memory" {
		s += " -database " + strings.SplitN(r.opts.database, ":", 2)[0] // never the URL's credentials
	}
	if r.opts.floor {
		s += " -floor"
	}
	return s
}

// storeName says which store the bot used, without a URL's credentials.
func storeName(database string) string {
	switch database {
	case "memory":
		return "SQLite in memory"
	case "sqlite":
		return "an SQLite file (as production's default)"
	}
	return "PostgreSQL (a schema per bot)"
}

type target struct {
	name, got string
	met       bool
}

// targets checks the measurements against issue 7's targets; the burst ones
// are judged on the largest burst that ran.
func (r report) targets() []target {
	var ts []target
	if len(r.bursts) > 0 {
		big := r.bursts[0]
		for _, b := range r.bursts {
			if b.n > big.n {
				big = b
			}
		}
		p99 := percentile(big.acks, 99)
		got := ms(p99)
		for _, f := range r.floors {
			if f.n == big.n && f.conns == big.conns {
				got += fmt.Sprintf(" (slack-go alone: %s)", ms(percentile(f.acks, 99)))
			}
		}
		ts = append(ts,
			target{fmt.Sprintf("ack p99 < %s at %d concurrent commands", ms(targetAckP99), big.n), got, p99 < targetAckP99},
			target{fmt.Sprintf("bot peak RSS < %s with %d in flight (peak measured %d)", mib(targetRSS), big.n, big.peakInFlight),
				mib(big.peakRSS), big.peakRSS > 0 && big.peakRSS < targetRSS},
		)
	}
	for _, e := range r.e2e {
		limit := time.Duration(e.trips) * r.opts.latency
		q := float64(percentile(e.took, 50)) / float64(limit)
		ts = append(ts, target{fmt.Sprintf("%s end to end ≤ %.2f × limit", e.name, targetRatio), fmt.Sprintf("%.2f ×", q), q <= targetRatio})
		if e.name == "fully warm" {
			ui, dir := e.calls.slack["users.info"], e.calls.meet[meetingfake.EndpointDirectory]
			ts = append(ts, target{"fully warm makes no Slack or directory lookups",
				fmt.Sprintf("%d users.info, %d directory searches over %d invitations", ui, dir, len(e.took)), ui == 0 && dir == 0})
		}
	}
	return ts
}

// problems lists misbehaviour that makes the numbers meaningless.
func (r report) problems() []string {
	var p []string
	for _, b := range r.bursts {
		p = append(p, b.problems()...)
	}
	for _, e := range r.e2e {
		p = append(p, e.problems...)
		if e.ackedOnce != len(e.took) {
			p = append(p, fmt.Sprintf("%s: %d of %d commands acknowledged exactly once", e.name, e.ackedOnce, len(e.took)))
		}
	}
	return p
}

// percentile returns the p-th percentile (nearest rank) of sorted durations;
// p = 100 is the maximum.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func mib(b uint64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}

func ratio(n, d int) string {
	if d == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", float64(n)/float64(d))
}

// perCommand is d shared among n commands, in microseconds.
func perCommand(d time.Duration, n int) string {
	if d <= 0 || n == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f µs", float64(d)/float64(n)/float64(time.Microsecond))
}

func perUnit(n uint64, d int) string {
	if d == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f", float64(n)/float64(d))
}

// breakdown lists the non-zero counts by name.
func breakdown(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if m[k] != 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
