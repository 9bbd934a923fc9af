package commands_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// presence is an in-memory commands.Presence.
type presence struct {
	online  []meeting.Participant // guarded by mu once a test runs
	results []meeting.CallResult  // what Huawei said of the calls
	live    bool
	err     error
	block   bool // Participants answers only when its ctx ends

	mu      sync.Mutex
	asked   []string
	follows []string
	ended   chan struct{} // closed when a blocked Participants returns; made by the test
}

func (p *presence) Participants(ctx context.Context, id string) ([]meeting.Participant, error) {
	p.mu.Lock()
	p.asked = append(p.asked, id)
	online := p.online
	p.mu.Unlock()
	if p.block {
		<-ctx.Done()
		close(p.ended)
		return nil, ctx.Err()
	}
	return online, p.err
}

func (p *presence) Follow(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.follows = append(p.follows, id)
}

// Find serves the live list: online, once live is set.
func (p *presence) Find(_ string, match func(meeting.Participant) bool) ([]meeting.Participant, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.live {
		return nil, false
	}
	var out []meeting.Participant
	for _, pt := range p.online {
		if match(pt) {
			out = append(out, pt)
		}
	}
	return out, true
}

// CallResults serves the results, once live, from since on.
func (p *presence) CallResults(_ string, since time.Time) ([]meeting.CallResult, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.live {
		return nil, false
	}
	var out []meeting.CallResult
	for _, r := range p.results {
		if !r.At.Before(since) {
			out = append(out, r)
		}
	}
	return out, true
}

// result adds what Huawei said of a call.
func (p *presence) result(r meeting.CallResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.results = append(p.results, r)
}

// set replaces the live list.
func (p *presence) set(live bool, online ...meeting.Participant) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.live, p.online = live, online
}

func (p *presence) followed() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.follows...)
}

// mustInvite runs an invitation that must not fail as a whole.
func mustInvite(t *testing.T, in *commands.Inviter, inv commands.Invitation) commands.Report {
	t.Helper()
	rep, err := in.Invite(t.Context(), inv)
	require.NoError(t, err)
	return rep
}

func invitedIDs(rep commands.Report) []string {
	var ids []string
	for _, iv := range rep.Invited {
		ids = append(ids, iv.Person.ID)
	}
	return ids
}

func skippedFor(rep commands.Report, userID string) (commands.Skipped, bool) {
	for _, s := range rep.Skipped {
		if s.UserID == userID {
			return s, true
		}
	}
	return commands.Skipped{}, false
}

func TestInviteLeavesOutPeopleAlreadyInTheMeeting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		online      meeting.Participant
		wantSkipped string // user ID left out, "" for nobody
		wantReason  commands.SkipReason
	}{
		{
			name:        "by meeting number",
			online:      meeting.Participant{ID: "p1", Name: "Alice (laptop)", Number: aliceSI.Number, State: meeting.InMeeting},
			wantSkipped: "UALICE", wantReason: commands.SkipInMeeting,
		},
		{
			name:        "by the phone in their profile, written differently",
			online:      meeting.Participant{ID: "p1", Name: "+86 138 0000 0001", Number: "+86 138-0000-0001", State: meeting.InMeeting},
			wantSkipped: "UALICE", wantReason: commands.SkipInMeeting,
		},
		{
			name:        "being called by someone else",
			online:      meeting.Participant{ID: "p1", Name: "Bob", Number: "+442079460000", State: meeting.BeingCalled},
			wantSkipped: "UBOB", wantReason: commands.SkipBeingCalled,
		},
		{
			name:        "masked number and the same name",
			online:      meeting.Participant{ID: "p1", Name: "bob", Number: "+44207****000", State: meeting.InMeeting},
			wantSkipped: "UBOB", wantReason: commands.SkipInMeeting,
		},
		{
			name:   "masked number but another name",
			online: meeting.Participant{ID: "p1", Name: "Bobby Tables", Number: "+44207****000", State: meeting.InMeeting},
		},
		{
			name:   "masked number whose visible digits differ",
			online: meeting.Participant{ID: "p1", Name: "Bob", Number: "+44207****001", State: meeting.InMeeting},
		},
		{
			name:   "same name, other number",
			online: meeting.Participant{ID: "p1", Name: "Bob", Number: "+442079469999", State: meeting.InMeeting},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pres := &presence{online: []meeting.Participant{tt.online}}
			m := newMeetings()
			in := presentInviter(newPeople(), m, pres, commands.Config{})

			rep, err := in.Invite(context.Background(), commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UALICE", "UBOB"}})

			require.NoError(t, err)
			if tt.wantSkipped == "" {
				assert.ElementsMatch(t, []string{"UALICE", "UBOB"}, invitedIDs(rep))
				assert.Empty(t, rep.Skipped)
				return
			}
			s, ok := skippedFor(rep, tt.wantSkipped)
			require.True(t, ok, "skipped: %+v", rep.Skipped)
			assert.Equal(t, tt.wantReason, s.Reason)
			assert.NotContains(t, invitedIDs(rep), tt.wantSkipped)
			require.Len(t, m.invited, 1, "the others are still called")
			assert.Len(t, m.invited[0], 1)
		})
	}
}

