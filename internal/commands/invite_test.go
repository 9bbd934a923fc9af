package commands_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// people is an in-memory commands.People that counts lookups.
type people struct {
	users    map[string]commands.Person
	groups   map[string][]string
	channels map[string][]string
	fail     map[string]error
	dms      map[string]string // direct message with the bot → its user
	lookups  atomic.Int32      // Person calls
	expands  atomic.Int32      // GroupMembers and ChannelMembers calls
}

func (p *people) Person(_ context.Context, id string) (commands.Person, error) {
	p.lookups.Add(1)
	if err := p.fail[id]; err != nil {
		return commands.Person{}, err
	}
	u, ok := p.users[id]
	if !ok {
		return commands.Person{}, commands.ErrNoSuchPerson
	}
	return u, nil
}

func (p *people) GroupMembers(_ context.Context, id string) ([]string, error) {
	p.expands.Add(1)
	if err := p.fail[id]; err != nil {
		return nil, err
	}
	m, ok := p.groups[id]
	if !ok {
		return nil, commands.ErrNoSuchGroup
	}
	return m, nil
}

// DirectWith answers like conversations.info: a DM the bot is not in (or
// any other conversation) is with nobody.
func (p *people) DirectWith(_ context.Context, id string) (string, error) {
	if err := p.fail[id]; err != nil {
		return "", err
	}
	return p.dms[id], nil
}

func (p *people) ChannelMembers(_ context.Context, id string, _ int) ([]string, error) {
	p.expands.Add(1)
	m, ok := p.channels[id]
	if !ok {
		return nil, commands.ErrNoSuchChannel
	}
	return m, nil
}

// meetings is an in-memory commands.Meetings that records invitations.
type meetings struct {
	prepareErr error
	inviteErr  error
	directory  map[string]meeting.DirectoryUser // by email
	dirErr     error

	running   []meeting.RunningMeeting // what RunningMeetings lists, whatever the key
	createErr error
	// creating, when set, is called with CreateMeeting's context first.
	creating func(context.Context)
	// searching, when set, is called by RunningMeetings first.
	searching func()

	mu        sync.Mutex
	prepared  []string // conference ID + "/" + host password
	invited   [][]meeting.Attendee
	dirLookup int
	created   []meeting.CreateMeetingRequest
	searched  []string // RunningMeetings' keys
}

