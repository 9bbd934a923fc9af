// Command bench measures the real bot — the same wiring as cmd/bot: slack-go's
// Socket Mode client, the handlers, the inviter and the Huawei client —
// against the project's fakes of Slack and Huawei Cloud Meeting, with a fixed
// latency added to every upstream call, and prints Markdown tables:
// acknowledgement latency under bursts of concurrent slash commands,
// end-to-end time of a 10-person invitation next to its dependency limit,
// upstream calls per invited person, peak memory and allocations, and the CPU
// a command takes to its ack.
//
// The fake Slack applies Slack's published rate limits (chat.postMessage
// about once a second per channel, each other method its tier per minute),
// and a burst is spread over -channels channels, so the report says what
// holds against real Slack: posts and updates delivered, 429s received,
// time to the last post. -limits=false shows the bot's own capacity.
//
// Each burst runs once for each of -connections' Socket Mode connection
// counts (the bot's SOCKET_CONNECTIONS). The bot's store is SQLite in memory
// (no file written) unless -database says otherwise: "sqlite" gives each bot
// a new temporary file, removed after; a postgres:// URL a new schema,
// dropped after. With -limits, apps.connections.open is Tier 1 (one a
// minute), so each socket after the first takes a minute to open; a burst
// waits for all.
//
//	go run ./cmd/bench                 # bursts of 200 and 1000 over 50 channels, 50 ms per upstream call
//	go run ./cmd/bench -quick          # small sizes, for CI
//	go run ./cmd/bench -latency 20ms -burst 100,500 -repeats 9 -limits=false
//	go run ./cmd/bench -burst 1000 -connections 1,2,4 -database sqlite
//	go run ./cmd/bench -limits=false -burst 1000 -connections 1,2,4 -floor
//
// -floor also sends each burst to slack-go's Socket Mode client alone, as the
// bot uses it, acknowledging at once and doing nothing else (this binary
// with the argument "floor"): the floor under the bot's ack latency here.
//
// The bot runs in a child process (this binary with the argument "bot"), so
// its memory and allocations are its own and a cold start has nothing cached.
// It fails when a command is not acknowledged exactly once or has no outcome.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == floorArg {
		if err := runFloor(os.Getenv, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintf(os.Stderr, "bench floor: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == childArg {
		if err := runChild(os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintf(os.Stderr, "bench bot: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
}

// options are the benchmark's flags.
type options struct {
	latency    time.Duration
	bursts     []int
	repeats    int // end-to-end repeats of each case
	quick      bool
	limits     bool          // the fake Slack applies Slack's rate limits
	channels   int           // a burst's commands come from this many channels, in turn
	updateWait time.Duration // how long a burst waits for its posts' final updates
	// connections are the bot's Socket Mode connection counts
	// (SOCKET_CONNECTIONS); each burst runs with each.
	connections []int
	// database is the bot's store: "memory" (SQLite in memory), "sqlite" (a
	// new temporary file per bot) or a postgres:// URL (a new schema per bot).
	database string
	// floor also measures each burst against slack-go's client alone
	// (runFloor).
	floor bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	latency := fs.Duration("latency", 50*time.Millisecond, "latency added to every Slack Web API and Huawei call, on both fakes")
	burst := fs.String("burst", "200,1000", "comma-separated burst sizes: slash commands sent at once")
	repeats := fs.Int("repeats", 5, "repeats of each end-to-end case (each cold one with a fresh bot process); 0: bursts only")
	quick := fs.Bool("quick", false, `small sizes for CI: -burst 20 -repeats 2 -channels 5 -update-wait 30s -connections 1 unless given`)
	limits := fs.Bool("limits", true, "the fake Slack applies Slack's published rate limits")
	channels := fs.Int("channels", 50, "channels a burst's commands come from, in turn")
	updateWait := fs.Duration("update-wait", time.Minute, "how long a burst waits for its posts' final updates (chat.update is Tier 3: about 50 a minute)")
	conns := fs.String("connections", "2", "comma-separated Socket Mode connection counts, 1 to 10 (the bot's SOCKET_CONNECTIONS): each burst runs with each, "+
		"once all are open (with -limits, a minute for each after the first: apps.connections.open is Tier 1)")
	floor := fs.Bool("floor", false, "also send each burst to slack-go's Socket Mode client alone, acknowledging at once and doing nothing else: the floor under the bot's ack latency on this machine")
	database := fs.String("database", "memory", `the bot's store: "memory" (SQLite in memory: no file written), "sqlite" (a new temporary file per bot, like production's default, removed after) or a postgres:// URL (a new schema per bot, dropped after)`)
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	o := options{latency: *latency, repeats: *repeats, quick: *quick, limits: *limits, channels: *channels, updateWait: *updateWait, database: *database, floor: *floor}
	var err error
	switch {
	case o.database == "memory", o.database == "sqlite", strings.HasPrefix(o.database, "postgres://"), strings.HasPrefix(o.database, "postgresql://"):
	default:
		return options{}, errors.New("-database: want memory, sqlite or a postgres:// URL")
	}
	if o.quick && !set["burst"] {
		*burst = "20"
	}
	if o.quick && !set["repeats"] {
		o.repeats = 2
	}
	if o.quick && !set["channels"] {
		o.channels = 5
	}
	if o.quick && !set["update-wait"] {
		o.updateWait = 30 * time.Second
	}
	if o.quick && !set["connections"] {
		*conns = "1" // a second socket would wait a minute for apps.connections.open (Tier 1)
	}
	if o.connections, err = counts("connections", *conns, maxConnections); err != nil {
		return options{}, err
	}
	if o.bursts, err = counts("burst", *burst, math.MaxInt); err != nil {
		return options{}, err
	}
	if o.latency <= 0 || o.repeats < 0 || o.channels < 1 || o.updateWait < 0 {
		return options{}, errors.New("-latency and -channels must be positive, -repeats not negative")
	}
	return o, nil
}

// counts parses flag name's comma-separated list of numbers from 1 to most.
func counts(name, list string, most int) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > most {
			return nil, fmt.Errorf("-%s: %q is not a number from 1 to %d", name, f, most)
		}
		out = append(out, n)
	}
	return out, nil
}

// run is the whole benchmark; it prints the report on stdout and progress
// on stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable: %w", err)
	}
	b := &bench{opts: opts, exe: exe, progress: stderr}
	// Enough people that every burst and every 10-person case names people
	// the bot has not looked up yet, and a realistic directory to search.
	b.people = max(1000, slices.Max(opts.bursts)) + 2*e2ePeople*opts.repeats

	var rep report
	rep.opts = opts
	for _, n := range opts.bursts {
		for _, c := range opts.connections {
			if opts.floor {
				f, err := b.floor(ctx, n, c)
				if err != nil {
					return fmt.Errorf("floor of %d over %d connections: %w", n, c, err)
				}
				rep.floors = append(rep.floors, f)
			}
			r, err := b.burst(ctx, n, c)
			if err != nil {
				return fmt.Errorf("burst of %d over %d connections: %w", n, c, err)
			}
			rep.bursts = append(rep.bursts, r)
		}
	}
	if opts.repeats > 0 {
		if rep.e2e, err = b.endToEnd(ctx); err != nil {
			return fmt.Errorf("end to end: %w", err)
		}
	}
	rep.write(stdout)
	if problems := rep.problems(); len(problems) > 0 {
		return fmt.Errorf("the bot misbehaved, so the numbers above are not valid:\n  - %s", strings.Join(problems, "\n  - "))
	}
	return nil
}

// bench holds what every phase needs.
type bench struct {
	opts     options
	exe      string
	people   int
	progress io.Writer
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.progress, "bench: "+format+"\n", args...)
}

// settle is how long to wait after the last expected message for anything
// that should not come (a second ack, a second outcome, a private note).
func (b *bench) settle() time.Duration { return 3*b.opts.latency + 200*time.Millisecond }

func goVersion() string {
	return fmt.Sprintf("%s %s/%s, GOMAXPROCS=%d", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0))
}
