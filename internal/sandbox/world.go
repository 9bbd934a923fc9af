// Package sandbox runs the whole bot on one machine without a Slack or
// Huawei account: an embedded Slack workspace and Huawei Cloud Meeting
// simulator (the project's fakes, with seed data), and a prompt where you
// act as a Slack user. The bot itself is the production wiring, unchanged;
// it only has its API URLs pointed at 127.0.0.1.
package sandbox

import (
	"fmt"
	"time"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/preflight"
	"github.com/meet-invite/meet-invite/internal/slackfake"
	"github.com/meet-invite/meet-invite/internal/store"
)

// Credentials of the simulated meeting service. They are not secrets: they
// exist only inside the sandbox.
const (
	appID  = "5a4d9bd3c2e14f0d8b6e7a9c1f2d3e4b"
	appKey = "sandbox-app-key"
	chair  = "246810"
)

// lookupTTL is how long the sandbox's bot remembers what it looked up about
// a person, their language included, unless LOOKUP_CACHE_TTL says.
const lookupTTL = "5s"

// answerAfter is how long a simulated call rings before it is answered.
const answerAfter = 10 * time.Second

// sandboxDefaults are the sandbox's own defaults, where the environment sets
// nothing: no database file, phones rung after the app has rung half as
// long as a simulated call takes to be answered, to show escalation, and
// the form's picker listing every simulated meeting (none is Carol's).
var sandboxDefaults = map[string]string{
	"DATABASE_URL":        store.Memory,
	"ESCALATE_AFTER":      (answerAfter / 2).String(),
	"PICKER_ALL_MEETINGS": "on",
}

// World is a simulated Slack workspace and meeting service, seeded.
type World struct {
	Slack   *slackfake.Server
	Meeting *meetingfake.Server
}

// Start starts both simulators on 127.0.0.1 with the seed data.
func Start() (*World, error) {
	// The workspace has the app installed from manifest.yml, with its scopes.
	sf, err := slackfake.Start(slackfake.Config{Users: users, Channels: channels, Groups: groups, Scopes: preflight.ManifestScopes})
	if err != nil {
		return nil, fmt.Errorf("start simulated Slack: %w", err)
	}
	mf, err := StartMeeting()
	if err != nil {
		sf.Close()
		return nil, err
	}
	sf.Thread(threadChannel, threadTS, thread)
	return &World{Slack: sf, Meeting: mf}, nil
}

// A seeded conversation in #general, for the message shortcut.
const (
	threadChannel = "CGENERAL"
	threadTS      = "1764000000.000100"
)

var thread = []slackfake.ThreadMessage{
	{User: "UALICE", Text: "The build is red again. Can we get on a call?", TS: threadTS},
	{User: "UBOB", Text: "Yes, I have ten minutes.", TS: "1764000060.000200"},
	{User: "UDAVE", Text: "Count me in.", TS: "1764000120.000300"},
	{User: "UCAROL", Text: "Starting 914083136 now.", TS: "1764000180.000400"},
}

// StartMeeting starts the simulated meeting service alone, with the seed
// meetings and directory, for running against a real Slack workspace.
// MeetingCredentials are the credentials it accepts.
func StartMeeting() (*meetingfake.Server, error) {
	mf, err := meetingfake.Start(meetingfake.Config{
		AppID: appID, AppKey: appKey,
		PSTNEnabled:  true,
		Conferences:  conferences,
		Directory:    directory,
		AnswerAfter:  answerAfter,
		CallOutcomes: callOutcomes,
	})
	if err != nil {
		return nil, fmt.Errorf("start simulated meeting service: %w", err)
	}
	// Carol started the weekly sync and is in it.
	mf.Join("914083136", meetingfake.Participant{Name: "Carol Chen", Number: "+99111244216210001", Role: 1})
	return mf, nil
}

// MeetingCredentials returns the App ID and App Key the simulated meeting
// service accepts.
func MeetingCredentials() (id, key string) { return appID, appKey }