func (m *meetings) CreateMeeting(ctx context.Context, in meeting.CreateMeetingRequest) (meeting.CreatedMeeting, error) {
	if m.creating != nil {
		m.creating(ctx)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.createErr != nil {
		return meeting.CreatedMeeting{}, m.createErr
	}
	m.created = append(m.created, in)
	id := fmt.Sprintf("9770000%02d", len(m.created))
	return meeting.CreatedMeeting{Conference: meeting.Conference{ID: id, Subject: in.Subject, State: meeting.StateCreated}}, nil
}

func (m *meetings) RunningMeetings(_ context.Context, key string) ([]meeting.RunningMeeting, error) {
	if m.searching != nil {
		m.searching()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.searched = append(m.searched, key)
	return m.running, nil
}

func (m *meetings) Prepare(_ context.Context, id, hostPassword string) (meeting.Conference, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.prepared = append(m.prepared, id+"/"+hostPassword)
	if m.prepareErr != nil {
		return meeting.Conference{}, m.prepareErr
	}
	return meeting.Conference{ID: id, Subject: "Weekly sync", State: "Created"}, nil
}

func (m *meetings) Invite(_ context.Context, _ string, attendees []meeting.Attendee) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.inviteErr != nil {
		return "", m.inviteErr
	}
	for _, a := range attendees {
		if err := a.Validate(); err != nil { // as *meeting.Client does: nothing is sent
			return "", err
		}
	}
	m.invited = append(m.invited, attendees)
	return fmt.Sprintf("req-%d", len(m.invited)), nil
}

func (m *meetings) FindUserByEmail(_ context.Context, email string) (meeting.DirectoryUser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dirLookup++
	if m.dirErr != nil {
		return meeting.DirectoryUser{}, m.dirErr
	}
	u, ok := m.directory[email]
	if !ok {
		return meeting.DirectoryUser{}, meeting.ErrNoDirectoryMatch
	}
	return u, nil
}

var (
	alice   = commands.Person{ID: "UALICE", Name: "Alice", Email: "alice@example.com", Phone: "+86 138 0000 0001"}
	bob     = commands.Person{ID: "UBOB", Name: "Bob", Phone: "+44 20 7946 0000"}
	carol   = commands.Person{ID: "UCAROL", Name: "Carol", Email: "carol@example.com"}
	dave    = commands.Person{ID: "UDAVE", Name: "Dave"}
	erin    = commands.Person{ID: "UERIN", Name: "Erin", Email: "erin@example.com", Deleted: true}
	robot   = commands.Person{ID: "UROBOT", Name: "Robot", Bot: true}
	frank   = commands.Person{ID: "UFRANK", Name: "Frank", Phone: "138 0000 0002"}
	aliceSI = meeting.DirectoryUser{Email: "alice@example.com", Number: "+99111244216210249", Type: "NORMAL_USER"}
)

func newPeople() *people {
	return &people{
		users: map[string]commands.Person{
			alice.ID: alice, bob.ID: bob, carol.ID: carol, dave.ID: dave, erin.ID: erin, robot.ID: robot, frank.ID: frank,
		},
		groups:   map[string][]string{"SENG": {"UBOB", "UCAROL", "UALICE"}, "SEMPTY": {}},
		channels: map[string][]string{"CGEN": {"UINVOKER", "UALICE", "UROBOT", "UERIN", "UBOB"}},
	}
}

func newMeetings() *meetings {
	return &meetings{directory: map[string]meeting.DirectoryUser{"alice@example.com": aliceSI}}
}

var quiet = slog.New(slog.DiscardHandler)

// newInviter returns an Inviter without Presence or Authorizer.
func newInviter(p commands.People, m commands.Meetings, cfg commands.Config) *commands.Inviter {
	return commands.NewInviter(p, m, nil, nil, quiet, cfg)
}

// presentInviter returns an Inviter that asks pres who is in the meeting.
func presentInviter(p commands.People, m commands.Meetings, pres *presence, cfg commands.Config) *commands.Inviter {
	return commands.NewInviter(p, m, pres, nil, quiet, cfg)
}

func TestInviteResolvesEachPerson(t *testing.T) {
	t.Parallel()
	p, m := newPeople(), newMeetings()
	in := newInviter(p, m, commands.Config{})

	rep, err := in.Invite(t.Context(), commands.Invitation{
		ConferenceID: "914083136",
		Invoker:      "UINVOKER",
		UserIDs:      []string{"UALICE", "UBOB", "UCAROL", "UDAVE", "UERIN", "UROBOT", "UFRANK", "UNOBODY"},
	})

	require.NoError(t, err)
	assert.Equal(t, "Weekly sync", rep.Conference.Subject)
	assert.Equal(t, []string{"914083136/"}, m.prepared)

	// Alice: directory number (app); Bob: profile phone; Carol: email only,
	// to be sent the join link.
	require.Len(t, rep.Invited, 3)
	assert.Equal(t, commands.Invitee{Person: alice, Via: commands.ViaApp, Address: "+99111244216210249", Also: []string{"+8613800000001"}}, rep.Invited[0])
	assert.Equal(t, commands.Invitee{Person: bob, Via: commands.ViaPhone, Address: "+442079460000"}, rep.Invited[1])
	assert.Equal(t, commands.Invitee{Person: carol, Via: commands.ViaLink, Address: "carol@example.com"}, rep.Invited[2])

	require.Len(t, m.invited, 1, "one invite call for everyone called")
	assert.Equal(t, "req-1", rep.RequestID, "the accepted request's ID, for the audit trail")
	assert.Equal(t, []meeting.Attendee{
		{Name: "Alice", Phone: "+99111244216210249", Type: meeting.TypeNormal, Role: meeting.RoleParticipant},
		{Name: "Bob", Phone: "+442079460000", Type: meeting.TypeMobile, Role: meeting.RoleParticipant},
	}, m.invited[0], "Carol never reaches Huawei: an attendee needs a phone")

	assert.Equal(t, []commands.Skipped{
		{UserID: "UDAVE", Name: "Dave", Reason: commands.SkipNoContact},
		{UserID: "UERIN", Name: "Erin", Reason: commands.SkipDeactivated},
		{UserID: "UROBOT", Name: "Robot", Reason: commands.SkipBot},
		{UserID: "UFRANK", Name: "Frank", Reason: commands.SkipBadPhone},
		{UserID: "UNOBODY", Reason: commands.SkipNotFound},
	}, rep.Skipped)
}

func TestInviteExpandsGroups(t *testing.T) {
	t.Parallel()
	p, m := newPeople(), newMeetings()
	in := newInviter(p, m, commands.Config{})

	rep, err := in.Invite(t.Context(), commands.Invitation{
		ConferenceID: "914083136",
		UserIDs:      []string{"UALICE"},
		GroupIDs:     []string{"SENG", "SNONE", "SEMPTY"},
	})

	require.NoError(t, err)
	var ids []string
	for _, iv := range rep.Invited {
		ids = append(ids, iv.Person.ID)
	}
	assert.Equal(t, []string{"UALICE", "UBOB", "UCAROL"}, ids, "group members after direct mentions, each once")
	assert.Equal(t, []commands.Skipped{
		{GroupID: "SNONE", Reason: commands.SkipUnknownGroup},
		{GroupID: "SEMPTY", Reason: commands.SkipEmptyGroup},
	}, rep.Skipped)
	assert.Equal(t, int32(3), p.lookups.Load())
}

func TestInviteMeetingErrors(t *testing.T) {
	t.Parallel()
	notStarted := &meeting.APIError{StatusCode: 400, Code: "MMC.111072005", RequestID: "req-1"}
	tests := []struct {
		name       string
		prepareErr error
		inviteErr  error
		wantInvite bool
	}{
		{name: "meeting not started", prepareErr: notStarted},
		{name: "invite rejected", inviteErr: &meeting.APIError{StatusCode: 400, Code: "MMC.111072101"}, wantInvite: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMeetings()
			m.prepareErr, m.inviteErr = tt.prepareErr, tt.inviteErr
			in := newInviter(newPeople(), m, commands.Config{})

			rep, err := in.Invite(t.Context(), commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UALICE", "UDAVE"}})

			want := tt.prepareErr
			if want == nil {
				want = tt.inviteErr
			}
			require.ErrorIs(t, err, want)
			assert.Empty(t, rep.Invited, "nobody is reported as called")
			assert.Empty(t, m.invited)
			assert.Len(t, rep.Skipped, 1, "people who could not be invited anyway are still reported")
		})
	}
}

func TestInviteNobodyReachable(t *testing.T) {
	t.Parallel()
	m := newMeetings()
	in := newInviter(newPeople(), m, commands.Config{})

	rep, err := in.Invite(t.Context(), commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UDAVE", "UROBOT"}})

	require.NoError(t, err)
	assert.Empty(t, rep.Invited)
	assert.Len(t, rep.Skipped, 2)
	assert.Empty(t, m.invited, "no invite call with no attendees")
}

func TestInviteTooMany(t *testing.T) {
	t.Parallel()
	p, m := newPeople(), newMeetings()
	in := newInviter(p, m, commands.Config{MaxPeople: 2})

	_, err := in.Invite(t.Context(), commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UALICE", "UBOB", "UCAROL"}})
	require.ErrorIs(t, err, commands.ErrTooManyPeople)
	assert.Zero(t, p.lookups.Load(), "nothing looked up")

	_, err = in.Invite(t.Context(), commands.Invitation{ConferenceID: "914083136", GroupIDs: []string{"SENG"}})
	var tm *commands.TooManyError
	require.ErrorAs(t, err, &tm)
	assert.Equal(t, commands.TooManyError{Count: 3, Max: 2}, *tm)
	assert.Zero(t, p.lookups.Load())
	assert.Empty(t, m.invited)
}

func TestInviteCachesResolution(t *testing.T) {
	t.Parallel()
	p, m := newPeople(), newMeetings()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	in := newInviter(p, m, commands.Config{CacheTTL: time.Minute, Now: clock})
	inv := commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UALICE", "UBOB"}}
	first, err := in.Invite(t.Context(), inv)
	require.NoError(t, err)
	inv.ConferenceID = "986030665" // another meeting: nobody is held back as recently invited
	second, err := in.Invite(t.Context(), inv)
	require.NoError(t, err)
	assert.Equal(t, first.Invited, second.Invited)
	assert.Equal(t, int32(2), p.lookups.Load(), "second run made no Slack lookups")
	assert.Equal(t, 1, m.dirLookup, "second run made no directory lookups")

	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	inv.ConferenceID = "900825541"
	_, err = in.Invite(t.Context(), inv)
	require.NoError(t, err)
	assert.Equal(t, int32(4), p.lookups.Load(), "looked up again after the cache lifetime")
}

func TestInviteDoesNotCacheFailures(t *testing.T) {
	t.Parallel()
	p, m := newPeople(), newMeetings()
	p.fail = map[string]error{"UBOB": errors.New("slack is down")}
	m.dirErr = &meeting.APIError{StatusCode: 503}
	in := newInviter(p, m, commands.Config{})
	inv := commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UALICE", "UBOB"}}

	rep, err := in.Invite(t.Context(), inv)
	require.NoError(t, err)
	require.Len(t, rep.Invited, 1)
	assert.Equal(t, commands.ViaPhone, rep.Invited[0].Via, "directory down: fall back to the profile phone")
	assert.Equal(t, []commands.Skipped{{UserID: "UBOB", Reason: commands.SkipLookupFailed}}, rep.Skipped)

	p.fail, m.dirErr = nil, nil
	rep, err = in.Invite(t.Context(), inv)
	require.NoError(t, err)
	require.Len(t, rep.Invited, 1, "Alice, called on her phone, is not called again on her meeting number")
	assert.Equal(t, "UBOB", rep.Invited[0].Person.ID)
	assert.Equal(t, []commands.Skipped{{UserID: "UALICE", Name: "Alice", Reason: commands.SkipRecentlyInvited}}, rep.Skipped)

	inv.ConferenceID = "986030665" // another meeting
	rep, err = in.Invite(t.Context(), inv)
	require.NoError(t, err)
	require.Len(t, rep.Invited, 2)
	assert.Equal(t, commands.ViaApp, rep.Invited[0].Via, "the fallback was not remembered")
}

func TestInviteCollapsesSameNumber(t *testing.T) {
	t.Parallel()
	p, m := newPeople(), newMeetings()
	twin := commands.Person{ID: "UTWIN", Name: "Bob's twin", Phone: "+44 (20) 7946-0000"}
	p.users[twin.ID] = twin
	in := newInviter(p, m, commands.Config{})

	rep, err := in.Invite(t.Context(), commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB", "UTWIN"}})

	require.NoError(t, err)
	require.Len(t, m.invited, 1)
	assert.Len(t, m.invited[0], 1, "one number is called once")
	assert.Equal(t, []commands.Skipped{{UserID: "UTWIN", Name: "Bob's twin", Reason: commands.SkipDuplicate}}, rep.Skipped)
}

func TestInvitePassesHostPasswordAndRole(t *testing.T) {
	t.Parallel()
	m := newMeetings()
	in := newInviter(newPeople(), m, commands.Config{})

	_, err := in.Invite(t.Context(), commands.Invitation{
		ConferenceID: "914083136", UserIDs: []string{"UBOB"}, HostPassword: "123456", Role: meeting.RoleHost,
	})

	require.NoError(t, err)
	assert.Equal(t, []string{"914083136/123456"}, m.prepared)
	require.Len(t, m.invited, 1)
	assert.Equal(t, meeting.RoleHost, m.invited[0][0].Role)
}

func TestInviteBoundsConcurrency(t *testing.T) {
	t.Parallel()
	p := &gatedPeople{people: newPeople(), entered: make(chan struct{}), release: make(chan struct{})}
	var ids []string
	for i := range 20 {
		id := "U" + string(rune('A'+i))
		p.users[id] = commands.Person{ID: id, Name: id, Phone: fmt.Sprintf("+44207946%04d", i)}
		ids = append(ids, id)
	}
	in := newInviter(p, newMeetings(), commands.Config{Concurrency: 3})

	// Hold three lookups at once, then let one go each time another starts.
	go func() {
		for i := range len(ids) {
			<-p.entered
			if i >= 2 {
				p.release <- struct{}{}
			}
		}
		p.release <- struct{}{}
		p.release <- struct{}{}
	}()
	rep, err := in.Invite(t.Context(), commands.Invitation{ConferenceID: "914083136", UserIDs: ids})

	require.NoError(t, err)
	assert.Len(t, rep.Invited, len(ids))
	assert.LessOrEqual(t, p.peak.Load(), int32(3))
	assert.Equal(t, int32(3), p.peak.Load(), "lookups do run in parallel")
}

// gatedPeople is people whose Person lookups say when they start, on
// entered, and then wait for a value on release; it records how many were
// under way at once.
type gatedPeople struct {
	*people
	entered, release chan struct{}
	inFlight, peak   atomic.Int32
}

func (p *gatedPeople) Person(ctx context.Context, id string) (commands.Person, error) {
	n := p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	for {
		old := p.peak.Load()
		if n <= old || p.peak.CompareAndSwap(old, n) {
			break
		}
	}
	p.entered <- struct{}{}
	<-p.release
	return p.people.Person(ctx, id)
}

func TestInviteNeverCallsAPersonTwice(t *testing.T) {
	t.Parallel()
	m := newMeetings()
	in := newInviter(newPeople(), m, commands.Config{})
	inv := commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UALICE", "UBOB"}}

	// A double submission: the same invitation twice at once.
	var wg sync.WaitGroup
	reps := make([]commands.Report, 2)
	for i := range reps {
		wg.Go(func() {
			var err error
			reps[i], err = in.Invite(t.Context(), inv)
			assert.NoError(t, err)
		})
	}
	wg.Wait()

	called := map[string]int{}
	for _, call := range m.invited {
		for _, a := range call {
			called[a.Name]++
		}
	}
	assert.Equal(t, map[string]int{"Alice": 1, "Bob": 1}, called)
	assert.Len(t, append(reps[0].Skipped, reps[1].Skipped...), 2, "the second request says who was not called again")
	for _, s := range append(reps[0].Skipped, reps[1].Skipped...) {
		assert.Equal(t, commands.SkipRecentlyInvited, s.Reason)
	}

	// Another meeting is another matter.
	rep, err := in.Invite(t.Context(), commands.Invitation{ConferenceID: "986030665", UserIDs: []string{"UALICE"}})
	require.NoError(t, err)
	assert.Len(t, rep.Invited, 1)
}

func TestInviteRetryAfterFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		err       error
		wantRetry bool
	}{
		{name: "rejected by the service: a retry calls them", err: &meeting.APIError{StatusCode: 400, Code: "MMC.111072050"}, wantRetry: true},
		{name: "no answer: they may be ringing, so no second call", err: fmt.Errorf("invite: %w", meeting.ErrUnavailable), wantRetry: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMeetings()
			m.inviteErr = tt.err
			in := newInviter(newPeople(), m, commands.Config{})
			inv := commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UBOB"}}
			_, err := in.Invite(t.Context(), inv)
			require.ErrorIs(t, err, tt.err)

			m.inviteErr = nil
			rep, err := in.Invite(t.Context(), inv)
			require.NoError(t, err)
			assert.Equal(t, tt.wantRetry, len(rep.Invited) == 1)
			assert.Equal(t, tt.wantRetry, len(m.invited) == 1)
		})
	}
}

func TestInviteExpandsChannels(t *testing.T) {
	t.Parallel()
	p, m := newPeople(), newMeetings()
	in := newInviter(p, m, commands.Config{})

	rep, err := in.Invite(t.Context(), commands.Invitation{
		ConferenceID: "914083136", Invoker: "UINVOKER", UserIDs: []string{"UROBOT"}, ChannelIDs: []string{"CGEN", "CNONE"},
	})

	require.NoError(t, err)
	var ids []string
	for _, iv := range rep.Invited {
		ids = append(ids, iv.Person.ID)
	}
	assert.Equal(t, []string{"UALICE", "UBOB"}, ids, "channel members, without the invoker")
	assert.Equal(t, []commands.Skipped{
		{ChannelID: "CNONE", Reason: commands.SkipUnknownChannel},
		{UserID: "UROBOT", Name: "Robot", Reason: commands.SkipBot}, // named directly: told why
	}, rep.Skipped, "a channel's bots and deactivated members are left out quietly")
}

func TestPlanCountsWithoutLookingAnyoneUp(t *testing.T) {
	t.Parallel()
	p := newPeople()
	in := newInviter(p, newMeetings(), commands.Config{})

	plan, err := in.Plan(t.Context(), commands.Invitation{
		Invoker: "UINVOKER", UserIDs: []string{"UDAVE", "UBOB"}, GroupIDs: []string{"SENG"}, ChannelIDs: []string{"CGEN"},
		Phones: []string{"+8613800000009"},
	})

	require.NoError(t, err)
	assert.Equal(t, []string{"UDAVE", "UBOB", "UCAROL", "UALICE", "UROBOT", "UERIN"}, plan.UserIDs)
	assert.Equal(t, 7, plan.Count())
	assert.Zero(t, p.lookups.Load())
}

func TestEmailOnlyPeopleAreSentTheLinkNotCalled(t *testing.T) {
	t.Parallel()
	m := newMeetings()
	in := newInviter(newPeople(), m, commands.Config{})

	rep, err := in.Invite(t.Context(), commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UCAROL"}})

	require.NoError(t, err)
	assert.Empty(t, m.invited, "no invite request: nobody to call")
	assert.Equal(t, []commands.Invitee{{Person: carol, Via: commands.ViaLink, Address: "carol@example.com"}}, rep.Invited)
	assert.Equal(t, "link", rep.Invited[0].Via.String())

	again, err := in.Invite(t.Context(), commands.Invitation{ConferenceID: "914083136", UserIDs: []string{"UCAROL"}})
	require.NoError(t, err)
	assert.Empty(t, again.Invited, "not sent the link twice in the recent window")
	assert.Equal(t, commands.SkipRecentlyInvited, again.Skipped[0].Reason)
}

func TestInviteDirectNumbers(t *testing.T) {
	t.Parallel()
	inv := commands.Invitation{ConferenceID: "914083136", Phones: []string{"+8613800000009"}, Emails: []string{"guest@example.org"}}

	t.Run("allowed", func(t *testing.T) {
		t.Parallel()
		m := newMeetings()
		rep, err := newInviter(newPeople(), m, commands.Config{AllowDirect: true}).Invite(t.Context(), inv)
		require.NoError(t, err)
		require.Len(t, m.invited, 1)
		assert.Equal(t, []meeting.Attendee{
			{Name: "+8613800000009", Phone: "+8613800000009", Type: meeting.TypeMobile},
		}, m.invited[0], "an email cannot be called")
		require.Len(t, rep.Invited, 2)
		assert.Equal(t, commands.Invitee{Person: commands.Person{Name: "g•••@example.org"}, Via: commands.ViaLink, Address: "guest@example.org"}, rep.Invited[1])
	})
	t.Run("refused by default", func(t *testing.T) {
		t.Parallel()
		m := newMeetings()
		rep, err := newInviter(newPeople(), m, commands.Config{}).Invite(t.Context(), inv)
		require.NoError(t, err)
		assert.Empty(t, m.invited, "nothing dialled")
		assert.Equal(t, []commands.Skipped{
			{Address: "+8613800000009", Name: "•••• 0009", Reason: commands.SkipDirectNotAllowed},
			{Address: "guest@example.org", Name: "g•••@example.org", Reason: commands.SkipDirectNotAllowed},
		}, rep.Skipped)
	})
}

func TestInvitePlannedUsesThePlan(t *testing.T) {
	t.Parallel()
	p, m := newPeople(), newMeetings()
	in := newInviter(p, m, commands.Config{})
	inv := commands.Invitation{ConferenceID: "914083136", Invoker: "UINVOKER", ChannelIDs: []string{"CGEN"}}
	plan, err := in.Plan(t.Context(), inv)
	require.NoError(t, err)

	// The channel changes between the confirmation and the click.
	p.channels["CGEN"] = append(p.channels["CGEN"], "UCAROL")
	rep, err := in.InvitePlanned(t.Context(), inv, plan)

	require.NoError(t, err)
	require.Len(t, m.invited, 1)
	assert.Len(t, m.invited[0], 2, "Alice and Bob, as confirmed; not Carol, who joined later")
	assert.Empty(t, rep.Skipped, "the channel's bot and leaver are still left out quietly")
}

// authorizer is a commands.Authorizer that records whom it was asked
// about and answers with decide.
type authorizer struct {
	decide func(ctx context.Context) error

	mu    sync.Mutex
	asked []string // user ID + "@" + channel ID
}

func (a *authorizer) Authorize(ctx context.Context, userID, channelID string) error {
	a.mu.Lock()
	a.asked = append(a.asked, userID+"@"+channelID)
	a.mu.Unlock()
	return a.decide(ctx)
}

func (a *authorizer) questions() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.asked)
}

