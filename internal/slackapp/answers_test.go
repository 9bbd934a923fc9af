package slackapp

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
	"github.com/meet-invite/meet-invite/internal/slackfake"
	"github.com/meet-invite/meet-invite/internal/store"
)

// answersPost is a post calling Alice in the app (with a phone behind her
// meeting number), Bob on his phone, and the invoker Carol herself.
func answersPost() *postRecord {
	return &postRecord{
		where: posted{channel: "CGENERAL", ts: "1764000000.000100"},
		inv:   commands.Invitation{ConferenceID: "914083136", Invoker: "UCAROL", HostPassword: "pw"},
		rep: commands.Report{ConferenceID: "914083136", Holder: "req-1", SentAt: time.Unix(1764000000, 0),
			Conference: meeting.Conference{ID: "914083136", Subject: "Weekly sync"},
			Invited: []commands.Invitee{
				{Person: commands.Person{ID: "UALICE", Name: "Alice"}, Via: commands.ViaApp, Address: "+99111244216210249", Also: []string{"+8613800000001"}},
				{Person: commands.Person{ID: "UBOB", Name: "Bob"}, Via: commands.ViaPhone, Address: "+442079460000"},
				{Person: commands.Person{ID: "UCAROL", Name: "Carol"}, Via: commands.ViaApp, Address: "+99111244216210001", Also: []string{"+8613800000003"}},
			}},
	}
}

func TestAnswerButtonsAreSignedForAnswersOnly(t *testing.T) {
	t.Parallel()
	a := New(nil, nil, nil, nil, Config{ButtonSecret: []byte("a key of at least thirty-two characters")})
	post := answersPost()
	choices, ok := choicesFor(post, 0)
	require.True(t, ok)
	m := a.mark(ringingMessage(en, "UCAROL", post.rep, choices))

	var values []string
	for _, b := range m.blocks {
		if ab, ok := b.(*slack.ActionBlock); ok {
			for _, el := range ab.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok && btn.ActionID != actionJoin {
					values = append(values, btn.Value)
				}
			}
		}
	}
	require.Len(t, values, 3, "Joining, Can't make it, Call my phone instead")
	for _, v := range values {
		plain, ok := a.signer.open(signAnswer, v)
		require.True(t, ok)
		got, ok := decodeAnswer(plain)
		require.True(t, ok)
		assert.Equal(t, answerValue{ConferenceID: "914083136", Post: "CGENERAL/1764000000.000100", Index: 0, User: "UALICE"}, got)
		_, ok = a.signer.open(signRetry, v)
		assert.False(t, ok, "an answer's value does not pass for Call again's")
	}
}

func TestOnlyThePeopleCalledMayAnswer(t *testing.T) {
	t.Parallel()
	post := answersPost()
	alice, ok := choicesFor(post, 0)
	require.True(t, ok)
	assert.True(t, alice.phone, "rung in the app, with a phone")
	bob, ok := choicesFor(post, 1)
	require.True(t, ok)
	assert.False(t, bob.phone, "rung on his phone already")
	_, ok = choicesFor(post, 2)
	assert.False(t, ok, "the invoker asked: nothing to answer")

	post.replies = []reply{{phoned: true}, {}, {}}
	alice, _ = choicesFor(post, 0)
	assert.False(t, alice.phone, "her phone was rung already")

	for name, v := range map[string]string{
		"not JSON":          "nope",
		"bad meeting":       `{"c":"12","p":"C/1","i":0,"u":"UALICE"}`,
		"not a user":        `{"c":"914083136","p":"C/1","i":0,"u":"<!channel>"}`,
		"negative index":    `{"c":"914083136","p":"C/1","i":-1,"u":"UALICE"}`,
		"not a post":        `{"c":"914083136","p":"x","i":0,"u":"UALICE"}`,
		"nobody to call":    `{"c":"914083136","p":"C/1","i":0}`,
		"fields left empty": `{}`,
	} {
		_, ok := decodeAnswer(v)
		assert.False(t, ok, name)
	}
}

