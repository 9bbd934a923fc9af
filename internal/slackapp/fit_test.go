package slackapp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/blockkit"
	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// hostile is text from users or Huawei that must never reach Slack as markup.
var hostile = []string{"<!channel>", "<!here>", "<https://evil.example|x>", "<!subteam^SEVIL>", "<@UEVIL>", "<#CEVIL>"}

// world builds invitations at the largest size the bot supports, with the
// longest names, every way of reaching people and every reason to skip, and
// subjects and typed names full of markup. tag marks each typed name so a
// test can find it again.
type world struct {
	inv     commands.Invitation
	rep     commands.Report
	plan    commands.Plan
	states  []commands.CallState
	replies []reply
	choices answerChoices
	subject string
}

// longID is a Slack user ID longer than any Slack issues.
func longID(prefix string, i int) string { return fmt.Sprintf("%s%020d", prefix, i) }

func newWorld(n int) world {
	evil := strings.Join(hostile, " ")
	w := world{subject: strings.Repeat("Quarterly <!channel> & <https://evil.example|review> ", 20)}
	w.inv = commands.Invitation{ConferenceID: "98765432109876543210", Invoker: longID("U", 0), Role: meeting.RoleHost}
	w.rep = commands.Report{
		ConferenceID: w.inv.ConferenceID,
		Conference:   meeting.Conference{ID: w.inv.ConferenceID, Subject: w.subject, GuestJoinURI: "https://meeting.example/j/" + strings.Repeat("x", 200)},
		RequestID:    "req-" + evil,
	}
	vias := []commands.Via{commands.ViaApp, commands.ViaPhone, commands.ViaLink}
	states := []commands.CallState{commands.CallJoined, commands.CallMissed, commands.CallRinging, commands.CallNone}
	for i := range n {
		iv := commands.Invitee{Person: commands.Person{ID: longID("U", i+1), Name: evil}, Via: vias[i%3], Address: "+8613800000000"}
		if i%4 == 3 { // typed directly: the masked address is shown
			iv.Person = commands.Person{Name: commands.MaskEmail("x@" + strings.Repeat(evil, 20))}
			iv.Via = commands.ViaLink
		}
		w.rep.Invited = append(w.rep.Invited, iv)
		w.inv.UserIDs = append(w.inv.UserIDs, iv.Person.ID)
		w.states = append(w.states, states[i%len(states)])
		w.replies = append(w.replies, []reply{{answer: answerJoining}, {answer: answerCannot, phoned: true}, {phoned: true}}[i%3])
	}
	w.choices = answerChoices{value: answerValue{ConferenceID: w.inv.ConferenceID, Post: longID("C", 0) + "/1764000000.000100", Index: n - 1, User: longID("U", n)}, phone: true}
	reasons := commands.SkipBeingCalled - commands.SkipDeactivated + 1
	for i := range n {
		r := commands.SkipDeactivated + commands.SkipReason(i)%reasons
		s := commands.Skipped{UserID: longID("W", i), Name: evil, Reason: r}
		switch i % 4 {
		case 1:
			s = commands.Skipped{GroupID: longID("S", i), Reason: commands.SkipUnknownGroup}
		case 2:
			s = commands.Skipped{ChannelID: longID("C", i), Reason: commands.SkipUnknownChannel}
		case 3:
			s = commands.Skipped{Address: "x@evil.example", Name: evil + strings.Repeat("&", 300), Reason: r}
		}
		w.rep.Skipped = append(w.rep.Skipped, s)
		w.inv.GroupIDs = append(w.inv.GroupIDs, longID("S", i))
		w.inv.ChannelIDs = append(w.inv.ChannelIDs, longID("C", i))
	}
	w.plan = commands.Plan{UserIDs: w.inv.UserIDs, Direct: 3, Skipped: w.rep.Skipped}
	return w
}

