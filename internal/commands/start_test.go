package commands_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

var instant = meeting.CreateMeetingRequest{Subject: "Meeting in #general", Length: 60, MediaTypes: meeting.MediaHDVideo}

func TestStartAuthorizesThenCreatesOnce(t *testing.T) {
	t.Parallel()
	m := newMeetings()
	auth := &authorizer{decide: func(context.Context) error { return nil }}
	in := commands.NewInviter(newPeople(), m, nil, auth, quiet, commands.Config{})

	got, err := in.Start(t.Context(), commands.Invitation{Invoker: "UALICE", Channel: "CGEN", Start: true}, instant)
	require.NoError(t, err)
	assert.Equal(t, "977000001", got.ID)
	assert.Equal(t, []meeting.CreateMeetingRequest{instant}, m.created, "exactly one meeting, with the request as given")
	assert.Equal(t, []string{"UALICE@CGEN"}, auth.questions())
}

func TestStartRefusedCreatesNothing(t *testing.T) {
	t.Parallel()
	refused := &commands.RefusedError{Reason: commands.RefusedGuest}
	m := newMeetings()
	in := commands.NewInviter(newPeople(), m, nil, &authorizer{decide: func(context.Context) error { return refused }}, quiet, commands.Config{})

	_, err := in.Start(t.Context(), commands.Invitation{Invoker: "UGUEST", Channel: "CGEN", Start: true}, instant)
	require.ErrorIs(t, err, commands.ErrRefused)
	assert.Empty(t, m.created)
}

func TestStartCountsAgainstTheCallLimit(t *testing.T) {
	t.Parallel()
	m := newMeetings()
	in := newInviter(newPeople(), m, commands.Config{CallsPerMinute: 2, MaxPeople: 1})

	for range 2 { // the burst: MaxPeople + 1, so that the largest invitation fits with its meeting
		_, err := in.Start(t.Context(), commands.Invitation{Invoker: "UALICE"}, instant)
		require.NoError(t, err)
	}
	_, err := in.Start(t.Context(), commands.Invitation{Invoker: "UALICE"}, instant)
	require.ErrorIs(t, err, commands.ErrSlowDown)
	assert.Len(t, m.created, 2, "the third meeting is not created")
	_, err = in.Start(t.Context(), commands.Invitation{Invoker: "UBOB"}, instant)
	require.NoError(t, err, "each person has a limit of their own")
}

func TestStartFailureIsReturned(t *testing.T) {
	t.Parallel()
	m := newMeetings()
	m.createErr = &meeting.APIError{StatusCode: 400, Code: "MMC.111070001"}
	in := newInviter(newPeople(), m, commands.Config{})
	_, err := in.Start(t.Context(), commands.Invitation{Invoker: "UALICE"}, instant)
	var apiErr *meeting.APIError
	require.ErrorAs(t, err, &apiErr)
}

// Once the meeting is being created, the caller giving up (a shutdown,
// the request's own timeout) does not cut it short: a meeting Huawei makes
// is reported as made.
func TestStartOutlivesItsCaller(t *testing.T) {
	t.Parallel()
	m := newMeetings()
	in := newInviter(newPeople(), m, commands.Config{SendTimeout: time.Minute})
	ctx, cancel := context.WithCancel(t.Context())
	m.creating = func(sent context.Context) {
		cancel() // the caller gives up while the request is out
		assert.NoError(t, sent.Err(), "the request is let finish")
		deadline, ok := sent.Deadline()
		assert.True(t, ok && time.Until(deadline) <= time.Minute, "within SendTimeout")
	}
	got, err := in.Start(ctx, commands.Invitation{Invoker: "UALICE"}, instant)
	require.NoError(t, err)
	assert.Equal(t, "977000001", got.ID)

	_, err = in.Start(ctx, commands.Invitation{Invoker: "UALICE"}, instant)
	require.ErrorIs(t, err, context.Canceled, "nothing is sent for a caller that gave up already")
	assert.Len(t, m.created, 1)
}

