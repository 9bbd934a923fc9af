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
	lang   *lang // what it is written in, for what the app adds (mark)
}

// note is a message of text alone, in l.
func note(l *lang, text string) message { return message{text: text, lang: l} }

func (m message) options() []slack.MsgOption {
	return []slack.MsgOption{slack.MsgOptionText(m.text, false), slack.MsgOptionBlocks(m.blocks...)}
}

// invitedMessage is the channel post naming everyone being called. It shows
// how each person is reached, never their number.
func invitedMessage(l *lang, inv commands.Invitation, rep commands.Report) message {
	return postMessage(l, inv, rep, nil, nil, false)
}

// callsMessage is the channel post updated with how each call went: one
// line per invitee (joined, didn't answer, ringing, invited by email), and
// once no call rings any more, a summary with the counts. Slack users who
// did not answer get a Call again button. replies (nil: none) add what each
// person answered, and whether their phone was rung.
func callsMessage(l *lang, inv commands.Invitation, rep commands.Report, states []commands.CallState, replies []reply) message {
	return postMessage(l, inv, rep, states, replies, false)
}

// endedMessage is an invitation post once its meeting has ended: what it
// said, with how the calls went when that is known, and no buttons.
func endedMessage(l *lang, inv commands.Invitation, rep commands.Report, states []commands.CallState, replies []reply) message {
	return postMessage(l, inv, rep, states, replies, true)
}

// postHeadline opens an invitation's channel post: who invited how many
// people into the meeting called title, or who started it.
func postHeadline(l *lang, inv commands.Invitation, rep commands.Report, title string) string {
	if rep.Started {
		return startedSummary(l, inv.Invoker, othersThan(inv, rep.Invited), title)
	}
	return invitedSummary(l, inv.Invoker, len(rep.Invited), title)
}

// postMessage builds an invitation's channel post in each of its lives: as
// first posted (states nil), as its calls end, and once its meeting ended.
// It names at most maxListed people; inviteeListMessages has the rest.
func postMessage(l *lang, inv commands.Invitation, rep commands.Report, states []commands.CallState, replies []reply, ended bool) message {
	if ended && slices.Contains(states, commands.CallRinging) {
		states = nil // some call never ended: say only who was invited
	}
	t := tallyPost(l, rep, states, replies)
	summary, text := postHeadline(l, inv, rep, meetingTitle(l, rep)), postHeadline(l, inv, rep, plainTitle(l, rep))
	switch {
	case states != nil && t.counts[commands.CallRinging] == 0:
		summary, text = callsSummary(l, summary, t.counts), callsSummary(l, text, t.counts)
	case !ended:
		if len(t.called) > 0 {
			summary = l.sentences(summary, l.t("post.calling_now", "Names", nameList(l, t.called)))
		}
		if len(t.linked) > 0 {
			summary = l.sentences(summary, l.t("post.sent_link", "Names", nameList(l, t.linked)))
		}
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(":telephone_receiver: "+summary), nil, nil)}
	blocks = append(blocks, contextBlocks(limitLines(l, t.lines), " · ")...)
	if ended {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(meetingEndedNote(l))))
		return message{text: l.sentences(text, meetingEndedNote(l)), blocks: blocks, lang: l}
	}
	// The guest link lets anyone else in the channel join too. (The host
	// link is never posted.)
	var buttons []slack.BlockElement
	blockID := "calls_block"
	if join, ok := joinButtonFor(l, rep); ok {
		buttons, blockID = append(buttons, join), "join_block"
	}
	if again, ok := callAgainButton(l, rep.ConferenceID, t.missed, inv.Role); ok {
		buttons = append(buttons, again)
	}
	if len(buttons) > 0 {
		blocks = append(blocks, slack.NewActionBlock(blockID, buttons...))
	}
	return message{text: text, blocks: blocks, lang: l}
}

// postTally is what an invitation's post says about each invitee.
type postTally struct {
	called, linked []string // names of those rung, and of those sent the join link
	lines          []string
	missed         []string // Slack user IDs whose call went unanswered
	counts         map[commands.CallState]int
}

