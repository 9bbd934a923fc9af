package slackapp

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// TestBlockKitGolden compares every message and view the bot builds, in
// each language, with the reviewed JSON in testdata/golden (English) and
// testdata/golden/<language>. After a deliberate change, run
// UPDATE_GOLDEN=1 go test ./internal/slackapp and review the diff.
func TestBlockKitGolden(t *testing.T) {
	t.Parallel()
	for _, l := range langs {
		dir := filepath.Join("testdata", "golden")
		if l != en {
			dir = filepath.Join(dir, l.tag.String())
		}
		t.Run(l.tag.String(), func(t *testing.T) {
			t.Parallel()
			goldenMessages(t, l, dir)
		})
	}
}

func goldenMessages(t *testing.T, l *lang, dir string) {
	alice := commands.Person{ID: "UALICE", Name: "Alice"}
	bob := commands.Person{ID: "UBOB", Name: "Bob"}
	inv := commands.Invitation{ConferenceID: "914083136", Invoker: "UCAROL", UserIDs: []string{"UALICE", "UBOB", "UDAVE"}}
	invited := commands.Report{
		ConferenceID: "914083136",
		Conference:   meeting.Conference{ID: "914083136", Subject: "Weekly <sync> & plans", GuestJoinURI: "https://meeting.example/j/914083136"},
		Invited: []commands.Invitee{
			{Person: alice, Via: commands.ViaApp, Address: "+99111244216210249"},
			{Person: bob, Via: commands.ViaPhone, Address: "+442079460000"},
			{Person: commands.Person{Name: "•••• 0009"}, Via: commands.ViaPhone, Address: "+8613800000009"},
		},
		Skipped: []commands.Skipped{
			{UserID: "UDAVE", Name: "Dave", Reason: commands.SkipNoContact},
			{GroupID: "SNOPE", Reason: commands.SkipUnknownGroup},
			{ChannelID: "CNOPE", Reason: commands.SkipUnknownChannel},
		},
	}
	withEmail := invited
	withEmail.Invited = append(append([]commands.Invitee(nil), invited.Invited...),
		commands.Invitee{Person: commands.Person{ID: "UCAROL2", Name: "Carol"}, Via: commands.ViaLink, Address: "carol@example.com"})
	notStarted := commands.Report{ConferenceID: "986030665"}
	notStartedErr := &meeting.APIError{StatusCode: 400, Code: "MMC.111072005", RequestID: "req-1"}
	plan := commands.Plan{UserIDs: []string{"UALICE", "UBOB"}, Skipped: []commands.Skipped{{GroupID: "SNOPE", Reason: commands.SkipUnknownGroup}}}

	startedConf := meeting.Conference{ID: "977000001", Subject: "Meeting in #general", GuestJoinURI: "https://meeting.example/#/j/977000001/guest"}
	startedRep := commands.Report{ConferenceID: "977000001", Conference: startedConf, Started: true, Invited: []commands.Invitee{
		{Person: commands.Person{ID: "UCAROL", Name: "Carol"}, Via: commands.ViaApp, Address: "+99111244216219999"},
		invited.Invited[0], invited.Invited[1],
	}}
	problems, ok := problemsMessage(l, inv, invited, nil)
	require.True(t, ok)
	retry, ok := problemsMessage(l, commands.Invitation{ConferenceID: "986030665", UserIDs: []string{"UALICE"}}, notStarted, notStartedErr)
	require.True(t, ok)

	at := time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC)
	answered := &postRecord{inv: inv, rep: invited, states: []commands.CallState{commands.CallJoined, commands.CallMissed, commands.CallBusy}, ended: true}
	ringing := &postRecord{inv: inv, rep: invited}
	history := []string{
		historyLine(at, postOutcome(l, ringing)),
		historyLine(at.Add(-time.Hour), postOutcome(l, answered)),
		historyLine(at.Add(-2*time.Hour), failure(l, notStartedErr, "986030665", "")),
	}
	tests := []struct {
		name string
		v    any
	}{
		{"invited", invitedMessage(l, commands.Invitation{Invoker: "UCAROL"}, invited).blocks},
		{"invited_call", withCallBlock(invitedMessage(l, commands.Invitation{Invoker: "UCAROL"}, invited), "R0E69JAIF").blocks},
		{"calls_progress", callsMessage(l, inv, invited, []commands.CallState{commands.CallJoined, commands.CallRinging, commands.CallMissed}, nil).blocks},
		{"calls_answers", callsMessage(l, inv, invited, []commands.CallState{commands.CallRinging, commands.CallMissed, commands.CallRinging},
			[]reply{{answer: answerJoining}, {answer: answerCannot}, {}}).blocks},
		{"calls_phone", callsMessage(l, inv, invited, []commands.CallState{commands.CallRinging, commands.CallRinging, commands.CallRinging},
			[]reply{{phoned: true}, {}, {}}).blocks},
		{"calls_phone_missed", callsMessage(l, inv, invited, []commands.CallState{commands.CallMissed, commands.CallJoined, commands.CallNone},
			[]reply{{phoned: true, answer: answerCannot}, {answer: answerJoining}, {}}).blocks},
		{"missed_dm", missedMessage(l, "UCAROL", invited, answerChoices{}).blocks},
		{"missed_dm_answers", missedMessage(l, "UCAROL", invited, answerChoices{value: answerValue{ConferenceID: "914083136", Post: "CGENERAL/1764000000.000100", Index: 0, User: "UALICE"}, phone: true}).blocks},
		{"ringing_dm", ringingMessage(l, "UCAROL", invited, answerChoices{value: answerValue{ConferenceID: "914083136", Post: "CGENERAL/1764000000.000100", Index: 0, User: "UALICE"}, phone: true}).blocks},
		{"ringing_dm_no_phone", ringingMessage(l, "UCAROL", invited, answerChoices{value: answerValue{ConferenceID: "914083136", Post: "CGENERAL/1764000000.000100", Index: 1, User: "UBOB"}}).blocks},
		{"link_dm", linkMessage(l, "UCAROL", invited).blocks},
		{"calls_results", callsMessage(l, inv, invited, []commands.CallState{commands.CallBusy, commands.CallDeclined, commands.CallNoPSTN}, nil).blocks},
		{"ended", endedMessage(l, inv, invited, []commands.CallState{commands.CallJoined, commands.CallMissed, commands.CallMissed}, nil).blocks},
		{"calls_final", callsMessage(l, inv, withEmail, []commands.CallState{commands.CallJoined, commands.CallMissed, commands.CallMissed, commands.CallNone}, nil).blocks},
		{"problems", problems.blocks},
		{"not_started_retry", retry.blocks},
		{"confirm", confirmMessage(l, inv, plan, "key-1").blocks},
		{"understood", understoodMessage(l, commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UALICE"}, Role: meeting.RoleHost}, plan, "key-2").blocks},
		{"home_empty", homeView(l, reachSentence(l, commands.Invitee{Person: alice, Via: commands.ViaApp, Address: "+99111244216210249"}, nil), nil)},
		{"home_history", homeView(l, reachSentence(l, commands.Invitee{}, &commands.Skipped{Reason: commands.SkipNoContact}), history)},
		{"started", invitedMessage(l, commands.WithHost(commands.Invitation{Invoker: "UCAROL", Start: true, UserIDs: []string{"UALICE", "UBOB"}}), startedRep).blocks},
		{"started_alone", invitedMessage(l, commands.Invitation{Invoker: "UCAROL", Start: true}, commands.Report{ConferenceID: "977000001", Conference: startedConf, Started: true}).blocks},
		{"host_note", hostMessage(l, meeting.CreatedMeeting{Conference: startedConf, ChairJoinURI: "https://meeting.example/#/j/977000001/chair"}, true).blocks},
		{"picker", pickerOptions(l, meetingChoice{}, "", []meeting.RunningMeeting{{ID: "977000001", DisplayID: "977000001", Subject: "Meeting in #general", Scheduler: "Carol", StartTime: "2026-11-29 09:30"}},
			[]meeting.RunningMeeting{{ID: "914083136", DisplayID: "914083136", Subject: "Weekly <sync> & more", StartTime: "2026-11-29 09:00"}})},
		{"modal", inviteModal(l, modalMeta{ChannelID: "CGENERAL", ResponseURL: "https://hooks.example/1", GroupIDs: []string{"SENG"}}, meetingChoice{id: "914083136"}, []string{"UALICE"}, true)},
		{"help", helpText(l)},
		{"whoami", reachText(l, invited.Invited[0], nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := json.MarshalIndent(tt.v, "", "  ")
			require.NoError(t, err)
			path := filepath.Join(dir, tt.name+".json")
			if os.Getenv("UPDATE_GOLDEN") != "" {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, append(got, '\n'), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run with UPDATE_GOLDEN=1 to create %s", path)
			assert.JSONEq(t, string(want), string(got))
			assert.NotContains(t, string(got), "+99111244216210249", "no numbers in what Slack shows")
			assert.NotContains(t, string(got), "+442079460000")
		})
	}
}

func TestPostsAreRememberedWithinBounds(t *testing.T) {
	t.Parallel()
	a := New(nil, nil, nil, nil, Config{})
	for i := range postsPerMeeting + 5 {
		a.addPost(posted{channel: "C1", ts: fmt.Sprint(i)}, target{}, commands.Invitation{}, commands.Report{ConferenceID: "914083136"}, "")
	}
	a.addPost(posted{channel: "C1", ts: "other"}, target{}, commands.Invitation{}, commands.Report{ConferenceID: "986030665"}, "")

	rs, _ := a.posts.Get("914083136")

	require.Len(t, rs, postsPerMeeting, "a meeting's newest posts only")
	assert.Equal(t, "5", rs[0].where.ts)
}

func TestAPostThatSaysItsMeetingEndedChangesNoMore(t *testing.T) {
	t.Parallel()
	r, _ := New(nil, nil, nil, nil, Config{}).addPost(posted{channel: "C1", ts: "1"}, target{}, commands.Invitation{}, commands.Report{ConferenceID: "914083136"}, "")
	changes := 0

	r.update(func() bool { changes++; return false }) // a call ended
	r.update(func() bool { changes++; return true })  // the meeting ended
	r.update(func() bool { changes++; return false }) // a late call update

	assert.Equal(t, 2, changes, "the late update is dropped")
}

// TestAMeetingIsNamedByItsSubjectWithoutTheSpacesAround: Huawei may keep
// spaces around a subject; bold in Slack needs the asterisks against the
// text, and a subject of spaces alone is no name.
func TestAMeetingIsNamedByItsSubjectWithoutTheSpacesAround(t *testing.T) {
	t.Parallel()
	rep := commands.Report{ConferenceID: "914083136", Conference: meeting.Conference{ID: "914083136", Subject: "  Weekly sync \t"}}
	assert.Equal(t, "*Weekly sync* (meeting 914083136)", meetingTitle(en, rep))
	assert.Equal(t, "Weekly sync (meeting 914083136)", plainTitle(en, rep))
	assert.Equal(t, "Weekly sync", callTitle(en, rep))
	rep.Conference.Subject = "   "
	assert.Equal(t, "meeting 914083136", meetingTitle(en, rep))
	assert.Equal(t, "Huawei Cloud Meeting 914083136", callTitle(en, rep))
}