// startedPeople is people that closes started at the first Person lookup.
type startedPeople struct {
	*people
	once    sync.Once
	started chan struct{}
}

func (p *startedPeople) Person(ctx context.Context, id string) (commands.Person, error) {
	p.once.Do(func() { close(p.started) })
	return p.people.Person(ctx, id)
}

func TestInviteAuthorizeRunsAlongsideAndGates(t *testing.T) {
	t.Parallel()
	refused := &commands.RefusedError{Reason: commands.RefusedUser}
	m := newMeetings()
	p := &startedPeople{people: newPeople(), started: make(chan struct{})}
	// The authorizer answers only once a lookup has started: were it asked
	// before the lookups rather than alongside them, it would wait for the
	// deadline instead.
	auth := &authorizer{decide: func(ctx context.Context) error {
		select {
		case <-p.started:
			return refused
		case <-ctx.Done():
			return ctx.Err()
		}
	}}
	in := commands.NewInviter(p, m, nil, auth, quiet, commands.Config{})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()

	rep, err := in.Invite(ctx, commands.Invitation{
		ConferenceID: "914083136", Invoker: "UINVOKER", Channel: "CGEN", UserIDs: []string{"UALICE", "UDAVE"},
	})

	require.ErrorIs(t, err, refused)
	require.ErrorIs(t, err, commands.ErrRefused)
	assert.Equal(t, []string{"UINVOKER@CGEN"}, auth.questions(), "asked about the invoker, where they asked")
	assert.Empty(t, rep.Invited)
	assert.Empty(t, rep.Skipped, "a refusal says nothing about the people")
	assert.Empty(t, m.invited, "nobody is called")

	auth.decide = func(context.Context) error { return nil }
	rep, err = in.Invite(t.Context(), commands.Invitation{ConferenceID: "914083136", Invoker: "UINVOKER", UserIDs: []string{"UALICE"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"UALICE"}, invitedIDs(rep))
	assert.Len(t, m.invited, 1)
}

// A host password typed by someone who may not invite is never tried:
// wrong ones lock the meeting's control for everyone.
func TestATypedHostPasswordWaitsForAuthorization(t *testing.T) {
	t.Parallel()
	m := newMeetings()
	refused := &commands.RefusedError{Reason: commands.RefusedGuest}
	in := commands.NewInviter(newPeople(), m, nil, &authorizer{decide: func(context.Context) error { return refused }}, quiet, commands.Config{})

	_, err := in.Invite(t.Context(), commands.Invitation{
		ConferenceID: "914083136", Invoker: "UGUEST", UserIDs: []string{"UALICE"}, HostPassword: "guess-1234",
	})

	require.ErrorIs(t, err, refused)
	assert.Empty(t, m.prepared, "the password was not tried")
}

func TestPlanAuthorizesBeforeExpanding(t *testing.T) {
	t.Parallel()
	p := newPeople()
	auth := &authorizer{decide: func(context.Context) error { return &commands.RefusedError{Reason: commands.RefusedChannel} }}
	in := commands.NewInviter(p, newMeetings(), nil, auth, quiet, commands.Config{MaxPeople: 3})
	inv := commands.Invitation{Invoker: "UINVOKER", Channel: "CRANDOM", UserIDs: []string{"UDAVE"}, GroupIDs: []string{"SENG"}}

	plan, err := in.Plan(t.Context(), inv)

	var refused *commands.RefusedError
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, commands.RefusedChannel, refused.Reason)
	assert.ErrorIs(t, err, commands.ErrRefused)
	assert.Empty(t, plan.UserIDs)
	assert.Zero(t, p.expands.Load(), "no group expanded")
	assert.Zero(t, p.lookups.Load())
	assert.Equal(t, []string{"UINVOKER@CRANDOM"}, auth.questions())

	auth.decide = func(context.Context) error { return nil }
	plan, err = in.Plan(t.Context(), inv)
	var tm *commands.TooManyError
	require.ErrorAs(t, err, &tm, "Dave and the three of SENG")
	assert.Equal(t, commands.TooManyError{Count: 4, Max: 3}, *tm)
	assert.ErrorIs(t, err, commands.ErrTooManyPeople)
	assert.Equal(t, 4, plan.Count())
	assert.Zero(t, p.lookups.Load(), "nobody looked up")

	inv.GroupIDs = nil
	plan, err = in.Plan(t.Context(), inv)
	require.NoError(t, err)
	assert.Equal(t, []string{"UDAVE"}, plan.UserIDs)
}

