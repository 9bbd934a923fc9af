package slackapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meetingfake"
	"github.com/meet-invite/meet-invite/internal/slackapp"
	"github.com/meet-invite/meet-invite/internal/slackfake"
	"github.com/meet-invite/meet-invite/internal/store"
)

// carolInApp makes Carol, the invoker of these tests, reachable in the
// meeting app: the directory knows her Slack email.
func carolInApp(a *app) {
	a.meet.AddDirectoryUser(meetingfake.DirectoryUser{ID: "carol-uuid", Name: "Carol Invoker", Email: "carol@example.com", Number: "+99111244216210249"})
}

// private reports whether only the invoker sees m.
func private(m slackfake.Message) bool {
	return m.Kind == "ephemeral" || m.Kind == "response" && m.ResponseType != "in_channel" || strings.HasPrefix(m.Channel, "D")
}

var meetingIDRe = regexp.MustCompile(`\(meeting (\d+)\)`)

// startedID is the meeting a started-meeting post names.
func startedID(t *testing.T, post slackfake.Message) string {
	t.Helper()
	m := meetingIDRe.FindStringSubmatch(post.Text)
	require.NotNil(t, m, "the post names the meeting: %q", post.Text)
	return m[1]
}

// channelPost is the one message of msgs posted where others see it.
func channelPost(t *testing.T, msgs []slackfake.Message) slackfake.Message {
	t.Helper()
	var posts []slackfake.Message
	for _, m := range msgs {
		if !private(m) {
			posts = append(posts, m)
		}
	}
	require.Len(t, posts, 1, "one post in the channel: %+v", msgs)
	return posts[0]
}

// assertHostLinkPrivate checks that the meeting's host link reached the
// invoker privately, once, and no message anyone else sees.
func assertHostLinkPrivate(t *testing.T, a *app, id string) {
	t.Helper()
	host := a.meet.JoinLink(id, true)
	require.NotEmpty(t, host)
	seen := 0
	for _, m := range a.slack.Messages() {
		if !strings.Contains(m.Text+string(m.Blocks), host) {
			continue
		}
		assert.True(t, private(m), "the host link reached a channel: %+v", m)
		assert.Equal(t, "UCAROL", m.User, "only to the invoker")
		seen++
	}
	assert.Equal(t, 1, seen, "the invoker is given the host link once")
}

func TestNowStartsOneMeetingAndRingsThePeopleWithTheInvokerAsHost(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{})
	carolInApp(a)

	_, ack, err := a.slack.SlashCommand(t.Context(), slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL",
		Text: "now <@UCROWD0000|crowd0> <@UCROWD0001|crowd1>"})
	require.NoError(t, err)
	assert.Contains(t, string(ack.Payload), "Starting a meeting and calling 2 people into it")

	post := channelPost(t, a.waitMessages(t, 2))
	id := startedID(t, post)
	assert.Equal(t, 1, a.meet.Calls(meetingfake.EndpointCreateMeeting), "exactly one meeting")
	assert.Contains(t, post.Text, "<@UCAROL> started Meeting in #general (meeting "+id+") and invited 2 people.")
	assert.Contains(t, string(post.Blocks), a.meet.JoinLink(id, false), "the Join button has the guest link")

	invs := a.meet.Invitations(id)
	require.Len(t, invs, 1, "one invite request")
	roles := map[string]int{}
	for _, at := range invs[0].Attendees {
		require.NotNil(t, at.Role)
		roles[at.Phone] = *at.Role
	}
	assert.Equal(t, map[string]int{"+99111244216210249": 1, "+442079400000": 0, "+442079400001": 0}, roles,
		"the invoker is called in as host, the others as participants")
	assertHostLinkPrivate(t, a, id)
}

func TestNowAloneOnlyStartsTheMeeting(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{StartSubject: "Stand-up of {user} in #{channel}"})

	_, ack, err := a.slack.SlashCommand(t.Context(), slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: "now"})
	require.NoError(t, err)
	assert.Contains(t, string(ack.Payload), "Starting a meeting…")

	msgs := a.waitMessages(t, 2)
	post := channelPost(t, msgs)
	id := startedID(t, post)
	assert.Contains(t, post.Text, "<@UCAROL> started Stand-up of Carol Invoker in #general (meeting "+id+").")
	assert.Contains(t, string(post.Blocks), a.meet.JoinLink(id, false))
	assert.Zero(t, a.meet.Calls(meetingfake.EndpointInvite), "nobody is called")
	assert.Equal(t, 1, a.meet.Calls(meetingfake.EndpointCreateMeeting))
	assertHostLinkPrivate(t, a, id)
	for _, m := range msgs {
		if private(m) {
			assert.Contains(t, m.Text, "you're its host")
			assert.NotContains(t, m.Text, "calling you", "nobody else, so the host is not called either")
		}
	}
}

