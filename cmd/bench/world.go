package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackfake"
	"github.com/meet-invite/meet-invite/internal/store"
)

// Credentials and names of the benchmark's simulated workspace. They exist
// only inside the fakes.
const (
	appID           = "4be1c0a9d2f34e5b8c7d6e5f4a3b2c1d"
	appKey          = "bench-app-key"
	chairPassword   = "135790"
	invokerID       = "UINVOKER"
	burstConference = "914083136"
)

// world is a fresh pair of fakes: a Slack workspace whose people all have an
// email and a phone, a Huawei directory with a meeting (SIP) number for each
// of them, and running conferences. Both add latency to every answer.
type world struct {
	slack       *slackfake.Server
	meet        *meetingfake.Server
	databaseURL string // the bot's DATABASE_URL; "" = in memory
	connections int    // the bot's SOCKET_CONNECTIONS; 0 = its default
	limits      bool   // the fake Slack applies Slack's rate limits
}

// maxConnections is how many Socket Mode connections Slack allows an app.
const maxConnections = slackfake.MaxConnections

// channelName is the ID of the i-th channel of the workspace.
func channelName(i int) string { return fmt.Sprintf("CBENCH%03d", i) }

// personID is the Slack user ID of the i-th seeded person.
func personID(i int) string { return fmt.Sprintf("UP%05d", i) }

// e2eConference is the r-th running conference for end-to-end runs.
func e2eConference(r int) string { return fmt.Sprintf("8%08d", r) }

// startWorld seeds channels channels (the invoker and the bot in each) and,
// with limits, turns on the fake Slack's rate limits: chat.postMessage about
// once a second per channel, every other method its tier per minute.
func startWorld(people, conferences, channels int, latency time.Duration, limits bool) (*world, error) {
	users := make([]slackfake.User, 0, people+1)
	users = append(users, slackfake.User{ID: invokerID, Name: "carol", RealName: "Carol Invoker", Email: "carol@example.com"})
	dir := make([]meetingfake.DirectoryUser, 0, people)
	for i := range people {
		name := fmt.Sprintf("Person %d", i)
		email := fmt.Sprintf("p%05d@example.com", i)
		users = append(users, slackfake.User{
			ID: personID(i), Name: fmt.Sprintf("p%05d", i), RealName: name, DisplayName: name,
			Email: email, Phone: fmt.Sprintf("+44 20 79%06d", i),
		})
		dir = append(dir, meetingfake.DirectoryUser{
			Account: fmt.Sprintf("p%05d", i), Name: name, Email: email,
			Number: fmt.Sprintf("+9911124420%07d", i), Phone: fmt.Sprintf("+86138%08d", i),
		})
	}
	confs := []meetingfake.Conference{{ID: burstConference, Subject: "All hands", ChairPassword: chairPassword}}
	for r := range conferences {
		confs = append(confs, meetingfake.Conference{ID: e2eConference(r), Subject: fmt.Sprintf("Sync %d", r), ChairPassword: chairPassword})
	}

	chans := make([]slackfake.Channel, max(1, channels))
	for i := range chans {
		chans[i] = slackfake.Channel{ID: channelName(i), Name: fmt.Sprintf("bench-%d", i), Members: []string{invokerID}, BotIsMember: true}
	}
	var rl *slackfake.RateLimits
	if limits {
		rl = &slackfake.RateLimits{}
	}
	sf, err := slackfake.Start(slackfake.Config{Users: users, Channels: chans, Latency: latency, RateLimits: rl})
	if err != nil {
		return nil, fmt.Errorf("start fake Slack: %w", err)
	}
	mf, err := meetingfake.Start(meetingfake.Config{
		AppID: appID, AppKey: appKey,
		PSTNEnabled: true,
		Conferences: confs,
		Directory:   dir,
		Latency:     latency,
	})
	if err != nil {
		sf.Close()
		return nil, fmt.Errorf("start fake meeting service: %w", err)
	}
	return &world{slack: sf, meet: mf, limits: limits}, nil
}

func (w *world) close() {
	w.slack.Close()
	w.meet.Close()
}

// env is the bot's configuration pointing at the fakes, under the variable
// names cmd/bot reads, with extra settings ("NAME=value") after.
func (w *world) env(extra ...string) []string {
	return append([]string{
		"SLACK_BOT_TOKEN=" + w.slack.BotToken(),
		"SLACK_APP_TOKEN=" + w.slack.AppToken(),
		"SLACK_API_URL=" + w.slack.APIURL(),
		"MEETING_API_URL=" + w.meet.URL(),
		"MEETING_APP_ID=" + appID,
		"MEETING_APP_KEY=" + appKey,
		"DATABASE_URL=" + cmp.Or(w.databaseURL, store.Memory), // no file written unless asked
		// One invoker sends every command: the per-person limit on people
		// called would refuse all but the first minute's; the benchmark
		// measures the bot's capacity.
		"CALLS_PER_MINUTE=1000000",
		// The benchmark measures invitations and their posts: the direct
		// messages to the people called would be as many posts again.
		"RINGING_DMS=off",
	}, append(append(w.connectionsEnv(), w.secretEnv()...), extra...)...)
}

