package slackapp

import (
	"context"
	"log/slog"
	"slices"

	"github.com/slack-go/slack"

	"github.com/meet-invite/meet-invite/internal/commands"
)

// sendLinks sends each Slack user whom Huawei can't ring (ViaLink: only
// their email is known, and Huawei sends nobody invited during a meeting
// any notice) a direct message with the meeting's join link. Whoever could
// not be sent it (an email typed in the command, a message Slack refused,
// a meeting without a guest link) moves from Invited to Skipped with
// SkipShareLink, for the invoker to share the link: the post claims only
// what was done.
func (a *App) sendLinks(ctx context.Context, log *slog.Logger, inv commands.Invitation, rep commands.Report) commands.Report {
	if !slices.ContainsFunc(rep.Invited, func(iv commands.Invitee) bool { return iv.Via == commands.ViaLink }) {
		return rep
	}
	byLang := map[*lang]message{} // the message, in each recipient's language
	_, hasLink := joinButtonFor(a.def, rep)
	var invited []commands.Invitee
	for _, iv := range rep.Invited {
		if iv.Via != commands.ViaLink {
			invited = append(invited, iv)
			continue
		}
		sent := false
		if hasLink && iv.Person.ID != "" {
			l := a.langOf(ctx, iv.Person.ID)
			m, ok := byLang[l]
			if !ok {
				m = a.mark(linkMessage(l, inv.Invoker, rep))
				byLang[l] = m
			}
			_, _, err := a.sm.PostMessageContext(ctx, iv.Person.ID, m.options()...)
			if err != nil {
				log.Warn("could not send someone the join link", "slack_user", iv.Person.ID, "err", err)
			}
			sent = err == nil
		}
		if sent {
			invited = append(invited, iv)
		} else {
			rep.Skipped = append(rep.Skipped, skippedInvitee(iv))
		}
	}
	rep.Invited = invited
	return rep
}

// skippedInvitee is an invitee who was not sent the join link.
func skippedInvitee(iv commands.Invitee) commands.Skipped {
	s := commands.Skipped{UserID: iv.Person.ID, Name: iv.Person.Name, Reason: commands.SkipShareLink}
	if iv.Person.ID == "" {
		s.Address = iv.Address
	}
	return s
}

// linkMessage is the direct message to someone Huawei can't ring.
func linkMessage(l *lang, invoker string, rep commands.Report) message {
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(":link: "+linkSent(l, invoker, meetingTitle(l, rep))), nil, nil)}
	if join, ok := joinButtonFor(l, rep); ok {
		blocks = append(blocks, slack.NewActionBlock("join_block", join))
	}
	return message{text: linkSent(l, invoker, plainTitle(l, rep)), blocks: blocks, lang: l}
}