func TestInviteReportsARepeatedDirectNumberByAddress(t *testing.T) {
	t.Parallel()
	in := newInviter(newPeople(), newMeetings(), commands.Config{AllowDirect: true})
	inv := commands.Invitation{ConferenceID: "914083136", Phones: []string{"+8613800000009"}}

	first, err := in.Invite(context.Background(), inv)
	require.NoError(t, err)
	second, err := in.Invite(context.Background(), inv)
	require.NoError(t, err)

	require.Len(t, first.Invited, 1)
	require.Len(t, second.Skipped, 1)
	assert.Equal(t, commands.Skipped{Address: "+8613800000009", Name: "•••• 0009", Reason: commands.SkipRecentlyInvited}, second.Skipped[0],
		"a number typed directly is named by its masked address, not as a Slack user")
}

func TestReachTellsHowSomeoneWouldBeCalled(t *testing.T) {
	t.Parallel()
	m := newMeetings()
	in := newInviter(newPeople(), m, commands.Config{})

	iv, skip, err := in.Reach(context.Background(), "UALICE", "CGEN")
	require.NoError(t, err)
	require.Nil(t, skip)
	assert.Equal(t, commands.ViaApp, iv.Via)
	assert.Equal(t, aliceSI.Number, iv.Address)

	iv, skip, err = in.Reach(context.Background(), "UBOB", "CGEN")
	require.NoError(t, err)
	require.Nil(t, skip)
	assert.Equal(t, commands.ViaPhone, iv.Via)

	_, skip, err = in.Reach(context.Background(), "UDAVE", "CGEN")
	require.NoError(t, err)
	require.NotNil(t, skip)
	assert.Equal(t, commands.SkipNoContact, skip.Reason)
	assert.Empty(t, m.invited, "nobody is called")
}