// secretEnv is the button key PostgreSQL requires (BUTTON_SECRET): on an
// SQLite store the bot makes and keeps its own.
func (w *world) secretEnv() []string {
	if !strings.HasPrefix(w.databaseURL, "postgres") {
		return nil
	}
	return []string{"BUTTON_SECRET=bench-" + strings.Repeat("k", 32)}
}

// socketsOpenWithin is how long the bot may take to open all its Socket Mode
// connections: apps.connections.open is Tier 1, so with rate limits on the
// fake lets one through a minute and slack-go waits out each 429.
func (w *world) socketsOpenWithin() time.Duration {
	const connect = 15 * time.Second
	if !w.limits {
		return connect
	}
	perMinute := slackfake.MethodTiers["apps.connections.open"]
	return connect + time.Duration((max(w.connections, 1)-1+perMinute-1)/perMinute)*time.Minute
}

// connectionsEnv sets SOCKET_CONNECTIONS when w.connections does.
func (w *world) connectionsEnv() []string {
	if w.connections == 0 {
		return nil
	}
	return []string{"SOCKET_CONNECTIONS=" + strconv.Itoa(w.connections)}
}

// useDatabase gives the bot a store of its own: in memory, a new SQLite
// file, or a new schema in the PostgreSQL at a postgres:// URL. drop
// removes the file or schema.
func (w *world) useDatabase(database string) (drop func(), err error) {
	switch database {
	case "memory":
		w.databaseURL = store.Memory
		return func() {}, nil
	case "sqlite":
		dir, err := os.MkdirTemp("", "meet-invite-bench-")
		if err != nil {
			return nil, err
		}
		w.databaseURL = "sqlite:" + filepath.Join(dir, "bench.db")
		return func() { _ = os.RemoveAll(dir) }, nil
	}
	db, err := sql.Open("pgx", database)
	if err != nil {
		return nil, err
	}
	schema := "bench_" + strings.ToLower(rand.Text()[:12])
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("create a schema for the bot: %w", err)
	}
	sep := "?"
	if strings.Contains(database, "?") {
		sep = "&"
	}
	w.databaseURL = database + sep + "search_path=" + schema
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
		_ = db.Close()
	}, nil
}

// rateLimited is how many calls the fake Slack answered with 429, by method.
func (w *world) rateLimited() map[string]int {
	out := map[string]int{}
	for _, m := range slackMethods {
		if n := w.slack.RateLimited(m); n > 0 {
			out[m] = n
		}
	}
	return out
}

// Every Web API method and endpoint the fakes count.
var (
	slackMethods = []string{
		"apps.connections.open", "auth.test", "users.info", "users.lookupByEmail", "usergroups.users.list",
		"conversations.members", "conversations.replies", "views.open", "views.push", "views.update",
		"chat.postMessage", "chat.postEphemeral", "chat.update", "response_url",
	}
	meetingEndpoints = []string{
		meetingfake.EndpointAppAuth, meetingfake.EndpointAccountAuth, meetingfake.EndpointConfDetail,
		meetingfake.EndpointControlToken, meetingfake.EndpointInvite, meetingfake.EndpointDirectory,
		meetingfake.EndpointRealTimeInfo, meetingfake.EndpointOnlineAttendees, meetingfake.EndpointWsToken,
		meetingfake.EndpointWebSocket,
	}
)

// calls is a snapshot of the fakes' call counters.
type calls struct {
	slack, meet map[string]int
}

func (w *world) calls() calls {
	c := calls{slack: map[string]int{}, meet: map[string]int{}}
	for _, m := range slackMethods {
		c.slack[m] = w.slack.Calls(m)
	}
	for _, e := range meetingEndpoints {
		c.meet[e] = w.meet.Calls(e)
	}
	return c
}

// since returns the calls made after before.
func (c calls) since(before calls) calls {
	d := calls{slack: map[string]int{}, meet: map[string]int{}}
	for k, v := range c.slack {
		d.slack[k] = v - before.slack[k]
	}
	for k, v := range c.meet {
		d.meet[k] = v - before.meet[k]
	}
	return d
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