// A post's answers and phones rung are rows of its calls in the store,
// each taken once, and read back by whoever resumes the post.
func TestAPostKeepsItsAnswersInTheStore(t *testing.T) {
	t.Parallel()
	a := New(nil, nil, nil, nil, Config{})
	post := answersPost()
	require.NoError(t, a.saveFollow(t.Context(), post, time.Now().Add(time.Minute)))

	won, err := a.takeRow(t.Context(), post, answerRow(1), string(answerCannot))
	require.NoError(t, err)
	assert.True(t, won)
	won, err = a.takeRow(t.Context(), post, answerRow(1), string(answerJoining))
	require.NoError(t, err)
	assert.False(t, won, "answered once")
	won, err = a.takeRow(t.Context(), post, phoneRow(0), phoneRung)
	require.NoError(t, err)
	assert.True(t, won)
	won, err = a.takeRow(t.Context(), post, answerRow(2), string(answerJoining))
	require.NoError(t, err)
	assert.False(t, won, "the invoker has no answer to give")

	sf, ok, err := a.store.LoadFollow(t.Context(), post.key())
	require.NoError(t, err)
	require.True(t, ok)
	resumed, _, err := postFromStore(sf.Follow)
	require.NoError(t, err)
	assert.Equal(t, []reply{{phoned: true}, {answer: answerCannot}, {}}, resumed.replies)
	assert.Nil(t, resumed.states, "no call ended yet: the answer rows are not calls")

	phone, ok := commands.OnPhone(post.rep.Invited[0])
	require.True(t, ok)
	rep, index := resumed.ringing(func(error) {})
	assert.Equal(t, []int{0, 1, 2}, index)
	assert.Equal(t, phone, rep.Invited[0], "her phone's call is followed, not the app's")

	a.untakeRow(t.Context(), post, phoneRow(0), phoneRung)
	won, err = a.takeRow(t.Context(), post, phoneRow(0), phoneRung)
	require.NoError(t, err)
	assert.True(t, won, "a phone call refused gives the row back")
}

// A post not kept in the store (the store failed) takes its rows in memory.
func TestAnAnswerIsTakenOnceInMemoryToo(t *testing.T) {
	t.Parallel()
	a := New(nil, nil, nil, nil, Config{})
	post := answersPost()
	won, err := a.takeRow(t.Context(), post, answerRow(0), string(answerJoining))
	require.NoError(t, err)
	assert.True(t, won)
	won, err = a.takeRow(t.Context(), post, answerRow(0), string(answerCannot))
	require.NoError(t, err)
	assert.False(t, won)
}

func TestEscalationRingsOnlyUnansweredAppCalls(t *testing.T) {
	t.Parallel()
	post := answersPost()
	assert.Equal(t, []int{0}, post.toEscalate(), "Alice; not Bob (a phone call already), nor the invoker")

	post.replies = []reply{{answer: answerJoining}, {}, {}}
	assert.Empty(t, post.toEscalate(), "she said she is joining")

	post.replies = nil
	post.states = []commands.CallState{commands.CallJoined, commands.CallRinging, commands.CallRinging}
	assert.Empty(t, post.toEscalate(), "she joined")

	post.states, post.ended = nil, true
	assert.Empty(t, post.toEscalate(), "the meeting ended")
}

func TestRepliesAreReadFromTheirRowsOnly(t *testing.T) {
	t.Parallel()
	got := repliesFromStore([]store.Call{
		{Person: "0", State: "1"},
		{Person: "answer/0", State: "joining"},
		{Person: "phone/0", State: ""},
		{Person: "answer/1", State: ""},
		{Person: "phone/1", State: phoneRung},
		{Person: "answer/9", State: "cannot"}, // no such invitee
		{Person: "other/0", State: "x"},
	}, 2)
	assert.Equal(t, []reply{{answer: answerJoining}, {phoned: true}}, got)
	assert.Nil(t, repliesFromStore([]store.Call{{Person: "0", State: "0"}, {Person: "answer/0"}}, 1), "nothing answered")
}