// Getenv returns the bot configuration that points at the simulators,
// falling back to getenv for everything else (log level, limits).
func (w *World) Getenv(getenv func(string) string) func(string) string {
	env := map[string]string{
		"SLACK_BOT_TOKEN":  w.Slack.BotToken(),
		"SLACK_APP_TOKEN":  w.Slack.AppToken(),
		"SLACK_API_URL":    w.Slack.APIURL(),
		"MEETING_API_URL":  w.Meeting.URL(),
		"MEETING_APP_ID":   appID,
		"MEETING_APP_KEY":  appKey,
		"MEETING_USER_ID":  "",
		"MEETING_ACCOUNT":  "",
		"MEETING_PASSWORD": "",
	}
	if getenv("LOOKUP_CACHE_TTL") == "" {
		env["LOOKUP_CACHE_TTL"] = lookupTTL // so that /locale shows soon
	}
	return func(name string) string {
		if v, ok := env[name]; ok {
			return v
		}
		if v := getenv(name); v != "" || sandboxDefaults[name] == "" {
			return v
		}
		return sandboxDefaults[name]
	}
}

// Close stops both simulators.
func (w *World) Close() {
	w.Slack.Close()
	w.Meeting.Close()
}

// The seed: people with every kind of profile the bot has to handle.
var (
	users = []slackfake.User{
		{ID: "UCAROL", Name: "carol", RealName: "Carol Chen", DisplayName: "Carol", Email: "carol@example.com", Title: "Team lead"},
		{ID: "UALICE", Name: "alice", RealName: "Alice Wang", DisplayName: "Alice", Email: "alice@example.com", Phone: "+86 138 0000 0001", Title: "Engineer"},
		{ID: "UBOB", Name: "bob", RealName: "Bob Smith", Phone: "+44 20 7946 0000", Title: "Designer"},
		{ID: "UDAVE", Name: "dave", RealName: "Dave Jones", Email: "dave@partner.example", Title: "Contractor"},
		{ID: "UERIN", Name: "erin", RealName: "Erin Park", Email: "erin@example.com", Deleted: true},
		{ID: "UFRANK", Name: "frank", RealName: "Frank Li", Phone: "138 0000 0002"},
		{ID: "UGINA", Name: "gina", RealName: "Gina Rossi"},
		{ID: "UHANK", Name: "hank", RealName: "Hank Moss", Phone: "+1 415 555 0100", Title: "Always on another call"},
		{ID: "UDEPLOY", Name: "deploybot", RealName: "Deploy Bot", IsBot: true},
	}
	channels = []slackfake.Channel{
		{ID: "CGENERAL", Name: "general", Members: []string{"UCAROL", "UALICE", "UBOB", "UDAVE", "UFRANK", "UGINA"}, BotIsMember: true},
		{ID: "CPROJECT", Name: "project-x", Private: true, Members: []string{"UCAROL", "UALICE", "UBOB"}},
	}
	groups = []slackfake.Group{
		{ID: "SENG", Handle: "eng", Name: "Engineering", Members: []string{"UALICE", "UBOB", "UDAVE"}},
	}
	conferences = []meetingfake.Conference{
		{ID: "914083136", Subject: "Weekly sync", State: meetingfake.StateCreated, ChairPassword: chair, GuestPassword: "1357"},
		{ID: "986030665", Subject: "Design review", State: meetingfake.StateSchedule, ChairPassword: chair},
		{ID: "900825541", Subject: "Sprint retro", State: meetingfake.StateDestroyed, ChairPassword: chair},
		{ID: "955555555", Subject: "Board call", State: meetingfake.StateCreated, ChairPassword: chair, MaxParticipants: 1},
		// A meeting in Carol's fixed-ID room: people type the room's number,
		// 88812345, which confDetail does not know; the bot finds the
		// running meeting behind it.
		{ID: "914000777", Subject: "Room 88812345", State: meetingfake.StateCreated, ChairPassword: chair, RoomID: "88812345"},
	}
	// Hank is always busy: his calls fail, and the post says so.
	callOutcomes = map[string]meetingfake.CallOutcome{"+14155550100": meetingfake.CallBusy}
	directory    = []meetingfake.DirectoryUser{
		{ID: "d-carol", Account: "carol", Name: "Carol Chen", Email: "carol@example.com", Number: "+99111244216210001"},
		{ID: "d-alice", Account: "alice", Name: "Alice Wang", Email: "alice@example.com", Number: "+99111244216210249", Phone: "+8613800000001"},
	}
)
