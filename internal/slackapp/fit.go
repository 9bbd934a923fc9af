package slackapp

import (
	"strings"

	"github.com/slack-go/slack"

	"github.com/meet-invite/meet-invite/internal/blockkit"
	"github.com/meet-invite/meet-invite/internal/commands"
)

// How much of a long list one message shows. Every message the bot builds
// must pass blockkit.CheckMessage at INVITE_MAX_PEOPLE's maximum
// (MaxInvitePeople) with the longest names: lists are packed into blocks
// within Slack's per-block limits, and past maxListed entries (or
// listBudget characters) end in "…and N more".
const (
	// MaxInvitePeople is the largest INVITE_MAX_PEOPLE the messages are
	// built (and tested) to carry.
	MaxInvitePeople = 200

	maxListed   = 50   // people named in one list before "…and N more"
	maxNameLen  = 32   // characters shown of a typed name or address
	maxTitle    = 100  // characters shown of a meeting subject
	listBudget  = 6400 // characters of one message's lines; maxListed of the longest fit
	namesBudget = 2400 // characters of names in one sentence, within a section's 3,000
)

// clip makes user or Huawei text safe in mrkdwn (see escape) and at most
// n characters long (blockkit.Len), ending in "…" when cut. It never cuts
// inside an entity such as &amp;.
func clip(s string, n int) string { return shorten(s, n, escape) }

// shorten is s, each rune passed through as, at most n characters long
// (blockkit.Len), ending in "…" when cut.
func shorten(s string, n int, as func(string) string) string {
	if e := as(s); blockkit.Len(e) <= n {
		return e
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		e := as(string(r))
		if used+blockkit.Len(e) > n-1 {
			break
		}
		b.WriteString(e)
		used += blockkit.Len(e)
	}
	return b.String() + "…"
}

// limitList keeps the first entries of a list that fit in maxItems
// entries and budget characters (counting a two-character separator), and
// says how many were left out.
func limitList(items []string, maxItems, budget int) (shown []string, more int) {
	used := 0
	for i, it := range items {
		used += blockkit.Len(it) + 2
		if i == maxItems || used > budget {
			return items[:i], len(items) - i
		}
	}
	return items, 0
}

func andMore(l *lang, n int) string { return l.n("post.and_more", n) }

// nameList joins names with commas, naming at most maxListed of them.
func nameList(l *lang, names []string) string {
	shown, more := limitList(names, maxListed, namesBudget)
	s := strings.Join(shown, l.t("post.list_separator"))
	if more > 0 {
		s = l.n("post.names_and_more", more, "Names", s)
	}
	return s
}

// invitationNames names whom an invitation asked for, as Slack shows them:
// its users, groups and channels as mentions (with everyone, each channel
// as "everyone in #channel"), then its typed numbers by their last digits
// and its addresses, masked and escaped.
func invitationNames(l *lang, inv commands.Invitation, everyone bool) []string {
	var who []string
	for _, id := range inv.UserIDs {
		who = append(who, "<@"+id+">")
	}
	for _, id := range inv.GroupIDs {
		who = append(who, "<!subteam^"+id+">")
	}
	for _, id := range inv.ChannelIDs {
		channel := "<#" + id + ">"
		if everyone {
			channel = l.t("post.everyone_in", "Channel", channel)
		}
		who = append(who, channel)
	}
	for _, p := range inv.Phones {
		who = append(who, maskedNumber(l, p))
	}
	for _, e := range inv.Emails {
		who = append(who, clip(commands.MaskEmail(e), 2*maxNameLen))
	}
	return who
}

// pack joins lines with sep into texts of at most maxLen characters each. A
// line longer than maxLen (which the callers' clipped names prevent) is cut.
func pack(lines []string, sep string, maxLen int) []string {
	var out []string
	cur := ""
	for _, l := range lines {
		if blockkit.Len(l) > maxLen {
			l = string([]rune(l)[:maxLen/2]) + "…"
		}
		switch {
		case cur == "":
			cur = l
		case blockkit.Len(cur)+blockkit.Len(sep)+blockkit.Len(l) <= maxLen:
			cur += sep + l
		default:
			out = append(out, cur)
			cur = l
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

// contextBlocks shows lines joined by sep in context blocks: each element
// within Slack's text limit, at most ten elements a block.
func contextBlocks(lines []string, sep string) []slack.Block {
	var blocks []slack.Block
	var els []slack.MixedElement
	for _, t := range pack(lines, sep, blockkit.MaxText) {
		els = append(els, mrkdwn(t))
		if len(els) == blockkit.MaxContextElements {
			blocks = append(blocks, slack.NewContextBlock("", els...))
			els = nil
		}
	}
	if len(els) > 0 {
		blocks = append(blocks, slack.NewContextBlock("", els...))
	}
	return blocks
}

// sectionBlocks shows lines, one a line, in as many sections as their
// length needs.
func sectionBlocks(lines []string) []slack.Block {
	var blocks []slack.Block
	for _, t := range pack(lines, "\n", blockkit.MaxText) {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(t), nil, nil))
	}
	return blocks
}

// limitLines keeps what fits of a list of lines and ends it with "…and N
// more." when some were left out.
func limitLines(l *lang, lines []string) []string {
	shown, more := limitList(lines, maxListed, listBudget)
	if more == 0 {
		return lines
	}
	return append(shown[:len(shown):len(shown)], andMore(l, more))
}

// skippedLines says who was left out and why, one line per reason:
// "• <@U1>, <@U2> — their Slack account is deactivated." (a reason with
// many people takes several lines). Past listBudget characters of names it
// ends with "…and N more.".
func skippedLines(l *lang, skipped []commands.Skipped) []string {
	names := make([]string, len(skipped))
	for i, s := range skipped {
		names[i] = who(l, s)
	}
	shown, more := limitList(names, len(names), listBudget)
	var order []commands.SkipReason
	byReason := map[commands.SkipReason][]string{}
	for i := range shown {
		r := skipped[i].Reason
		if _, ok := byReason[r]; !ok {
			order = append(order, r)
		}
		byReason[r] = append(byReason[r], shown[i])
	}
	var lines []string
	for _, r := range order {
		reason := " — " + skipReason(l, r)
		sep := l.t("post.list_separator")
		for _, chunk := range pack(byReason[r], sep, blockkit.MaxText-blockkit.Len(reason)-2) {
			lines = append(lines, "• "+chunk+reason)
		}
	}
	if more > 0 {
		lines = append(lines, andMore(l, more))
	}
	return lines
}