// endedCalls is a Monitor that counts the invitations whose calls were
// followed to their end.
type endedCalls struct {
	noMonitor
	mu sync.Mutex
	n  int
}

func (m *endedCalls) CallsEnded([]commands.CallState) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.n++
}

func (m *endedCalls) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.n
}

// followedApp is an App over a fake Slack, following answersPost: saved
// in the store, in a round of following (rctx, its calls at index) that
// has not shown anything yet.
func followedApp(t *testing.T) (a *App, post *postRecord, mon *endedCalls, rctx context.Context, index []int) {
	t.Helper()
	sf, err := slackfake.Start(slackfake.Config{
		Users:    []slackfake.User{{ID: "UALICE", Name: "alice"}, {ID: "UBOB", Name: "bob"}, {ID: "UCAROL", Name: "carol"}},
		Channels: []slackfake.Channel{{ID: "CGENERAL", Name: "general", Members: []string{"UCAROL"}, BotIsMember: true}},
	})
	require.NoError(t, err)
	t.Cleanup(sf.Close)
	api := slack.New(sf.BotToken(), slack.OptionAppLevelToken(sf.AppToken()), slack.OptionAPIURL(sf.APIURL()))
	mon = &endedCalls{}
	a = New(slog.New(slog.DiscardHandler), socketmode.New(api), nil, nil, Config{Monitor: mon, CallWatch: time.Minute})
	post = answersPost()
	require.NoError(t, a.saveFollow(t.Context(), post, time.Now().Add(time.Minute)))
	post.following = true
	rctx, reroute := context.WithCancelCause(t.Context())
	t.Cleanup(func() { reroute(nil) })
	_, index = post.ringing(reroute)
	return a, post, mon, rctx, index
}

// The race of a round's final update with a phone rung: FollowCalls made
// the update (Alice's app call went unanswered) before her phone was rung,
// and it is read after. It must not undo the phone's ringing, nor send her
// a missed-call message, nor finish the post: the round was rerouted, and
// the next one follows her phone.
func TestAnUpdateMadeBeforeAPhoneRangIsDropped(t *testing.T) {
	t.Parallel()
	final := commands.CallUpdate{States: []commands.CallState{commands.CallMissed, commands.CallMissed, commands.CallJoined}, Final: true, Known: true}
	for _, phoneRang := range []bool{true, false} {
		t.Run(fmt.Sprintf("phone rang: %t", phoneRang), func(t *testing.T) {
			t.Parallel()
			a, post, mon, rctx, index := followedApp(t)
			log := slog.New(slog.DiscardHandler)
			if phoneRang {
				post.mu.Lock()
				post.ensureReplies()[0].phoned = true
				a.followPhone(t.Context(), log, post, 0)
				post.mu.Unlock()
			}

			rerouted := a.showUpdate(rctx, log, post, index, final)

			sf, ok, err := a.store.LoadFollow(t.Context(), post.key())
			require.NoError(t, err)
			require.True(t, ok)
			if !phoneRang { // the control: the same update, read in time, ends the calls
				assert.False(t, rerouted)
				assert.Equal(t, final.States, post.states)
				assert.Equal(t, 1, mon.count())
				assert.True(t, sf.Finished)
				return
			}
			assert.True(t, rerouted)
			assert.Equal(t, []commands.CallState{commands.CallRinging, commands.CallRinging, commands.CallRinging}, post.states, "her phone rings")
			assert.Zero(t, mon.count(), "the calls did not end")
			assert.False(t, sf.Finished)
			assert.Contains(t, sf.Calls, store.Call{Person: "0", State: stateName(commands.CallRinging)})
			missed, err := a.store.ClaimMissed(t.Context(), "test", 10, time.Minute)
			require.NoError(t, err)
			assert.Empty(t, missed, "no missed-call message")
		})
	}
}