// A meeting started for nobody is posted like any invitation: it is a call
// in Slack, the Home tab says it was started, and when the meeting ends the
// post says so and its Join button goes.
func TestNowAloneIsMarkedEndedWhenTheMeetingEnds(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{}, withPresence(), withScopes("calls:write"))
	a.invite(t, "now")

	post := channelPost(t, a.waitMessages(t, 2))
	id := startedID(t, post)
	call := a.waitCall(t, "registered", func(slackfake.Call) bool { return true })
	assert.Equal(t, id, call.ExternalDisplayID)
	assert.Equal(t, []string{call.ID}, callBlocks(t, post), "the post shows the meeting's call")
	assert.Contains(t, a.openHome(t, "UCAROL", 1), "<@UCAROL> started *Meeting in #general* (meeting "+id+").")

	require.Eventually(t, func() bool { return a.meet.Subscribers(id) == 1 }, 5*time.Second, 10*time.Millisecond,
		"the meeting is followed, though nobody was called into it")
	a.meet.SetState(id, meetingfake.StateDestroyed)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	ended, err := a.slack.WaitMatch(ctx, func(m slackfake.Message) bool {
		return m.Kind == "update" && m.TS == post.TS && strings.Contains(m.Text, "This meeting has ended")
	})
	require.NoError(t, err)
	assert.NotContains(t, string(ended.Blocks), a.meet.JoinLink(id, false), "no Join button once it ended")
	a.waitCall(t, "the call ended", func(c slackfake.Call) bool { return c.Ended })
}

// A meeting being created when the request runs out of time is let
// finish: it is posted as started, never reported as not started.
func TestAMeetingStartedAsTheRequestTimesOutIsReported(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{InviteTimeout: 200 * time.Millisecond})
	a.meet.FailNext(meetingfake.EndpointCreateMeeting, meetingfake.Failure{Delay: 600 * time.Millisecond}) // a slow Huawei
	a.invite(t, "now")

	msgs := a.waitMessages(t, 2)
	id := startedID(t, channelPost(t, msgs))
	assert.Equal(t, 1, a.meet.Calls(meetingfake.EndpointCreateMeeting))
	for _, m := range msgs {
		assert.NotContains(t, m.Text, "couldn't start")
	}
	assertHostLinkPrivate(t, a, id)
}

// When the meeting service gives no answer in time, the invoker is told a
// meeting may have been started, and where they would find it.
func TestAStartWithoutAnAnswerMayHaveStartedAMeeting(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{}, withInviter(commands.Config{SendTimeout: 200 * time.Millisecond}))
	a.meet.FailNext(meetingfake.EndpointCreateMeeting, meetingfake.Failure{Delay: 5 * time.Second})
	a.invite(t, "now <@UCROWD0000>")

	note := a.waitMessages(t, 1)[0]
	assert.True(t, private(note))
	assert.Contains(t, note.Text, "I asked the meeting service to start *Meeting in #general*, but no answer came back in time, so I called nobody.")
	assert.Contains(t, note.Text, "may have been started all the same: if it was, it's listed under *Your meetings*")
	assert.NotContains(t, note.Text, "I couldn't start a meeting")
	assert.Zero(t, a.meet.Calls(meetingfake.EndpointInvite))
}

