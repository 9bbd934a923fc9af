package main

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// TestSoakLeavesBoundedMemory: 5,000 commands into 1,000 meetings leave at
// most MAX_FOLLOWED_MEETINGS meetings followed, and once CALL_STATUS_FOR is
// over, a goroutine count that depends on that cap, not on the meetings.
// It is not parallel, so that the goroutines it counts are its own bot's.
// Under the race detector it runs a fifth of the load (soakShare).
func TestSoakLeavesBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test; runs without -short")
	}
	const (
		nCommands = 5000 / soakShare
		nMeetings = 1000 / soakShare
		perCmd    = nCommands / nMeetings // commands per meeting, each calling another person
		followCap = 20
		slots     = 8 // MAX_CONCURRENT_INVITATIONS: the connection pools keep 2 idle connections per slot and service
	)
	meetingID := func(i int) string { return fmt.Sprintf("91%07d", i) }
	var people []slackfake.User
	var members []string
	for i := range perCmd {
		people = append(people, slackfake.User{ID: fmt.Sprintf("USOAK%d", i), Name: fmt.Sprintf("soak%d", i), Phone: fmt.Sprintf("+44 20 7946 20%02d", i)})
		members = append(members, people[i].ID)
	}
	// Each meeting's commands come from a channel of its own, so that posts
	// go out at Slack's pace per channel without queueing behind each other.
	channelID := func(i int) string { return fmt.Sprintf("CSOAK%05d", i) }
	var channels []slackfake.Channel
	for i := range nMeetings {
		channels = append(channels, slackfake.Channel{ID: channelID(i), Name: fmt.Sprintf("soak-%d", i), Members: append([]string{"UCAROL"}, members...), BotIsMember: true})
	}
	b := startBot(t,
		withEnv("MAX_FOLLOWED_MEETINGS", strconv.Itoa(followCap)),
		// The posts' call following is off: Slack lets a workspace update
		// about 50 messages a minute, so following thousands of posts would
		// outlast the test. Meetings are still followed (the cap under test).
		withEnv("CALL_STATUS_FOR", "off"),
		withEnv("CALLS_PER_MINUTE", "1000000"),
		withEnv("LOG_LEVEL", "warn"),
		withEnv("MAX_CONCURRENT_INVITATIONS", strconv.Itoa(slots)),
		withSlack(func(c *slackfake.Config) {
			c.Users = append(c.Users, people...)
			c.Channels = append(c.Channels, channels...)
		}),
		withMeeting(func(c *meetingfake.Config) {
			c.AnswerAfter = 20 * time.Millisecond // calls are answered: the posts' following ends early
			for i := range nMeetings {
				c.Conferences = append(c.Conferences, meetingfake.Conference{ID: meetingID(i), Subject: "Soak", State: meetingfake.StateCreated, ChairPassword: chairPassword})
			}
		}))
	b.settle(t)
	before := runtime.NumGoroutine()

	// Meeting after meeting, so that the cap of followed meetings churns.
	next := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range next {
				b.command(t, channelID(i/perCmd), meetingID(i/perCmd)+" <@"+people[i%perCmd].ID+">")
			}
		})
	}
	for i := range nCommands {
		next <- i
	}
	close(next)
	wg.Wait()

	require.Eventually(t, func() bool { return b.meet.Calls(meetingfake.EndpointInvite) >= nCommands }, 50*time.Second, 50*time.Millisecond,
		"every command invites")
	b.settle(t, "calls")

	// (Confirmation cards and recent calls are kept in the store, which
	// prunes its expired rows.)
	for _, table := range []string{"envelopes", "envelope_arrivals", "posts", "ended_meetings",
		"people", "call_limits", "started_meetings", "unsure_meetings", "running_answers", "guard_people", "guard_groups", "guard_dms", "meetings_prepared", "call_cards"} {
		metric(t, b, `meet_invite_table_entries{table="`+table+`"}`) // every table says its size
	}
	followed := metric(t, b, `meet_invite_table_entries{table="followed_meetings"}`)
	assert.LessOrEqual(t, followed, followCap, "meetings followed")
	assert.Positive(t, followed)
	// What may remain: each followed meeting's watch, in the bot and in the
	// fake (a few goroutines each), and the idle keep-alive connections of
	// the two pools (Slack, Huawei; three goroutines each, with the fakes'
	// side). Everything else has ended; closed sockets' goroutines end just
	// after, hence the wait.
	bound := before + 8*followCap + 3*2*2*slots + 50
	if !assert.Eventually(t, func() bool { return runtime.NumGoroutine() <= bound }, 10*time.Second, 20*time.Millisecond,
		"goroutines: %d before the commands, bound %d", before, bound) {
		var sb strings.Builder
		_ = pprof.Lookup("goroutine").WriteTo(&sb, 1)
		t.Log(sb.String()[:min(sb.Len(), 20000)])
	}
	t.Logf("goroutines: %d before, %d after; %d meetings followed", before, runtime.NumGoroutine(), followed)
}

// metric reads one sample from the bot's /metrics.
func metric(t *testing.T, b *harness, series string) int {
	t.Helper()
	resp, err := http.Get("http://" + b.ops + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\d+)$`).FindSubmatch(body)
	require.NotNil(t, m, "%s in /metrics", series)
	n, err := strconv.Atoi(string(m[1]))
	require.NoError(t, err)
	return n
}
