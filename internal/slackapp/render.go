package slackapp

import (
	"errors"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/meet-invite/meet-invite/internal/blockkit"
	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// message is one Slack message: Block Kit plus the plain-text fallback that
// notifications and screen readers use.
type message struct {
	text   string
	blocks []slack.Block
}

func (m message) options() []slack.MsgOption {
	return []slack.MsgOption{slack.MsgOptionText(m.text, false), slack.MsgOptionBlocks(m.blocks...)}
}

// invitedMessage is the channel post naming everyone being called. It shows
// how each person is reached, never their number.
func invitedMessage(inv commands.Invitation, rep commands.Report) message {
	return postMessage(inv, rep, nil, nil, false)
}

// callsMessage is the channel post updated with how each call went: one
// line per invitee (joined, didn't answer, ringing, invited by email), and
// once no call rings any more, a summary with the counts. Slack users who
// did not answer get a Call again button. replies (nil: none) add what each
// person answered, and whether their phone was rung.
func callsMessage(inv commands.Invitation, rep commands.Report, states []commands.CallState, replies []reply) message {
	return postMessage(inv, rep, states, replies, false)
}

// endedMessage is an invitation post once its meeting has ended: what it
// said, with how the calls went when that is known, and no buttons.
func endedMessage(inv commands.Invitation, rep commands.Report, states []commands.CallState, replies []reply) message {
	return postMessage(inv, rep, states, replies, true)
}

// postHeadline opens an invitation's channel post: who invited how many
// people into the meeting called title, or who started it.
func postHeadline(inv commands.Invitation, rep commands.Report, title string) string {
	if rep.Started {
		return startedSummary(inv.Invoker, othersThan(inv, rep.Invited), title)
	}
	return invitedSummary(inv.Invoker, len(rep.Invited), title)
}

// postMessage builds an invitation's channel post in each of its lives: as
// first posted (states nil), as its calls end, and once its meeting ended.
// It names at most maxListed people; inviteeListMessages has the rest.
func postMessage(inv commands.Invitation, rep commands.Report, states []commands.CallState, replies []reply, ended bool) message {
	if ended && slices.Contains(states, commands.CallRinging) {
		states = nil // some call never ended: say only who was invited
	}
	t := tallyPost(rep, states, replies)
	summary, text := postHeadline(inv, rep, meetingTitle(rep)), postHeadline(inv, rep, plainTitle(rep))
	switch {
	case states != nil && t.counts[commands.CallRinging] == 0:
		summary, text = callsSummary(summary, t.counts), callsSummary(text, t.counts)
	case !ended:
		if len(t.called) > 0 {
			summary += " Calling now: " + nameList(t.called) + "."
		}
		if len(t.linked) > 0 {
			summary += " Sent " + nameList(t.linked) + " the join link."
		}
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(":telephone_receiver: "+summary), nil, nil)}
	blocks = append(blocks, contextBlocks(limitLines(t.lines), " · ")...)
	if ended {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(meetingEndedNote)))
		return message{text: text + " " + meetingEndedNote, blocks: blocks}
	}
	// The guest link lets anyone else in the channel join too. (The host
	// link is never posted.)
	var buttons []slack.BlockElement
	blockID := "calls_block"
	if join, ok := joinButtonFor(rep); ok {
		buttons, blockID = append(buttons, join), "join_block"
	}
	if again, ok := callAgainButton(rep.ConferenceID, t.missed, inv.Role); ok {
		buttons = append(buttons, again)
	}
	if len(buttons) > 0 {
		blocks = append(blocks, slack.NewActionBlock(blockID, buttons...))
	}
	return message{text: text, blocks: blocks}
}

// postTally is what an invitation's post says about each invitee.
type postTally struct {
	called, linked []string // names of those rung, and of those sent the join link
	lines          []string
	missed         []string // Slack user IDs whose call went unanswered
	counts         map[commands.CallState]int
}

func tallyPost(rep commands.Report, states []commands.CallState, replies []reply) postTally {
	t := postTally{counts: map[commands.CallState]int{}}
	for i, iv := range rep.Invited {
		name := inviteeName(iv)
		if iv.Via == commands.ViaLink {
			t.linked = append(t.linked, name)
		} else {
			t.called = append(t.called, name)
		}
		if states == nil {
			t.lines = append(t.lines, name+" "+viaText(iv.Via))
			continue
		}
		st := commands.CallRinging
		if i < len(states) {
			st = states[i]
		}
		t.counts[st]++
		var r reply
		if i < len(replies) {
			r = replies[i]
		}
		t.lines = append(t.lines, replyLine(name, st, r))
		if st.Unanswered() && iv.Person.ID != "" {
			t.missed = append(t.missed, iv.Person.ID)
		}
	}
	return t
}