// A meeting started in a private channel is never named after it (the
// picker may show its subject to people who cannot see the channel): the
// invoker's name stands in, in the default subject and in the admin's.
// An invoker whose name cannot be found leaves the admin's subject
// standing, with a neutral word.
func TestAStartedMeetingIsNotNamedAfterAPrivateChannel(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, subject, channel, want string
		nameless                     bool
	}{
		{name: "default, public", channel: "CGENERAL", want: "Meeting in #general"},
		{name: "default, private", channel: "GSECRET", want: "Carol Invoker's meeting"},
		{name: "template, private", subject: "Call in #{channel}", channel: "GSECRET", want: "Carol Invoker's meeting"},
		{name: "template, no name", subject: "Stand-up of {user}", channel: "CGENERAL", nameless: true, want: "Stand-up of a colleague"},
		{name: "default, no name", channel: "GSECRET", nameless: true, want: "Meeting from Slack"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := slackapp.Config{StartSubject: tt.subject}
			if tt.nameless {
				cfg.Persons = noLocales{} // the ack's language lookup, in the background, would take the failure
			}
			a := startApp(t, cfg)
			if tt.nameless {
				a.slack.FailNext("users.info", slackfake.Failure{Error: "fatal_error"}) // the invoker's name
			}
			_, _, err := a.slack.SlashCommand(t.Context(), slackfake.Command{UserID: "UCAROL", ChannelID: tt.channel, Text: "now"})
			require.NoError(t, err)
			id := startedID(t, channelPost(t, a.waitMessages(t, 2)))
			var subject string
			for _, c := range a.meet.Conferences() {
				if c.ID == id {
					subject = c.Subject
				}
			}
			assert.Equal(t, tt.want, subject)
		})
	}
}

// noLocales answers the app's lookups of someone's language without
// asking Slack (nobody has a locale: DEFAULT_LOCALE), so that the only
// users.info calls are the inviter's.
type noLocales struct{}

func (noLocales) Person(_ context.Context, userID string) (commands.Person, error) {
	return commands.Person{ID: userID}, nil
}

// now with as many people as an invitation may have is refused in the ack,
// counting the people named and the host apart.
func TestNowWithTheMostPeopleCountsTheHostApart(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{MaxPeople: 2})
	_, ack, err := a.slack.SlashCommand(t.Context(), slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: "now <@UCROWD0000> <@UCROWD0001>"})
	require.NoError(t, err)
	assert.Contains(t, ackText(t, ack), "That's 2 people, and you as host; I call at most 2 at a time, you included.")
	assert.Zero(t, a.meet.Calls(meetingfake.EndpointCreateMeeting))
}

func TestNowWithAMeetingIDIsRefusedInTheAck(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{})
	_, ack, err := a.slack.SlashCommand(t.Context(), slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: "now " + running + " <@UCROWD0000>"})
	require.NoError(t, err)
	assert.Contains(t, string(ack.Payload), "`now` starts a new meeting")
	assert.Zero(t, a.meet.Calls(meetingfake.EndpointCreateMeeting))
}

func TestNowFollowsTheAccessRules(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{Policy: commands.Policy{AllowedUsers: []string{"UALLOWED"}}})
	_, _, err := a.slack.SlashCommand(t.Context(), slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: "now <@UCROWD0000>"})
	require.NoError(t, err)
	note := a.waitMessages(t, 1)[0]
	assert.True(t, private(note))
	assert.Contains(t, note.Text, "You're not on the list")
	assert.Zero(t, a.meet.Calls(meetingfake.EndpointCreateMeeting), "no meeting for whoever may not invite")
}

// formWithPicker opens the form with /meet-invite alone and returns its view.
func formWithPicker(t *testing.T, a *app, channel string) slackfake.View {
	t.Helper()
	before := len(a.slack.Views())
	_, _, err := a.slack.SlashCommand(t.Context(), slackfake.Command{UserID: "UCAROL", ChannelID: channel})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	views, err := a.slack.WaitViews(ctx, before+1)
	require.NoError(t, err)
	return views[before]
}

func TestTheFormStartsAMeeting(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{})
	carolInApp(a)
	view := formWithPicker(t, a, "CGENERAL")

	_, ack, err := a.slack.SubmitView(t.Context(), slackfake.Submission{ViewID: view.ID, Values: map[string]map[string]any{
		"meeting_block":  {"meeting_id": a.choose(t, view.ID, "", "now")},
		"invitees_block": {"invitees": map[string]any{"selected_users": []string{"UCROWD0002"}}},
	}})
	require.NoError(t, err)
	assert.Nil(t, ack.Payload, "the form closes")

	id := startedID(t, channelPost(t, a.waitMessages(t, 2)))
	assert.Equal(t, 1, a.meet.Calls(meetingfake.EndpointCreateMeeting))
	require.Len(t, a.meet.Invitations(id), 1)
	assert.Len(t, a.meet.Invitations(id)[0].Attendees, 2, "the invoker and the one chosen")
	assertHostLinkPrivate(t, a, id)
}