func TestInviteCallsNobodyWhenEveryoneIsThere(t *testing.T) {
	t.Parallel()
	pres := &presence{online: []meeting.Participant{
		{ID: "p1", Name: "Alice", Number: aliceSI.Number},
		{ID: "p2", Name: "Bob", Number: "+442079460000"},
	}}
	m := newMeetings()
	in := presentInviter(newPeople(), m, pres, commands.Config{})

	rep, err := in.Invite(context.Background(), commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UALICE", "UBOB"}})

	require.NoError(t, err)
	assert.Empty(t, rep.Invited)
	assert.Len(t, rep.Skipped, 2)
	assert.Empty(t, m.invited, "no invite request at all")
	assert.Equal(t, []string{"914083136"}, pres.followed())
}

func TestInviteLeavesOutADirectNumberAlreadyThere(t *testing.T) {
	t.Parallel()
	pres := &presence{online: []meeting.Participant{{ID: "p1", Name: "+8613800000009", Number: "+8613800000009"}}}
	m := newMeetings()
	in := presentInviter(newPeople(), m, pres, commands.Config{AllowDirect: true})

	rep, err := in.Invite(context.Background(), commands.Invitation{ConferenceID: "914083136", Phones: []string{"+8613800000009"}})

	require.NoError(t, err)
	require.Len(t, rep.Skipped, 1)
	s := rep.Skipped[0]
	assert.Equal(t, commands.SkipInMeeting, s.Reason)
	assert.Equal(t, "+8613800000009", s.Address)
	assert.Equal(t, commands.MaskPhone("+8613800000009"), s.Name, "shown masked")
	assert.Empty(t, m.invited)
}

func TestInviteCallsEveryoneWhenPresenceFails(t *testing.T) {
	t.Parallel()
	pres := &presence{err: errors.New("boom"), online: []meeting.Participant{{ID: "p1", Number: aliceSI.Number}}}
	m := newMeetings()
	in := presentInviter(newPeople(), m, pres, commands.Config{})

	rep, err := in.Invite(context.Background(), commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UALICE"}})

	require.NoError(t, err)
	assert.Equal(t, []string{"UALICE"}, invitedIDs(rep))
}

func TestInviteDoesNotWaitLongForPresence(t *testing.T) {
	t.Parallel()
	// Presence never answers: the invitation goes on after PresenceWait,
	// and stops the question.
	pres := &presence{block: true, ended: make(chan struct{}), online: []meeting.Participant{{ID: "p1", Number: aliceSI.Number}}}
	m := newMeetings()
	in := presentInviter(newPeople(), m, pres, commands.Config{PresenceWait: 50 * time.Millisecond})

	rep, err := in.Invite(context.Background(), commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UALICE"}})

	require.NoError(t, err)
	assert.Equal(t, []string{"UALICE"}, invitedIDs(rep), "called: no answer came")
	select {
	case <-pres.ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the question to Presence was not cancelled once the invitation was done")
	}
}

func TestInviteFollowsOnlyPreparedConferences(t *testing.T) {
	t.Parallel()
	pres := &presence{}
	m := newMeetings()
	m.prepareErr = meeting.ErrNotStarted
	in := presentInviter(newPeople(), m, pres, commands.Config{})

	_, err := in.Invite(context.Background(), commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UALICE"}})

	require.ErrorIs(t, err, meeting.ErrNotStarted)
	assert.Empty(t, pres.followed())
}

func TestInviteAsksForPresenceOncePerInvitation(t *testing.T) {
	t.Parallel()
	pres := &presence{}
	in := presentInviter(newPeople(), newMeetings(), pres, commands.Config{})

	mustInvite(t, in, commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UALICE", "UBOB", "UCAROL"}})

	pres.mu.Lock()
	defer pres.mu.Unlock()
	assert.Equal(t, []string{"914083136"}, pres.asked)
}

func TestInviteSaysWhoItCalledMomentsAgo(t *testing.T) {
	t.Parallel()
	pres := &presence{}
	in := presentInviter(newPeople(), newMeetings(), pres, commands.Config{})
	inv := commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB"}}
	first := mustInvite(t, in, inv)
	require.Len(t, first.Invited, 1)

	// Bob is ringing now, and Alice has joined.
	pres.set(false,
		meeting.Participant{ID: "p1", Name: "Bob", Number: "+442079460000", State: meeting.BeingCalled},
		meeting.Participant{ID: "p2", Name: "Alice", Number: aliceSI.Number, State: meeting.InMeeting},
	)
	second := mustInvite(t, in, commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB", "UALICE"}})

	bob, ok := skippedFor(second, "UBOB")
	require.True(t, ok)
	assert.Equal(t, commands.SkipRecentlyInvited, bob.Reason, "ringing because this bot called him")
	alice, ok := skippedFor(second, "UALICE")
	require.True(t, ok)
	assert.Equal(t, commands.SkipInMeeting, alice.Reason)
}

func TestMaskedNumbersOfAnotherLength(t *testing.T) {
	t.Parallel()
	// Huawei's documented form hides eight digits behind four stars.
	tests := []struct {
		name   string
		online meeting.Participant
		want   bool
	}{
		{"visible ends agree, same name", meeting.Participant{Name: "Alice", Number: "+99111****249"}, true},
		{"visible ends agree, other name", meeting.Participant{Name: "Eve", Number: "+99111****249"}, false},
		{"other last digits", meeting.Participant{Name: "Alice", Number: "+99111****815"}, false},
		{"too little showing", meeting.Participant{Name: "Alice", Number: "+9****49"}, false},
		{"stars in two places", meeting.Participant{Name: "Alice", Number: "+99**1244**10249"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pres := &presence{online: []meeting.Participant{tt.online}}
			in := presentInviter(newPeople(), newMeetings(), pres, commands.Config{})

			rep, err := in.Invite(context.Background(), commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UALICE"}})

			require.NoError(t, err)
			_, skipped := skippedFor(rep, "UALICE")
			assert.Equal(t, tt.want, skipped)
		})
	}
}

func TestSomeoneWhoJoinedAfterTheBotsCallIsInTheMeeting(t *testing.T) {
	t.Parallel()
	pres := &presence{}
	in := presentInviter(newPeople(), newMeetings(), pres, commands.Config{})
	first := mustInvite(t, in, commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB"}})
	require.Len(t, first.Invited, 1)
	pres.set(true, meeting.Participant{ID: "p1", Name: "Bob", Number: "+442079460000", State: meeting.InMeeting})

	second := mustInvite(t, in, commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB"}})

	bob, ok := skippedFor(second, "UBOB")
	require.True(t, ok)
	assert.Equal(t, commands.SkipInMeeting, bob.Reason, "the live list says he is in: more useful than 'called moments ago'")
}

func TestTheAskedForListSaysCalledMomentsAgoForTheBotsOwnCalls(t *testing.T) {
	t.Parallel()
	pres := &presence{}
	in := presentInviter(newPeople(), newMeetings(), pres, commands.Config{})
	mustInvite(t, in, commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB"}})
	// The REST list cannot tell ringing from in the meeting.
	pres.set(false,
		meeting.Participant{ID: "p1", Name: "Bob", Number: "+442079460000", State: meeting.Online},
		meeting.Participant{ID: "p2", Name: "Alice", Number: aliceSI.Number, State: meeting.Online})

	second := mustInvite(t, in, commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB", "UALICE"}})

	bob, _ := skippedFor(second, "UBOB")
	assert.Equal(t, commands.SkipRecentlyInvited, bob.Reason)
	alice, _ := skippedFor(second, "UALICE")
	assert.Equal(t, commands.SkipInMeeting, alice.Reason)
}