// messages is every message the builders make for one world, in l.
func (w world) messages(l *lang) map[string]message {
	allRinging := make([]commands.CallState, len(w.states))
	out := map[string]message{
		"invited":        invitedMessage(l, w.inv, w.rep),
		"calls_progress": callsMessage(l, w.inv, w.rep, w.states, nil),
		"calls_replies":  callsMessage(l, w.inv, w.rep, w.states, w.replies),
		"calls_final":    callsMessage(l, w.inv, w.rep, w.states[:len(w.states)-1:len(w.states)-1], w.replies), // the last rings on: shown ringing
		"ended":          endedMessage(l, w.inv, w.rep, w.states, w.replies),
		"ended_ringing":  endedMessage(l, w.inv, w.rep, allRinging, nil),
		"missed_dm":      missedMessage(l, w.inv.Invoker, w.rep, w.choices),
		"ringing_dm":     ringingMessage(l, w.inv.Invoker, w.rep, w.choices),
		"link_dm":        linkMessage(l, w.inv.Invoker, w.rep),
		"confirm":        confirmMessage(l, w.inv, w.plan, strings.Repeat("k", 32)),
		"understood":     understoodMessage(l, w.inv, w.plan, strings.Repeat("k", 32)),
		// With the meeting's call in Slack under the summary.
		"invited_call":  withCallBlock(invitedMessage(l, w.inv, w.rep), "R0E69JAIF"),
		"progress_call": withCallBlock(callsMessage(l, w.inv, w.rep, w.states, w.replies), "R0E69JAIF"),
		"ended_call":    withCallBlock(endedMessage(l, w.inv, w.rep, w.states, w.replies), "R0E69JAIF"),
	}
	started := w.rep
	started.Started = true
	out["started"] = invitedMessage(l, w.inv, started)
	out["started_calls"] = callsMessage(l, w.inv, started, w.states, w.replies)
	host := meeting.CreatedMeeting{Conference: w.rep.Conference, ChairJoinURI: "https://meeting.example/h/" + strings.Repeat("x", 200)}
	out["host_note"] = hostMessage(l, host, true)
	out["start_unsure"] = note(l, startUnsure(l, w.subject))
	out["they_answered"] = note(l, theyAnswered(l, answerJoining, inviteeName(l, w.rep.Invited[len(w.rep.Invited)-1]), meetingTitle(l, w.rep)))
	out["home_outcome"] = note(l, historyLine(time.Unix(1764000000, 0), postOutcome(l, &postRecord{inv: w.inv, rep: started, states: w.states, ended: true})))
	noneRinging := w.rep
	noneRinging.Invited = nil
	var final []commands.CallState
	for i, st := range w.states {
		if st != commands.CallRinging {
			noneRinging.Invited = append(noneRinging.Invited, w.rep.Invited[i])
			final = append(final, st)
		}
	}
	out["calls_summary"] = callsMessage(l, w.inv, noneRinging, final, nil)
	skipped := w.rep
	out["problems"], _ = problemsMessage(l, w.inv, skipped, nil)
	failed := fmt.Errorf("prepare: %w", &meeting.APIError{StatusCode: 400, Code: "MMC.111072005", RequestID: w.rep.RequestID})
	out["problems_failed"], _ = problemsMessage(l, w.inv, w.rep, failed)
	for i, m := range inviteeListMessages(l, w.rep) {
		out[fmt.Sprintf("thread_%d", i)] = m
	}
	return out
}