// inviteeName is how a message names an invitee: a mention for a Slack
// user, else the (masked) number or address typed, clipped.
func inviteeName(iv commands.Invitee) string {
	if iv.Person.ID == "" {
		return clip(iv.Person.Name, maxNameLen)
	}
	return "<@" + iv.Person.ID + ">"
}

// inviteeListMessages lists, for replies in the thread of an invitation's
// channel post, the invitees the post itself leaves out ("…and N more"):
// how each is reached, at most maxListed a message. It is empty when the
// post names everyone.
func inviteeListMessages(rep commands.Report) []message {
	var lines []string
	for _, iv := range rep.Invited {
		lines = append(lines, "• "+inviteeName(iv)+" "+viaText(iv.Via))
	}
	shown, more := limitList(lines, maxListed, listBudget)
	if more == 0 {
		return nil
	}
	var out []message
	for from := len(shown); from < len(lines); {
		page, _ := limitList(lines[from:], maxListed, listBudget)
		head := moreInvited(from+1, from+len(page), len(lines), plainTitle(rep))
		out = append(out, message{
			text:   head,
			blocks: append([]slack.Block{slack.NewSectionBlock(mrkdwn(head), nil, nil)}, sectionBlocks(page)...),
		})
		from += len(page)
	}
	return out
}

// joinButtonFor links the meeting's guest join URL, when it has one.
func joinButtonFor(rep commands.Report) (*slack.ButtonBlockElement, bool) {
	u := rep.Conference.GuestJoinURI
	if !strings.HasPrefix(u, "https://") || blockkit.Len(u) > blockkit.MaxURL {
		return nil, false // a button Slack would refuse would take the whole message with it
	}
	join := slack.NewButtonBlockElement(actionJoin, "", slack.NewTextBlockObject(slack.PlainTextType, joinButton, false, false))
	join.URL = u
	return join, true
}

// missedMessage is the direct message to someone whose call went
// unanswered: who called, into which meeting, a way to join, and the
// answers they may give (none when choices is zero).
func missedMessage(invoker string, rep commands.Report, choices answerChoices) message {
	text := missedCall(invoker, meetingTitle(rep))
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(":telephone_receiver: "+text), nil, nil)}
	if b, ok := dmButtons(rep, choices); ok {
		blocks = append(blocks, b)
	}
	return message{text: missedCall(invoker, plainTitle(rep)), blocks: blocks}
}

// problemsMessage is the private note to the person who asked: why the
// invitation failed, or who was left out and why (people left out for the
// same reason share a line). ok is false when all went well and there is
// nothing to say.
func problemsMessage(inv commands.Invitation, rep commands.Report, err error) (message, bool) {
	if err == nil && len(rep.Skipped) == 0 {
		return message{}, false
	}
	var lines []string
	if err != nil {
		line := failure(err, rep.ConferenceID, "")
		if _, ofTheRequest := requestFailure(err); inv.Start && !rep.Started && !ofTheRequest {
			line = startFailed(line)
		}
		lines = append(lines, line)
	}
	if len(rep.Skipped) > 0 {
		if err == nil {
			lines = append(lines, notInvitedHeader(len(rep.Skipped), rep.ConferenceID))
		} else {
			lines = append(lines, "Also:")
		}
		lines = append(lines, skippedLines(rep.Skipped)...)
	}
	if url := rep.Conference.GuestJoinURI; url != "" && slices.ContainsFunc(rep.Skipped, func(s commands.Skipped) bool { return s.Reason == commands.SkipShareLink }) {
		lines = append(lines, shareLink(url))
	}
	blocks := sectionBlocks(lines)
	if errors.Is(err, meeting.ErrNotStarted) || errors.Is(err, meeting.ErrStarting) {
		if b, ok := retryButtonFor(inv); ok {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(retryHint)), b)
		}
	}
	return message{text: strings.Join(lines, "\n"), blocks: blocks}, true
}

func who(s commands.Skipped) string {
	switch {
	case s.GroupID != "":
		return "<!subteam^" + s.GroupID + ">"
	case s.ChannelID != "":
		return "<#" + s.ChannelID + ">"
	case s.Address != "":
		return clip(s.Name, maxNameLen) // masked for phone numbers
	}
	return "<@" + s.UserID + ">"
}

// meetingTitle names the meeting in mrkdwn: its subject, when known, and ID.
func meetingTitle(rep commands.Report) string {
	if s := rep.Conference.Subject; s != "" {
		return "*" + clip(s, maxTitle) + "* (meeting " + rep.ConferenceID + ")"
	}
	return "meeting " + rep.ConferenceID
}

// plainTitle names the meeting in a message's top-level text, which Slack
// formats too: the subject is escaped there as well.
func plainTitle(rep commands.Report) string {
	if s := rep.Conference.Subject; s != "" {
		return clip(s, maxTitle) + " (meeting " + rep.ConferenceID + ")"
	}
	return "meeting " + rep.ConferenceID
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}
