package slackapp

import (
	"context"
	"log/slog"
	"time"

	"github.com/slack-go/slack"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// interpret has the model read a plain-words request, checks the reading
// against the text, and shows the invoker what it understood with Invite,
// Edit and Cancel. Nothing is invited until Invite is pressed.
func (a *App) interpret(work context.Context, log *slog.Logger, t target, text string) {
	if !a.jobs.start() {
		return
	}
	defer a.jobs.done()
	ctx, cancel := context.WithTimeout(work, 30*time.Second)
	defer cancel()

	req, err := a.cfg.Interpreter.Interpret(ctx, text)
	if err == nil {
		req, err = commands.CheckInterpretation(req, text)
	}
	if err != nil {
		log.Info("plain-words request not understood", "err", err)
		a.cfg.Monitor.Refused(t.kind, "bad_input")
		if err := a.postPrivate(ctx, t, message{text: notUnderstood + "\n" + usage}); err != nil {
			log.Error("could not post the fallback", "err", err)
		}
		return
	}
	inv := commands.Invitation{
		ConferenceID: req.ConferenceID, Invoker: t.userID,
		UserIDs: req.UserIDs, GroupIDs: req.GroupIDs, ChannelIDs: req.ChannelIDs,
	}
	if req.Host {
		inv.Role = meeting.RoleHost
	}
	plan := a.inviter.Plan(ctx, inv)
	if a.refuseTooMany(ctx, log, t, inv, plan) {
		return
	}
	key := a.pending.put(pending{inv: inv, plan: plan, t: t})
	if err := a.postPrivate(ctx, t, understoodMessage(inv, plan, key)); err != nil {
		log.Error("could not show what was understood", "err", err)
	}
}

// understoodMessage is the card: "Invite @alice and @bob (as hosts) to meeting 914083136?"
func understoodMessage(inv commands.Invitation, plan commands.Plan, key string) message {
	var who []string
	for _, id := range inv.UserIDs {
		who = append(who, "<@"+id+">")
	}
	for _, id := range inv.GroupIDs {
		who = append(who, "<!subteam^"+id+">")
	}
	for _, id := range inv.ChannelIDs {
		who = append(who, "everyone in <#"+id+">")
	}
	text := understood(nameList(who), inv.Role == meeting.RoleHost, inv.ConferenceID, plan.Count())
	txt := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	yes := slack.NewButtonBlockElement(actionConfirm, key, txt(confirmYes))
	yes.Style = slack.StylePrimary
	edit := slack.NewButtonBlockElement(actionEdit, key, txt(editButton))
	no := slack.NewButtonBlockElement(actionCancel, key, txt(confirmNo))
	return message{text: text, blocks: []slack.Block{
		slack.NewSectionBlock(mrkdwn(text), nil, nil),
		slack.NewActionBlock("understood_block", yes, edit, no),
	}}
}

// handleEdit opens the form prefilled with an interpreted request, in place
// of running it.
func (a *App) handleEdit(work context.Context, log *slog.Logger, cb slack.InteractionCallback, key string) {
	p, ok := a.pending.take(key, cb.User.ID)
	if !ok {
		ctx, cancel := context.WithTimeout(work, 10*time.Second)
		defer cancel()
		a.replace(ctx, cb.ResponseURL, confirmGone)
		return
	}
	meta := modalMeta{ChannelID: p.t.channelID, ResponseURL: p.t.responseURL, GroupIDs: p.inv.GroupIDs, ChannelIDs: p.inv.ChannelIDs}
	a.openModal(work, log, cb.TriggerID, meta, p.inv.ConferenceID, p.inv.UserIDs, p.inv.Role == meeting.RoleHost)
}