func blocksJSON(t *testing.T, m message) []byte {
	t.Helper()
	if len(m.blocks) == 0 {
		return nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // keep < and > readable for the assertions
	require.NoError(t, enc.Encode(m.blocks))
	return bytes.TrimSpace(b.Bytes())
}

// TestEveryMessageFitsAtTheMaximum builds every message, in every
// language, for invitations of every size up to MaxInvitePeople, with the
// longest names and every kind of invitee and skip reason, and checks each
// against the limits the fake Slack enforces (blockkit).
func TestEveryMessageFitsAtTheMaximum(t *testing.T) {
	t.Parallel()
	for _, l := range langs {
		for _, n := range []int{1, 3, 31, 50, 61, 120, MaxInvitePeople} {
			t.Run(fmt.Sprint(l.tag, "/", n), func(t *testing.T) {
				t.Parallel()
				for name, m := range newWorld(n).messages(l) {
					assert.NoError(t, blockkit.CheckMessage(m.text, blocksJSON(t, m)), "%s at %d people", name, n)
					assert.NotEmpty(t, m.text, "%s: notifications and screen readers need the text", name)
					// Delivery may add the simulator's note and the add-me hint.
					m.text = l.t("note.simulated_prefix") + " " + m.text + "\n" + addMeHint(l)
					m.blocks = append(m.blocks[:len(m.blocks):len(m.blocks)],
						slack.NewContextBlock("", mrkdwn(simulatedNote(l))), slack.NewContextBlock("", mrkdwn(addMeHint(l))))
					assert.NoError(t, blockkit.CheckMessage(m.text, blocksJSON(t, m)), "%s at %d people, with notes", name, n)
				}
			})
		}
	}
}

var mentionRe = regexp.MustCompile(`<@(U[0-9]+)>`)

// TestEveryInviteeStaysReachable checks that the post names people up to
// its limit, says how many more there are, and that the thread replies name
// exactly the rest.
func TestEveryInviteeStaysReachable(t *testing.T) {
	t.Parallel()
	for _, n := range []int{maxListed, maxListed + 1, MaxInvitePeople} {
		w := newWorld(n)
		for i := range w.rep.Invited { // Slack users only, to count mentions
			w.rep.Invited[i].Person = commands.Person{ID: longID("U", i+1)}
		}
		post := blocksJSON(t, invitedMessage(en, w.inv, w.rep))
		seen := map[string]int{}
		for _, m := range mentionRe.FindAllStringSubmatch(string(post), -1) {
			seen[m[1]]++
		}
		thread := inviteeListMessages(en, w.rep)
		for _, m := range thread {
			require.NoError(t, blockkit.CheckMessage(m.text, blocksJSON(t, m)))
			for _, mm := range mentionRe.FindAllStringSubmatch(string(blocksJSON(t, m)), -1) {
				seen[mm[1]]++
			}
		}
		for _, iv := range w.rep.Invited {
			assert.Positive(t, seen[iv.Person.ID], "%d people: %s is named somewhere", n, iv.Person.ID)
		}
		if n <= maxListed {
			assert.Empty(t, thread, "%d people: the post names everyone", n)
		} else {
			assert.Contains(t, string(post), fmt.Sprintf("…and %d more.", n-maxListed))
		}
	}
}

// TestManySkippedPeopleReachTheInvoker checks the private note at the
// maximum, in every language: every skipped Slack user is named, people
// skipped for the same reason share a line, and the note fits.
func TestManySkippedPeopleReachTheInvoker(t *testing.T) {
	t.Parallel()
	var rep commands.Report
	rep.ConferenceID = "914083136"
	for i := range MaxInvitePeople {
		rep.Skipped = append(rep.Skipped, commands.Skipped{UserID: longID("U", i), Reason: commands.SkipNoContact + commands.SkipReason(i%2)})
	}
	for _, l := range langs {
		m, ok := problemsMessage(l, commands.Invitation{}, rep, nil)
		require.True(t, ok)
		b := blocksJSON(t, m)
		require.NoError(t, blockkit.CheckMessage(m.text, b), l.tag)
		for _, s := range rep.Skipped {
			assert.Contains(t, string(b), "<@"+s.UserID+">", l.tag)
		}
		assert.Equal(t, 1, strings.Count(string(b), skipReason(l, commands.SkipNoContact)), "%s: one reason, said once", l.tag)
	}
}

// TestNoUserTextReachesSlackAsMarkup feeds names, subjects, typed tokens and
// Huawei request IDs holding Slack markup through every builder, in every
// language: none of it may come out live, while the bot's own mentions do.
func TestNoUserTextReachesSlackAsMarkup(t *testing.T) {
	t.Parallel()
	for _, l := range langs {
		t.Run(l.tag.String(), func(t *testing.T) {
			t.Parallel()
			noMarkupGetsThrough(t, l)
		})
	}
}

func noMarkupGetsThrough(t *testing.T, l *lang) {
	w := newWorld(8)
	check := func(name, s string) {
		t.Helper()
		for _, h := range hostile {
			assert.NotContains(t, s, h, "%s lets %q through", name, h)
		}
	}
	for name, m := range w.messages(l) {
		check(name+" text", m.text)
		check(name+" blocks", string(blocksJSON(t, m)))
	}
	posted := invitedMessage(l, w.inv, w.rep)
	assert.Contains(t, string(blocksJSON(t, posted)), "<@"+w.rep.Invited[0].Person.ID+">", "the bot's mentions stay live")
	assert.Contains(t, posted.text, "<@"+w.inv.Invoker+">")
	assert.Contains(t, posted.text, "&lt;!channel&gt;", "the subject is shown, escaped")

	evil := strings.Join(hostile, " ")
	for c := commands.CodeNoText; c <= commands.CodeUnknownToken; c++ {
		check(fmt.Sprintf("parse problem %d", c), parseProblem(l, &commands.ParseError{Code: c, Token: evil}))
	}
	check("failure", failure(l, &meeting.APIError{StatusCode: 400, Code: "MMC.999", RequestID: evil}, "914083136", evil))
	check("per-person failure", failure(l, &meeting.APIError{StatusCode: 400, Code: "MMC.111076008", RequestID: evil}, "914083136", evil))
	check("share link", shareLink(l, "https://x.example/"+evil))
	check("modal", fmt.Sprint(inviteModal(l, modalMeta{}, meetingChoice{id: evil}, nil, false)))
	for _, via := range []commands.Via{commands.ViaApp, commands.ViaPhone, commands.ViaLink} {
		iv := commands.Invitee{Via: via, Address: "x@" + evil, Person: commands.Person{Phone: evil}}
		check("whoami", reachText(l, iv, nil))
	}
}

func TestClipNeverCutsAnEntity(t *testing.T) {
	t.Parallel()
	got := clip(strings.Repeat("a&", 50), 12)
	assert.Equal(t, "a&amp;a…", got, "a whole &amp; does not fit before the ellipsis")
	assert.LessOrEqual(t, blockkit.Len(got), 12)
	assert.Equal(t, "&lt;!here&gt;", clip("<!here>", 40))
}

// TestTheHomeTabFitsAtTheMaximum fills a Home tab, in every language, with
// the most recent invitations it lists, of the largest invitation with the
// longest subject and every outcome, and checks it against the limits of a
// view.
func TestTheHomeTabFitsAtTheMaximum(t *testing.T) {
	t.Parallel()
	for _, l := range langs {
		homeTabFits(t, l)
	}
}

func homeTabFits(t *testing.T, l *lang) {
	w := newWorld(MaxInvitePeople)
	failed := fmt.Errorf("invite: %w", &meeting.APIError{StatusCode: 400, Code: "MMC.999", RequestID: w.rep.RequestID})
	var lines []string
	for i := range homeHistory {
		outcome := postOutcome(l, &postRecord{inv: w.inv, rep: w.rep, states: w.states, ended: i%2 == 0})
		if i%3 == 0 {
			outcome = failure(l, failed, w.rep.ConferenceID, "")
		}
		lines = append(lines, historyLine(time.Now(), outcome))
	}
	reach := reachSentence(l, commands.Invitee{Via: commands.ViaLink, Address: "x@" + strings.Repeat("y", 300)}, nil)
	view := homeView(l, reach, lines)
	view.Blocks.BlockSet = append(view.Blocks.BlockSet, slack.NewContextBlock("", mrkdwn(simulatedNote(l))))
	b, err := json.Marshal(view.Blocks.BlockSet)
	require.NoError(t, err)
	assert.NoError(t, blockkit.CheckBlocks(blockkit.Modal, b), l.tag)
	for _, h := range hostile {
		assert.NotContains(t, string(b), h)
	}
}

// TestASubjectArrivesEscapedInEveryLanguage follows one hostile meeting
// subject into every message that names the meeting, in every language:
// its text and its blocks show it with Slack's three entities escaped
// (https://api.slack.com/reference/surfaces/formatting#escaping), never
// live; the catalogues' templates do not escape, so the builders must.
func TestASubjectArrivesEscapedInEveryLanguage(t *testing.T) {
	t.Parallel()
	const subject = "<!channel> *x* & <@U1>"
	const escaped = "&lt;!channel&gt; *x* &amp; &lt;@U1&gt;"
	shown := []string{"invited", "calls_progress", "ended", "missed_dm", "ringing_dm", "link_dm", "started",
		"started_calls", "host_note", "start_unsure", "they_answered", "home_outcome"}
	for _, l := range langs {
		w := newWorld(3)
		w.subject, w.rep.Conference.Subject = subject, subject
		msgs := w.messages(l)
		for _, name := range shown {
			m, ok := msgs[name]
			require.True(t, ok, name)
			assert.Contains(t, m.text, escaped, "%s %s: text", l.tag, name)
			if len(m.blocks) > 0 {
				assert.Contains(t, string(blocksJSON(t, m)), escaped, "%s %s: blocks", l.tag, name)
			}
		}
		for name, m := range msgs {
			for _, live := range []string{"<!channel>", "<@U1>"} {
				assert.NotContains(t, m.text+string(blocksJSON(t, m)), live, "%s %s", l.tag, name)
			}
		}
	}
}