// A meeting the service may have created without saying so is reported as
// such, and listed as the invoker's when it shows among the running ones.
func TestStartWithoutAnAnswerMayHaveStartedOne(t *testing.T) {
	t.Parallel()
	m := newMeetings()
	m.createErr = fmt.Errorf("create meeting: %w: %w", meeting.ErrCreateUnanswered, context.DeadlineExceeded)
	in := newInviter(newPeople(), m, commands.Config{})
	_, err := in.Start(t.Context(), commands.Invitation{Invoker: "UALICE"}, instant)
	var unsure *commands.StartUnsureError
	require.ErrorAs(t, err, &unsure)
	assert.Equal(t, instant.Subject, unsure.Subject)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	m.running = []meeting.RunningMeeting{
		{ID: "977000009", DisplayID: "977000009", Subject: instant.Subject, Scheduler: "meet-invite"},
		{ID: "914083136", DisplayID: "914083136", Subject: "Weekly sync", Scheduler: "Bob"},
	}
	own, _, err := in.Running(t.Context(), "UALICE", "CGEN", "")
	require.NoError(t, err)
	assert.Equal(t, []string{"977000009"}, ids(own), "the meeting of the subject asked for is hers")
	own, _, err = in.Running(t.Context(), "UBOB", "CGEN", "")
	require.NoError(t, err)
	assert.Equal(t, []string{"914083136"}, ids(own), "not Bob's")
}

func TestWithHostRingsTheInvokerFirstAsHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		inv   commands.Invitation
		users []string
		hosts []string
	}{
		{name: "an invitation into a running meeting is left alone",
			inv: commands.Invitation{Invoker: "UCAROL", UserIDs: []string{"UALICE"}}, users: []string{"UALICE"}},
		{name: "nobody named: nobody rung",
			inv: commands.Invitation{Invoker: "UCAROL", Start: true}},
		{name: "people named: the invoker first",
			inv:   commands.Invitation{Invoker: "UCAROL", Start: true, UserIDs: []string{"UALICE", "UBOB"}},
			users: []string{"UCAROL", "UALICE", "UBOB"}, hosts: []string{"UCAROL"}},
		{name: "the invoker named: once",
			inv:   commands.Invitation{Invoker: "UCAROL", Start: true, UserIDs: []string{"UALICE", "UCAROL"}},
			users: []string{"UALICE", "UCAROL"}, hosts: []string{"UCAROL"}},
		{name: "a channel only",
			inv:   commands.Invitation{Invoker: "UCAROL", Start: true, ChannelIDs: []string{"CGEN"}},
			users: []string{"UCAROL"}, hosts: []string{"UCAROL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := commands.WithHost(tt.inv)
			assert.Equal(t, tt.users, got.UserIDs)
			assert.Equal(t, tt.hosts, got.Hosts)
		})
	}
}

func TestHostsAreCalledInAsHosts(t *testing.T) {
	t.Parallel()
	m := newMeetings()
	in := newInviter(newPeople(), m, commands.Config{})
	inv := commands.WithHost(commands.Invitation{ConferenceID: "977000001", Invoker: "UALICE", Start: true, UserIDs: []string{"UBOB"}})

	rep, err := in.Invite(t.Context(), inv)
	require.NoError(t, err)
	require.Len(t, rep.Invited, 2)
	require.Len(t, m.invited, 1)
	roles := map[string]meeting.Role{}
	for _, a := range m.invited[0] {
		roles[a.Name] = a.Role
	}
	assert.Equal(t, map[string]meeting.Role{"Alice": meeting.RoleHost, "Bob": meeting.RoleParticipant}, roles)
}

func TestRunningListsTheInvokersMeetingsFirst(t *testing.T) {
	t.Parallel()
	m, p := newMeetings(), newPeople()
	withFullName := alice
	withFullName.RealName = "Alice Liddell"
	p.users[alice.ID] = withFullName
	auth := &authorizer{decide: func(context.Context) error { return nil }}
	in := commands.NewInviter(p, m, nil, auth, quiet, commands.Config{AllRunning: true})
	mine, err := in.Start(t.Context(), commands.Invitation{Invoker: "UALICE", Start: true}, instant)
	require.NoError(t, err)
	m.running = []meeting.RunningMeeting{
		{ID: "914083136", DisplayID: "914083136", Subject: "Weekly sync", Scheduler: "Bob"},
		{ID: mine.ID, DisplayID: mine.ID, Subject: "Meeting in #general", Scheduler: "meet-invite"},
		{ID: "914083388", DisplayID: "88812345", Subject: "Alice's room", Scheduler: " alice "},
		{ID: "914673889", DisplayID: "914673889", Subject: "Planning", Scheduler: "ALICE LIDDELL"},
	}

	own, others, err := in.Running(t.Context(), "UALICE", "CGEN", "sync")
	require.NoError(t, err)
	assert.Equal(t, []string{mine.ID, "914083388", "914673889"}, ids(own),
		"started through the bot, and scheduled under their display or full name")
	assert.Equal(t, []string{"914083136"}, ids(others))
	assert.Equal(t, []string{"sync"}, m.searched, "the typed text is the search key")

	own, others, err = in.Running(t.Context(), "UBOB", "CGEN", "")
	require.NoError(t, err)
	assert.Equal(t, []string{"914083136"}, ids(own), "Bob's by his name; Alice's start is not his")
	assert.Len(t, others, 3)
}

