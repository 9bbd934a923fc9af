package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/meet-invite/meet-invite/internal/bot"
)

// childArg makes this binary run the bot instead of the benchmark. The bot
// gets a process of its own so that its memory and allocations are measured
// apart from the fakes', and "cold" really starts with nothing cached.
const childArg = "bot"

// procStats is what a child process (the bot, or slack-go alone) reports
// about itself.
type procStats struct {
	Mallocs    uint64 // heap objects allocated so far (runtime.MemStats)
	PeakRSS    uint64 // bytes; VmHWM from /proc/self/status, 0 when unknown
	Goroutines int
	CPU        time.Duration // user and system CPU time so far (getrusage); 0 when unknown
	Peak       makeup        // sampled: the make-up of the largest resident set seen
}

// runChild is the bot process: the production wiring, answering "stats"
// (answerStats) until its input ends, which stops the bot the way SIGTERM
// does.
func runChild(getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	done := make(chan error, 1)
	go func() { done <- serve(ctx, getenv, logger) }()
	peak := newPeakSampler()
	go peak.run(ctx)
	if err := answerStats(stdin, stdout, peak); err != nil {
		return err
	}
	cancel()
	return <-done
}

// answerStats answers each "stats" line on stdin with one JSON line of the
// process's numbers on stdout, until stdin ends.
func answerStats(stdin io.Reader, stdout io.Writer, peak *peakSampler) error {
	enc := json.NewEncoder(stdout)
	lines := bufio.NewScanner(stdin)
	for lines.Scan() {
		if lines.Text() != "stats" {
			continue
		}
		s := readStats()
		if peak != nil {
			s.Peak = peak.largest()
		}
		if err := enc.Encode(s); err != nil {
			return fmt.Errorf("report stats: %w", err)
		}
	}
	return lines.Err()
}

// serve runs the production wiring (bot.Serve) with the configuration the
// environment gives: the fakes' URLs and credentials, defaults for the rest.
func serve(ctx context.Context, getenv func(string) string, logger *slog.Logger) error {
	cfg, err := bot.LoadConfig(getenv)
	if err != nil {
		return err
	}
	return bot.Serve(ctx, cfg, logger)
}

func readStats() procStats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return procStats{Mallocs: m.Mallocs, PeakRSS: peakRSS(), Goroutines: runtime.NumGoroutine(), CPU: cpuTime()}
}

// peakRSS returns the process's peak resident set size (VmHWM) in bytes, or
// 0 where /proc is not available.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kib << 10
		}
	}
	return 0
}

// botProc is a running bot process, seen from the benchmark.
type botProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Scanner
	logs   *logTally
	exited chan error
}

// startBot starts the bot in a child process against w and waits until
// every one of its Socket Mode connections is open.
func startBot(ctx context.Context, exe string, w *world, env ...string) (*botProc, error) {
	return startProc(ctx, exe, childArg, w, env...)
}

// startProc starts this binary as child arg (the bot, or slack-go alone)
// against w and waits until every one of its Socket Mode connections is
// open.
func startProc(ctx context.Context, exe, arg string, w *world, env ...string) (*botProc, error) {
	cmd := exec.Command(exe, arg)
	cmd.Env = append(os.Environ(), w.env(env...)...)
	logs := &logTally{}
	cmd.Stderr = logs
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start bot process: %w", err)
	}
	b := &botProc{cmd: cmd, stdin: stdin, stdout: bufio.NewScanner(stdout), logs: logs, exited: make(chan error, 1)}
	go func() { b.exited <- cmd.Wait() }()

	cctx, cancel := context.WithTimeout(ctx, w.socketsOpenWithin())
	defer cancel()
	connected := make(chan error, 1)
	go func() { connected <- waitSockets(cctx, w) }()
	select {
	case err = <-connected:
	case err = <-b.exited:
		err = fmt.Errorf("bot exited before connecting (%v): %s", err, logs.tail())
	}
	if err != nil {
		b.stop()
		return nil, fmt.Errorf("bot did not connect: %w", err)
	}
	return b, nil
}

// waitSockets waits until the bot has w.connections sockets open (one when
// it has its default), so that a burst is spread over all of them: with rate
// limits on, a minute for each socket after the first. The fake signals only
// the first, so the rest are polled.
func waitSockets(ctx context.Context, w *world) error {
	if err := w.slack.WaitConnected(ctx); err != nil {
		return err
	}
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for w.slack.OpenConnections() < max(w.connections, 1) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d of %d sockets open: %w", w.slack.OpenConnections(), w.connections, ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}

// stats asks the bot process for its numbers.
func (b *botProc) stats() (procStats, error) {
	if _, err := io.WriteString(b.stdin, "stats\n"); err != nil {
		return procStats{}, fmt.Errorf("ask the child for stats: %w", err)
	}
	if !b.stdout.Scan() {
		return procStats{}, fmt.Errorf("child stats: %w", errors.Join(b.stdout.Err(), io.ErrUnexpectedEOF))
	}
	var s procStats
	if err := json.Unmarshal(b.stdout.Bytes(), &s); err != nil {
		return procStats{}, fmt.Errorf("child stats: %w", err)
	}
	return s, nil
}

// stop ends the bot's input, which shuts it down gracefully, and kills it
// if it has not exited within 30 s.
func (b *botProc) stop() {
	_ = b.stdin.Close()
	select {
	case <-b.exited:
	case <-time.After(30 * time.Second):
		_ = b.cmd.Process.Kill()
		<-b.exited
	}
}

// logTally counts the warnings and errors the bot logs and keeps the last few.
type logTally struct {
	mu       sync.Mutex
	partial  []byte
	warnings int
	errors   int
	last     []string
}

func (t *logTally) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.partial = append(t.partial, p...)
	for {
		i := bytes.IndexByte(t.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(t.partial[:i])
		t.partial = t.partial[i+1:]
		switch {
		case strings.Contains(line, `"level":"ERROR"`):
			t.errors++
		case strings.Contains(line, `"level":"WARN"`):
			t.warnings++
		case strings.HasPrefix(line, "{"):
			continue
		}
		t.last = append(t.last, line)
		if len(t.last) > 5 {
			t.last = t.last[1:]
		}
	}
}

// counts returns the warnings and errors logged so far.
func (t *logTally) counts() (warnings, errors int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.warnings, t.errors
}

// tail returns the last warnings, errors and non-JSON lines.
func (t *logTally) tail() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.last, "\n")
}
