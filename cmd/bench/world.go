package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
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
	channelID       = "CBENCH"
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
}

// personID is the Slack user ID of the i-th seeded person.
func personID(i int) string { return fmt.Sprintf("UP%05d", i) }

// e2eConference is the r-th running conference for end-to-end runs.
func e2eConference(r int) string { return fmt.Sprintf("8%08d", r) }

func startWorld(people, conferences int, latency time.Duration) (*world, error) {
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

	sf, err := slackfake.Start(slackfake.Config{
		Users:    users,
		Channels: []slackfake.Channel{{ID: channelID, Name: "bench", Members: []string{invokerID}, BotIsMember: true}},
		Latency:  latency,
	})
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
	return &world{slack: sf, meet: mf}, nil
}

func (w *world) close() {
	w.slack.Close()
	w.meet.Close()
}

// env is the bot's configuration pointing at the fakes, under the variable
// names cmd/bot reads.
func (w *world) env() []string {
	return []string{
		"SLACK_BOT_TOKEN=" + w.slack.BotToken(),
		"SLACK_APP_TOKEN=" + w.slack.AppToken(),
		"SLACK_API_URL=" + w.slack.APIURL(),
		"MEETING_API_URL=" + w.meet.URL(),
		"MEETING_APP_ID=" + appID,
		"MEETING_APP_KEY=" + appKey,
		"DATABASE_URL=" + cmp.Or(w.databaseURL, store.Memory), // no file written unless asked
		"SOCKET_CONNECTIONS=" + strconv.Itoa(cmp.Or(w.connections, 2)),
	}
}

// useDatabase gives the bot a store of its own: in memory, a new SQLite
// file, or a new schema in the PostgreSQL at a postgres:// URL. drop
// removes the file or schema.
func (w *world) useDatabase(database string) (drop func(), err error) {
	switch {
	case database == "memory":
		w.databaseURL = store.Memory
		return func() {}, nil
	case database == "sqlite":
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
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "bench_" + hex.EncodeToString(b)
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
		_, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE")
		_ = db.Close()
	}, nil
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