// By default only the invoker's own meetings are listed: the others'
// subjects and schedulers are not shown to everyone.
func TestRunningListsOnlyTheInvokersOwnByDefault(t *testing.T) {
	t.Parallel()
	m := newMeetings()
	in := newInviter(newPeople(), m, commands.Config{})
	mine, err := in.Start(t.Context(), commands.Invitation{Invoker: "UALICE", Start: true}, instant)
	require.NoError(t, err)
	m.running = []meeting.RunningMeeting{
		{ID: "914083136", DisplayID: "914083136", Subject: "Weekly sync", Scheduler: "Bob"},
		{ID: mine.ID, DisplayID: mine.ID, Subject: "Alice's meeting", Scheduler: "meet-invite"},
	}
	own, others, err := in.Running(t.Context(), "UALICE", "CGEN", "")
	require.NoError(t, err)
	assert.Equal(t, []string{mine.ID}, ids(own))
	assert.Empty(t, others, "Bob's meeting is not shown to Alice")
}

// A picker asks at every keystroke: an answer is reused for a few seconds
// for the same user, channel and text, and not beyond.
func TestRunningRemembersItsAnswerBriefly(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) { // its clock is the bubble's
		m := newMeetings()
		m.running = []meeting.RunningMeeting{{ID: "914083136", DisplayID: "914083136", Subject: "Weekly sync", Scheduler: "Alice"}}
		in := newInviter(newPeople(), m, commands.Config{})
		running := func(user, channel, typed string) []string {
			own, _, err := in.Running(t.Context(), user, channel, typed)
			require.NoError(t, err)
			return ids(own)
		}
		for range 3 {
			assert.Equal(t, []string{"914083136"}, running("UALICE", "CGEN", "sync"))
		}
		assert.Equal(t, []string{"sync"}, m.searched, "asked once")

		running("UALICE", "CGEN", "sync ")
		running("UBOB", "CGEN", "sync")
		running("UALICE", "COTHER", "sync")
		assert.Len(t, m.searched, 4, "another text, user or channel is asked anew")

		time.Sleep(6 * time.Second)
		running("UALICE", "CGEN", "sync")
		assert.Len(t, m.searched, 5, "a few seconds later, asked again")
	})
}

// Concurrent asks for the same answer share one search.
func TestRunningSharesASearchUnderWay(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		m := newMeetings()
		release := make(chan struct{})
		m.searching = func() { <-release }
		in := newInviter(newPeople(), m, commands.Config{})
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				_, _, err := in.Running(t.Context(), "UALICE", "CGEN", "sync")
				assert.NoError(t, err)
			})
		}
		synctest.Wait() // one searching, the others waiting for it
		close(release)
		wg.Wait()
		assert.Len(t, m.searched, 1)
	})
}

func TestRunningIsForWhoeverMayInvite(t *testing.T) {
	t.Parallel()
	m := newMeetings()
	m.running = []meeting.RunningMeeting{{ID: "914083136", Subject: "Weekly sync"}}
	refused := errors.New("no")
	in := commands.NewInviter(newPeople(), m, nil, &authorizer{decide: func(context.Context) error { return refused }}, quiet, commands.Config{})
	own, others, err := in.Running(t.Context(), "UGUEST", "CGEN", "")
	require.ErrorIs(t, err, refused)
	assert.Empty(t, own)
	assert.Empty(t, others)
	assert.Empty(t, m.searched, "nothing is asked of the meeting service")
}

func ids(ms []meeting.RunningMeeting) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}