func TestTheFormStillWantsSomeoneForARunningMeeting(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{})
	view := formWithPicker(t, a, "CGENERAL")
	_, ack, err := a.slack.SubmitView(t.Context(), slackfake.Submission{ViewID: view.ID, Values: map[string]map[string]any{
		"meeting_block": {"meeting_id": a.choose(t, view.ID, running, running)},
	}})
	require.NoError(t, err)
	assert.Contains(t, string(ack.Payload), "Choose at least one person")
}

// options types into the picker and returns what it offered, by group.
func options(t *testing.T, a *app, viewID, typed string) map[string][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	opts, err := a.slack.Suggest(ctx, slackfake.Suggestion{ViewID: viewID, ActionID: "meeting_id", Value: typed})
	require.NoError(t, err)
	out := map[string][]string{}
	for _, o := range opts {
		out[o.Group] = append(out[o.Group], o.Value)
	}
	return out
}

func TestThePickerListsRunningMeetingsAsTyped(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{}, withInviter(commands.Config{AllRunning: true}))
	a.meet.AddConference(meetingfake.Conference{ID: "986030665", Subject: "Design review", StartTime: "2026-11-29 09:00", Scheduler: "Carol Invoker"})
	a.meet.AddConference(meetingfake.Conference{ID: "955555555", Subject: "Planning", StartTime: "2026-11-29 10:00", State: "Schedule"})
	view := formWithPicker(t, a, "CGENERAL")

	assert.Equal(t, map[string][]string{
		"New meeting":   {"now"},
		"Your meetings": {"986030665"},
		"Running now":   {running},
	}, options(t, a, view.ID, ""), "all running meetings, Carol's own first; not the one not started")
	assert.Equal(t, map[string][]string{"Running now": {running}},
		options(t, a, view.ID, "weekly"), "filtered by what is typed")
	assert.Equal(t, map[string][]string{"New meeting": {"now"}}, options(t, a, view.ID, "start"),
		"starting a meeting is offered when its words are typed")
	assert.Empty(t, options(t, a, view.ID, "no such meeting"), "nothing matches: an empty list, which Slack takes")
	assert.Equal(t, map[string][]string{"As typed": {running}},
		options(t, a, view.ID, "914 083 136"), "a number typed is offered once, as typed")
	assert.Equal(t, map[string][]string{"As typed": {"123456789"}},
		options(t, a, view.ID, "123-456-789"), "a number no running meeting has can still be chosen")

	link := options(t, a, view.ID, a.meet.JoinLink(running, false))["As typed"]
	require.Len(t, link, 1)
	assert.Regexp(t, `^`+running+`:[0-9a-f]{64}$`, link[0], "a link's key travels as its digest, never in clear")
}

// By default the picker lists only the invoker's own running meetings:
// another's subject and scheduler are not shown; its number can still be
// typed.
func TestThePickerListsOnlyYourMeetingsByDefault(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{})
	a.meet.AddConference(meetingfake.Conference{ID: "986030665", Subject: "Design review", StartTime: "2026-11-29 09:00", Scheduler: "Carol Invoker"})
	view := formWithPicker(t, a, "CGENERAL")

	assert.Equal(t, map[string][]string{"New meeting": {"now"}, "Your meetings": {"986030665"}}, options(t, a, view.ID, ""),
		"Carol's, not Weekly sync")
	assert.Empty(t, options(t, a, view.ID, "weekly"), "not even when its subject is typed")
	assert.Equal(t, map[string][]string{"As typed": {running}}, options(t, a, view.ID, running), "its number can be chosen as typed")
}

func TestThePickerInvitesIntoTheMeetingChosen(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{}, withInviter(commands.Config{AllRunning: true}))
	view := formWithPicker(t, a, "CGENERAL")
	_, _, err := a.slack.SubmitView(t.Context(), slackfake.Submission{ViewID: view.ID, Values: map[string]map[string]any{
		"meeting_block":  {"meeting_id": a.choose(t, view.ID, "sync", running)},
		"invitees_block": {"invitees": map[string]any{"selected_users": []string{"UCROWD0003"}}},
	}})
	require.NoError(t, err)
	assert.Equal(t, "post", a.waitMessages(t, 1)[0].Kind)
	require.Len(t, a.meet.Invitations(running), 1)
	assert.Zero(t, a.meet.Calls(meetingfake.EndpointCreateMeeting))
}