func tallyPost(l *lang, rep commands.Report, states []commands.CallState, replies []reply) postTally {
	t := postTally{counts: map[commands.CallState]int{}}
	for i, iv := range rep.Invited {
		name := inviteeName(l, iv)
		if iv.Via == commands.ViaLink {
			t.linked = append(t.linked, name)
		} else {
			t.called = append(t.called, name)
		}
		if states == nil {
			t.lines = append(t.lines, inviteeVia(l, name, iv.Via))
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
		t.lines = append(t.lines, replyLine(l, name, st, r))
		if st.Unanswered() && iv.Person.ID != "" {
			t.missed = append(t.missed, iv.Person.ID)
		}
	}
	return t
}

// inviteeName is how a message names an invitee: a mention for a Slack
// user, else the number typed by its last digits, or the (masked) address
// typed, clipped.
func inviteeName(l *lang, iv commands.Invitee) string {
	switch {
	case iv.Person.ID != "":
		return "<@" + iv.Person.ID + ">"
	case iv.Via == commands.ViaPhone:
		return maskedNumber(l, iv.Address)
	}
	return clip(iv.Person.Name, maxNameLen)
}

// inviteeListMessages lists, for replies in the thread of an invitation's
// channel post, the invitees the post itself leaves out ("…and N more"):
// how each is reached, at most maxListed a message. It is empty when the
// post names everyone.
func inviteeListMessages(l *lang, rep commands.Report) []message {
	var lines []string
	for _, iv := range rep.Invited {
		lines = append(lines, "• "+inviteeVia(l, inviteeName(l, iv), iv.Via))
	}
	shown, more := limitList(lines, maxListed, listBudget)
	if more == 0 {
		return nil
	}
	var out []message
	for from := len(shown); from < len(lines); {
		page, _ := limitList(lines[from:], maxListed, listBudget)
		head := moreInvited(l, from+1, from+len(page), len(lines), plainTitle(l, rep))
		out = append(out, message{
			text:   head,
			blocks: append([]slack.Block{slack.NewSectionBlock(mrkdwn(head), nil, nil)}, sectionBlocks(page)...),
			lang:   l,
		})
		from += len(page)
	}
	return out
}

// joinButtonFor links the meeting's guest join URL, when it has one.
func joinButtonFor(l *lang, rep commands.Report) (*slack.ButtonBlockElement, bool) {
	u := rep.Conference.GuestJoinURI
	if !strings.HasPrefix(u, "https://") || blockkit.Len(u) > blockkit.MaxURL {
		return nil, false // a button Slack would refuse would take the whole message with it
	}
	join := slack.NewButtonBlockElement(actionJoin, "", slack.NewTextBlockObject(slack.PlainTextType, joinButton(l), false, false))
	join.URL = u
	return join, true
}

// missedMessage is the direct message to someone whose call went
// unanswered: who called, into which meeting, a way to join, and the
// answers they may give (none when choices is zero).
func missedMessage(l *lang, invoker string, rep commands.Report, choices answerChoices) message {
	text := missedCall(l, invoker, meetingTitle(l, rep))
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(":telephone_receiver: "+text), nil, nil)}
	if b, ok := dmButtons(l, rep, choices); ok {
		blocks = append(blocks, b)
	}
	return message{text: missedCall(l, invoker, plainTitle(l, rep)), blocks: blocks, lang: l}
}

// problemsMessage is the private note to the person who asked: why the
// invitation failed, or who was left out and why (people left out for the
// same reason share a line). ok is false when all went well and there is
// nothing to say.
func problemsMessage(l *lang, inv commands.Invitation, rep commands.Report, err error) (message, bool) {
	if err == nil && len(rep.Skipped) == 0 {
		return message{}, false
	}
	var lines []string
	if err != nil {
		line := failure(l, err, rep.ConferenceID, "")
		if _, ofTheRequest := requestFailure(l, err); inv.Start && !rep.Started && !ofTheRequest {
			line = startFailed(l, line)
		}
		lines = append(lines, line)
	}
	if len(rep.Skipped) > 0 {
		if err == nil {
			lines = append(lines, notInvitedHeader(l, len(rep.Skipped), rep.ConferenceID))
		} else {
			lines = append(lines, l.t("note.also"))
		}
		lines = append(lines, skippedLines(l, rep.Skipped)...)
	}
	if url := rep.Conference.GuestJoinURI; url != "" && slices.ContainsFunc(rep.Skipped, func(s commands.Skipped) bool { return s.Reason == commands.SkipShareLink }) {
		lines = append(lines, shareLink(l, url))
	}
	blocks := sectionBlocks(lines)
	if errors.Is(err, meeting.ErrNotStarted) || errors.Is(err, meeting.ErrStarting) {
		if b, ok := retryButtonFor(l, inv); ok {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(retryHint(l))), b)
		}
	}
	return message{text: strings.Join(lines, "\n"), blocks: blocks, lang: l}, true
}

func who(l *lang, s commands.Skipped) string {
	switch {
	case s.GroupID != "":
		return "<!subteam^" + s.GroupID + ">"
	case s.ChannelID != "":
		return "<#" + s.ChannelID + ">"
	case s.Address != "" && !strings.Contains(s.Address, "@"):
		return maskedNumber(l, s.Address)
	case s.Address != "":
		return clip(s.Name, maxNameLen) // masked
	}
	return "<@" + s.UserID + ">"
}

// shownSubject is a meeting's subject without the spaces around it (a bold
// "* Weekly sync *" would show its asterisks), "" when it has none.
func shownSubject(rep commands.Report) string { return strings.TrimSpace(rep.Conference.Subject) }

// meetingTitle names the meeting in mrkdwn: its subject, when known, and ID.
func meetingTitle(l *lang, rep commands.Report) string {
	if s := shownSubject(rep); s != "" {
		return l.t("post.meeting_title_subject", "Subject", "*"+clip(s, maxTitle)+"*", "ID", rep.ConferenceID)
	}
	return l.t("post.meeting_title", "ID", rep.ConferenceID)
}

// plainTitle names the meeting in a message's top-level text, which Slack
// formats too: the subject is escaped there as well.
func plainTitle(l *lang, rep commands.Report) string {
	if s := shownSubject(rep); s != "" {
		return l.t("post.meeting_title_subject", "Subject", clip(s, maxTitle), "ID", rep.ConferenceID)
	}
	return l.t("post.meeting_title", "ID", rep.ConferenceID)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}