func TestReachAppliesTheAccessRules(t *testing.T) {
	t.Parallel()
	p := newPeople()
	auth := &authorizer{decide: func(context.Context) error { return &commands.RefusedError{Reason: commands.RefusedGuest} }}
	in := commands.NewInviter(p, newMeetings(), nil, auth, quiet, commands.Config{})

	iv, skip, err := in.Reach(t.Context(), "UALICE", "CGEN")

	require.ErrorIs(t, err, commands.ErrRefused)
	assert.Zero(t, iv)
	assert.Nil(t, skip)
	assert.Equal(t, []string{"UALICE@CGEN"}, auth.questions())
	assert.Zero(t, p.lookups.Load(), "nobody looked up")
}

// OnReady is called once, with the meeting as prepared, before the invite
// request goes out; never for an invoker the rules refuse, nor for a
// meeting that is not running.
func TestOnReadyIsCalledOnlyWhenTheInvitationIsSent(t *testing.T) {
	t.Parallel()
	refused := &commands.RefusedError{Reason: commands.RefusedUser}
	cases := []struct {
		name    string
		refuse  error // the authorizer's answer
		prepare error // the meeting service's answer to Prepare
	}{
		{name: "refused invoker", refuse: refused},
		{name: "meeting not started", prepare: fmt.Errorf("state Created: %w", meeting.ErrNotStarted)},
		{name: "meeting ended", prepare: fmt.Errorf("state Destroyed: %w", meeting.ErrEnded)},
		{name: "running meeting"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newMeetings()
			m.prepareErr = tc.prepare
			auth := &authorizer{decide: func(context.Context) error { return tc.refuse }}
			in := commands.NewInviter(newPeople(), m, nil, auth, quiet, commands.Config{})
			var ready []meeting.Conference
			sentBefore := -1
			inv := commands.Invitation{ConferenceID: "914083136", Invoker: "UINVOKER", Channel: "CGEN", UserIDs: []string{"UALICE"},
				OnReady: func(c meeting.Conference) {
					ready = append(ready, c)
					m.mu.Lock()
					sentBefore = len(m.invited)
					m.mu.Unlock()
				}}

			_, err := in.Invite(t.Context(), inv)

			if tc.refuse != nil || tc.prepare != nil {
				require.Error(t, err)
				assert.Empty(t, ready, "nothing is ready: nobody is called")
				return
			}
			require.NoError(t, err)
			require.Len(t, m.invited, 1)
			assert.Equal(t, []meeting.Conference{{ID: "914083136", Subject: "Weekly sync", State: "Created"}}, ready, "once, with the meeting as prepared")
			assert.Zero(t, sentBefore, "before the invite request")
		})
	}
}