func TestThePickerRefusesAHostLinkOnSubmit(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{})
	view := formWithPicker(t, a, "CGENERAL")
	host := options(t, a, view.ID, a.meet.JoinLink(running, true))["As typed"]
	require.Len(t, host, 1)
	_, _, err := a.slack.SubmitView(t.Context(), slackfake.Submission{ViewID: view.ID, Values: map[string]map[string]any{
		"meeting_block":  {"meeting_id": map[string]any{"selected_option": map[string]any{"value": host[0]}}},
		"invitees_block": {"invitees": map[string]any{"selected_users": []string{"UCROWD0003"}}},
	}})
	require.NoError(t, err)
	note := a.waitMessages(t, 1)[0]
	assert.True(t, private(note))
	assert.Contains(t, note.Text, "*host* link")
	assert.Empty(t, a.meet.Invitations(running), "nobody is called through a host link")
}

func TestTheThreadShortcutPrefillsTheLatestMeeting(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{})
	a.slack.Thread("CGENERAL", "1700000000.000100", []slackfake.ThreadMessage{
		{User: "UCAROL", Text: "Yesterday's was 986 030 665, call me at +44 20 7946 0000", TS: "1700000000.000100"},
		{User: "UCROWD0000", Text: "Starting 914 083 136 now, join: <" + a.meet.JoinLink(running, false) + ">", TS: "1700000001.000100"},
		{User: "UCROWD0001", Text: "on my way", TS: "1700000002.000100"},
	})
	assert.Equal(t, map[string]any{"meeting": running, "people": []string{"UCROWD0000", "UCROWD0001"}},
		threadForm(t, a, "1700000000.000100"),
		"the most recent meeting named, and whoever wrote in the thread but the invoker")
}

// A thread longer than a page is read to its end (within 1,000 messages),
// however many people its first page already names: its newest message
// names the meeting it is about now.
func TestTheThreadShortcutReadsALongThreadToItsEnd(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{MaxPeople: 2})
	longThread := func(n int, last string) []slackfake.ThreadMessage {
		msgs := []slackfake.ThreadMessage{{User: "UCAROL", Text: "Today's call is 986 030 665", TS: "1700000000.000100"}}
		for i := 1; i < n-1; i++ {
			msgs = append(msgs, slackfake.ThreadMessage{User: fmt.Sprintf("UCROWD%04d", i%3), Text: "still talking", TS: fmt.Sprintf("1700%06d.000100", i)})
		}
		return append(msgs, slackfake.ThreadMessage{User: "UCROWD0003", Text: last, TS: fmt.Sprintf("1700%06d.000100", n-1)})
	}
	a.slack.Thread("CGENERAL", "1700000000.000100", longThread(250, "moved to 914 083 136"))
	assert.Equal(t, map[string]any{"meeting": running, "people": []string{"UCROWD0001", "UCROWD0002"}},
		threadForm(t, a, "1700000000.000100"), "the newest meeting, past the first page; the first people, at most MaxPeople")
	assert.Equal(t, 2, a.slack.Calls("conversations.replies"), "two pages")

	a.slack.Thread("CGENERAL", "1700000000.000100", longThread(1200, "moved to 955 555 555"))
	got := threadForm(t, a, "1700000000.000100")
	assert.Equal(t, "986030665", got["meeting"], "read up to 1,000 messages, not beyond")
	assert.Equal(t, 2+5, a.slack.Calls("conversations.replies"), "at most five pages")
}

