package slackapp

import (
	"context"
	"time"

	"github.com/slack-go/slack"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// interpret has the model read a plain-words request and checks the
// reading against the text; the intake then shows the invoker what it
// understood with Invite, Edit and Cancel. Nothing is invited until Invite
// is pressed.
func (a *App) interpret(lt lifetimes, r request, text string) {
	ctx, cancel := context.WithTimeout(lt.work, 30*time.Second)
	defer cancel()
	// Whoever may not invite does not get the model to read for them.
	if err := a.inviter.Authorize(ctx, r.inv.Invoker, r.inv.Channel); err != nil {
		a.report(ctx, lt, r, commands.Report{}, err, func() {})
		return
	}
	req, err := a.cfg.Interpreter.Interpret(ctx, text)
	if err == nil {
		req, err = commands.CheckInterpretation(req, text)
	}
	if err != nil {
		r.log.Info("plain-words request not understood", "err", err)
		a.cfg.Monitor.Refused(r.t.kind, "bad_input")
		l := a.langOf(ctx, r.t.userID)
		if err := a.postPrivate(ctx, r.t, note(l, notUnderstood(l)+"\n"+usage(l))); err != nil {
			r.log.Error("could not post the fallback", "err", err)
		}
		return
	}
	r.inv = invitationOf(req, r.inv)
	r.confirm = true
	a.intake(lt, r, func() {}) // always confirmed first: answered here
}

// understoodMessage is the card: "Invite @alice and @bob (as hosts) to meeting 914083136?"
func understoodMessage(l *lang, inv commands.Invitation, plan commands.Plan, key string) message {
	text := understood(l, nameList(l, invitationNames(l, inv, true)), inv.Role == meeting.RoleHost, inv.ConferenceID, plan.Count())
	txt := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	yes := slack.NewButtonBlockElement(actionConfirm, key, txt(confirmYes(l)))
	yes.Style = slack.StylePrimary
	edit := slack.NewButtonBlockElement(actionEdit, key, txt(editButton(l)))
	no := slack.NewButtonBlockElement(actionCancel, key, txt(confirmNo(l)))
	return message{text: text, lang: l, blocks: []slack.Block{
		slack.NewSectionBlock(mrkdwn(text), nil, nil),
		slack.NewActionBlock("understood_block", yes, edit, no),
	}}
}
