package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meet-invite/meet-invite/internal/store"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The benchmark itself is run with `go run ./cmd/bench -quick`; these tests
// cover the arithmetic it reports with.

func TestPercentile(t *testing.T) {
	t.Parallel()
	ms := func(n ...int) []time.Duration {
		out := make([]time.Duration, len(n))
		for i, v := range n {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{name: "empty", sorted: nil, p: 50, want: 0},
		{name: "median of odd", sorted: ms(1, 2, 3, 4, 5), p: 50, want: 3 * time.Millisecond},
		{name: "p99 of 100 is the 99th", sorted: ms(seq(100)...), p: 99, want: 99 * time.Millisecond},
		{name: "max", sorted: ms(1, 2, 9), p: 100, want: 9 * time.Millisecond},
		{name: "p0 is the minimum", sorted: ms(4, 5), p: 0, want: 4 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, percentile(tt.sorted, tt.p))
		})
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func TestPeakOverlap(t *testing.T) {
	t.Parallel()
	at := func(ms int) time.Time { return time.Unix(0, 0).Add(time.Duration(ms) * time.Millisecond) }
	spans := [][2]time.Time{{at(0), at(10)}, {at(5), at(15)}, {at(10), at(20)}, {at(30), at(40)}}
	assert.Equal(t, 2, peakOverlap(spans), "a span ending at 10 is closed before one opening at 10")
	assert.Equal(t, 0, peakOverlap(nil))
}

func TestParseFlags(t *testing.T) {
	t.Parallel()
	o, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, options{
		latency: 50 * time.Millisecond, bursts: []int{200, 1000}, repeats: 5, limits: true, channels: 50, updateWait: time.Minute,
		connections: []int{2}, database: "memory",
	}, o)

	o, err = parseFlags([]string{"-connections", "1, 2,10", "-database", "sqlite", "-floor"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 10}, o.connections)
	assert.Equal(t, "sqlite", o.database)
	assert.True(t, o.floor)
	assert.Equal(t, " -connections 1,2,10 -database sqlite -floor", report{opts: o}.flags())
	for _, bad := range []string{"0", "11", "2,x", ""} {
		_, err = parseFlags([]string{"-connections", bad}, io.Discard)
		require.Error(t, err, "-connections %q: Slack allows 1 to 10", bad)
	}
	_, err = parseFlags([]string{"-database", "mysql://x"}, io.Discard)
	require.Error(t, err)
	o, err = parseFlags([]string{"-database", "postgres://user:secret@127.0.0.1/test"}, io.Discard)
	require.NoError(t, err)
	assert.NotContains(t, report{opts: o}.flags(), "secret", "the report never shows a URL's credentials")

	o, err = parseFlags([]string{"-quick"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []int{20}, o.bursts)
	assert.Equal(t, 2, o.repeats)
	assert.Equal(t, 5, o.channels)
	assert.Equal(t, []int{1}, o.connections, "a second socket would take a minute with rate limits on")
	assert.Equal(t, " -quick", report{opts: o}.flags())
	o, err = parseFlags([]string{"-quick", "-connections", "2"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []int{2}, o.connections, "an explicit -connections wins over -quick")
	assert.Equal(t, " -quick -connections 2", report{opts: o}.flags())

	o, err = parseFlags([]string{"-quick", "-burst", "5, 7", "-latency", "10ms"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []int{5, 7}, o.bursts, "an explicit -burst wins over -quick")
	assert.Equal(t, 10*time.Millisecond, o.latency)

	_, err = parseFlags([]string{"-burst", "10,x"}, io.Discard)
	require.Error(t, err)

	o, err = parseFlags([]string{"-repeats", "0"}, io.Discard)
	require.NoError(t, err, "bursts only")
	assert.Zero(t, o.repeats)
	_, err = parseFlags([]string{"-repeats", "-1"}, io.Discard)
	require.Error(t, err)
}

func TestUseDatabase(t *testing.T) {
	t.Parallel()
	var w world
	drop, err := w.useDatabase("memory")
	require.NoError(t, err)
	drop()
	assert.Equal(t, store.Memory, w.databaseURL, "no file written")

	assert.Empty(t, w.secretEnv(), "SQLite keeps its own button key")
	pg := world{databaseURL: "postgres://127.0.0.1/test?search_path=bench_x"}
	require.Len(t, pg.secretEnv(), 1, "PostgreSQL requires BUTTON_SECRET")
	assert.GreaterOrEqual(t, len(strings.TrimPrefix(pg.secretEnv()[0], "BUTTON_SECRET=")), 32)

	drop, err = w.useDatabase("sqlite")
	require.NoError(t, err)
	path, ok := strings.CutPrefix(w.databaseURL, "sqlite:")
	require.True(t, ok, w.databaseURL)
	db, err := store.Open(t.Context(), w.databaseURL)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	assert.FileExists(t, path, "the bot's store is a file")
	drop()
	assert.NoDirExists(t, filepath.Dir(path), "removed after")
}

func TestConnections(t *testing.T) {
	t.Parallel()
	var w world
	assert.Empty(t, w.connectionsEnv(), "unset, the bot has its default")
	w.connections = 4
	assert.Equal(t, []string{"SOCKET_CONNECTIONS=4"}, w.connectionsEnv())

	assert.Equal(t, 15*time.Second, w.socketsOpenWithin(), "without rate limits the sockets open at once")
	w.limits = true
	assert.Equal(t, 15*time.Second+3*time.Minute, w.socketsOpenWithin(), "apps.connections.open is Tier 1: one a minute")
	w.connections = 1
	assert.Equal(t, 15*time.Second, w.socketsOpenWithin())
}

func TestPeakMakeup(t *testing.T) {
	t.Parallel()
	rss, files := residentNow()
	if _, err := os.Stat("/proc/self/statm"); err == nil {
		assert.Positive(t, files, "the binary's pages")
		assert.Greater(t, rss, files)
	}
	p := newPeakSampler()
	m := p.read(rss)
	assert.Equal(t, rss, m.RSS)
	assert.Positive(t, m.Objects)
	assert.Positive(t, m.Stacks)
	assert.Positive(t, m.Goroutines)

	m = makeup{RSS: 100, Files: 30, Objects: 20, HeapSpare: 10, Stacks: 5, Runtime: 5}
	assert.Equal(t, uint64(30), m.Others(), "what is neither Go's nor a file's")
	m.RSS = 50
	assert.Zero(t, m.Others(), "Go's pages not all resident")
}

func TestAnswerStats(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	require.NoError(t, answerStats(strings.NewReader("stats\nsomething else\nstats\n"), &out, nil))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 2, "one answer a stats line, none for anything else")
	var s procStats
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &s))
	assert.Positive(t, s.Mallocs)
	assert.Positive(t, s.Goroutines)
	assert.Equal(t, cpuTime() > 0, s.CPU > 0, "CPU time where it can be read")
}

func TestPerCommand(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "135 µs", perCommand(135*time.Millisecond, 1000))
	assert.Equal(t, "n/a", perCommand(0, 1000), "not measured")
	assert.Equal(t, "n/a", perCommand(time.Second, 0))
}