// threadForm uses the thread shortcut on the message ts in #general and
// returns what the form opened with: its meeting and people.
func threadForm(t *testing.T, a *app, ts string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	before := len(a.slack.Views())
	_, _, err := a.slack.MessageShortcut(ctx, "UCAROL", "CGENERAL", "meet_invite_thread", ts)
	require.NoError(t, err)
	views, err := a.slack.WaitViews(ctx, before+1)
	require.NoError(t, err)

	var v struct {
		Blocks []struct {
			BlockID string `json:"block_id"`
			Element struct {
				InitialOption *struct{ Value string } `json:"initial_option"`
				InitialUsers  []string                `json:"initial_users"`
			} `json:"element"`
		} `json:"blocks"`
	}
	require.NoError(t, json.Unmarshal(views[before].JSON, &v))
	got := map[string]any{}
	for _, b := range v.Blocks {
		switch b.BlockID {
		case "meeting_block":
			require.NotNil(t, b.Element.InitialOption, "the meeting is prefilled")
			got["meeting"] = b.Element.InitialOption.Value
		case "invitees_block":
			got["people"] = b.Element.InitialUsers
		}
	}
	return got
}

// A request that starts a meeting, left by a process that stopped, is never
// run again by another: the meeting may have been started already, so its
// invoker is told it was cut short, and no second meeting is made.
func TestAStartLeftByAStoppedProcessIsNotRunAgain(t *testing.T) {
	t.Parallel()
	st, err := store.Open(t.Context(), store.Memory)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	payload := `{"inv":{"ID":"req-left","Invoker":"UCAROL","Channel":"CGENERAL","UserIDs":["UCAROL","UCROWD0000"],"Hosts":["UCAROL"],"Start":true},` +
		`"named":true,"channel_id":"CGENERAL","user_id":"UCAROL","kind":"command"}`
	_, err = st.BeginRequests(t.Context(), []store.Request{{ID: "req-left", Payload: []byte(payload)}}, "a-stopped-process", time.Millisecond, time.Hour)
	require.NoError(t, err)

	a := startApp(t, slackapp.Config{Store: st})
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second) // taken over at the first look for orphans, within 5 s
	defer cancel()
	note, err := a.slack.WaitMatch(ctx, func(m slackfake.Message) bool { return strings.Contains(m.Text, "start a meeting was cut short") })
	require.NoError(t, err)
	assert.True(t, private(note))
	assert.Equal(t, "UCAROL", note.User)
	assert.Zero(t, a.meet.Calls(meetingfake.EndpointCreateMeeting), "no second meeting")
	assert.Zero(t, a.meet.Calls(meetingfake.EndpointInvite), "nobody called")
}

// now with a word it does not understand is answered in the ack, not sent
// to the model: plain words cannot start meetings.
func TestNowWithAnUnknownWordIsNotReadByTheModel(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{Interpreter: interpreter{commands.Request{ConferenceID: running, UserIDs: []string{"UCROWD0001"}}}})
	_, ack, err := a.slack.SlashCommand(t.Context(), slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: "now please <@UCROWD0001>"})
	require.NoError(t, err)
	assert.Contains(t, ackText(t, ack), "I don't understand `please`.")
	assert.Zero(t, a.meet.Calls(meetingfake.EndpointCreateMeeting))
}

// now with a channel of more people than ConfirmAbove asks first, and
// starts the meeting only when Invite is pressed, once.
func TestNowWithAChannelIsConfirmedBeforeTheMeetingIsStarted(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{ConfirmAbove: 10, MaxPeople: 50})
	carolInApp(a)
	_, _, err := a.slack.SlashCommand(t.Context(), slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: "now <#CCROWD|crowd>"})
	require.NoError(t, err)

	card := a.waitMessages(t, 1)[0]
	assert.Contains(t, card.Text, "That will start a meeting and call up to *31 people* into it", "the crowd and Carol, its host")
	assert.Zero(t, a.meet.Calls(meetingfake.EndpointCreateMeeting), "no meeting before Invite")

	for range 2 { // a second press finds nothing to run
		_, _, err = a.slack.ClickButton(t.Context(), slackfake.Click{UserID: "UCAROL", ChannelID: card.Channel, ActionID: "confirm_invite", MessageTS: card.TS})
		require.NoError(t, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	post, err := a.slack.WaitMatch(ctx, func(m slackfake.Message) bool { return m.Kind == "post" })
	require.NoError(t, err)
	id := startedID(t, post)
	assert.Equal(t, 1, a.meet.Calls(meetingfake.EndpointCreateMeeting))
	require.Len(t, a.meet.Invitations(id), 1)
	assert.Len(t, a.meet.Invitations(id)[0].Attendees, crowdLen+1)
}
