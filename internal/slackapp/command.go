package slackapp

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// handleCommand serves the slash command: parse, ack at once (with help, a
// reason, or progress), then run the invitation and report its outcome.
// The handler runs in its own goroutine (slack-go starts one per event), so
// the slow part runs inline after the ack.
func (a *App) handleCommand(work context.Context) socketmode.SocketmodeHandlerFunc {
	return func(evt *socketmode.Event, c *socketmode.Client) {
		start := time.Now()
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			a.log.Warn("slash command envelope without a command", "type", evt.Type)
			return
		}
		log := a.log.With("envelope_id", evt.Request.EnvelopeID, "slack_user", cmd.UserID, "channel", cmd.ChannelID)

		req, err := commands.Parse(cmd.Text)
		if errors.Is(err, commands.ErrHelp) {
			a.ack(c, evt.Request, a.ephemeral(helpText))
			return
		}
		if errors.Is(err, commands.ErrWhoAmI) {
			a.ack(c, evt.Request, a.ephemeral(lookingYouUp))
			t := target{channelID: cmd.ChannelID, userID: cmd.UserID, responseURL: cmd.ResponseURL, kind: "command", start: start}
			a.whoami(work, log, t)
			return
		}
		if r := a.cfg.Policy.checkChannel(cmd.ChannelID); r != allowed {
			log.Info("command refused", "refusal", string(r))
			a.cfg.Monitor.Refused("command", "refused")
			a.ack(c, evt.Request, a.ephemeral(refusalText(r)))
			return
		}
		var pe *commands.ParseError
		switch {
		case errors.As(err, &pe) && wantsForm(pe.Code):
			// Not enough to go on: open the form, prefilled with what was
			// given. The trigger expires in 3 s, so nothing comes first.
			a.ack(c, evt.Request, nil)
			meta := modalMeta{ChannelID: cmd.ChannelID, ResponseURL: cmd.ResponseURL, GroupIDs: req.GroupIDs, ChannelIDs: req.ChannelIDs}
			a.openModal(work, log, cmd.TriggerID, meta, req.ConferenceID, req.UserIDs, false)
			return
		case errors.As(err, &pe) && pe.Code == commands.CodeUnknownToken && a.cfg.Interpreter != nil:
			// Plain words: let the model read them, then ask before acting.
			a.ack(c, evt.Request, a.ephemeral(reading))
			t := target{channelID: cmd.ChannelID, userID: cmd.UserID, responseURL: cmd.ResponseURL, kind: "command", start: start}
			a.interpret(work, log, t, cmd.Text)
			return
		case err != nil:
			log.Info("command rejected", "reason", parseProblem(err))
			a.cfg.Monitor.Refused("command", "bad_input")
			a.ack(c, evt.Request, a.ephemeral(parseProblem(err)+"\n"+usage))
			return
		}
		if req.Direct() && !a.cfg.AllowDirect {
			a.cfg.Monitor.Refused("command", "refused")
			a.ack(c, evt.Request, a.ephemeral(directNotAllowed))
			return
		}
		if !a.jobs.start() {
			a.ack(c, evt.Request, a.ephemeral(shuttingDown))
			return
		}
		defer a.jobs.done()

		inv := commands.Invitation{
			ConferenceID: req.ConferenceID,
			Invoker:      cmd.UserID,
			UserIDs:      req.UserIDs,
			GroupIDs:     req.GroupIDs,
			ChannelIDs:   req.ChannelIDs,
			Phones:       req.Phones,
			Emails:       req.Emails,
		}
		expands := len(req.GroupIDs) > 0 || len(req.ChannelIDs) > 0
		progress := inviting(len(req.UserIDs)+len(req.Phones)+len(req.Emails), req.ConferenceID)
		if expands {
			progress = invitingGroups(req.ConferenceID)
		}
		busy := a.busy()
		if busy { // say it now, in the ack, rather than in a message of its own later
			progress += " " + queuedSuffix
		}
		a.ack(c, evt.Request, a.ephemeral(progress))

		ctx, cancel := context.WithTimeout(work, a.cfg.InviteTimeout)
		defer cancel()
		t := target{channelID: cmd.ChannelID, userID: cmd.UserID, responseURL: cmd.ResponseURL, kind: "command", start: start, toldQueued: busy}
		if expands {
			a.inviteMany(ctx, log, t, inv)
			return
		}
		// The policy is checked while people are looked up; nobody is
		// called unless it allows the invoker.
		inv.Authorize = a.authorizer(t)
		a.invite(ctx, log, t, inv)
	}
}

// inviteMany runs an invitation naming groups or channels, which can bring
// in more people than the invoker expects: they are counted first, and the
// invoker is asked when they are many.
func (a *App) inviteMany(ctx context.Context, log *slog.Logger, t target, inv commands.Invitation) {
	if !a.allowed(ctx, log, t) {
		return
	}
	plan := a.inviter.Plan(ctx, inv)
	switch {
	case a.refuseTooMany(ctx, log, t, inv, plan):
	case plan.Count() > a.cfg.ConfirmAbove:
		key := a.pending.put(pending{inv: inv, plan: plan, t: t})
		if err := a.postPrivate(ctx, t, confirmMessage(inv, plan, key)); err != nil {
			log.Error("could not ask for confirmation", "err", err)
		}
	default:
		a.run(ctx, log, t, inv, func(ctx context.Context) commands.Report { return a.inviter.InvitePlanned(ctx, inv, plan) })
	}
}

// refuseTooMany tells the invoker when a plan reaches more people than the
// maximum, and reports whether it did.
func (a *App) refuseTooMany(ctx context.Context, log *slog.Logger, t target, inv commands.Invitation, plan commands.Plan) bool {
	n := plan.Count()
	if a.cfg.MaxPeople <= 0 || n <= a.cfg.MaxPeople {
		return false
	}
	a.report(ctx, log, t, inv, commands.Report{
		ConferenceID: inv.ConferenceID,
		Err:          &commands.TooManyError{Count: n, Max: a.cfg.MaxPeople},
	})
	return true
}

// allowed applies the policy to the person who asked, telling them
// privately when they may not invite.
func (a *App) allowed(ctx context.Context, log *slog.Logger, t target) bool {
	r := a.authorize(ctx, t.userID, t.channelID)
	if r == allowed {
		return true
	}
	log.Info("request refused", "refusal", string(r))
	a.cfg.Monitor.Refused(t.kind, "refused")
	if err := a.postPrivate(ctx, t, message{text: refusalText(r)}); err != nil {
		log.Error("could not tell the user why they were refused", "err", err)
	}
	return false
}

// whoami tells the person privately how an invitation would reach them.
func (a *App) whoami(work context.Context, log *slog.Logger, t target) {
	if !a.jobs.start() {
		return
	}
	defer a.jobs.done()
	ctx, cancel := context.WithTimeout(work, a.cfg.InviteTimeout)
	defer cancel()
	iv, skip := a.inviter.Reach(ctx, t.userID)
	if err := a.postPrivate(ctx, t, a.mark(message{text: reachText(iv, skip)})); err != nil {
		log.Error("could not answer whoami", "err", err)
	}
}

// invite runs one invitation and reports it.
func (a *App) invite(ctx context.Context, log *slog.Logger, t target, inv commands.Invitation) {
	a.run(ctx, log, t, inv, func(ctx context.Context) commands.Report { return a.inviter.Invite(ctx, inv) })
}

// run runs an invitation in a free slot, waiting its turn in a burst, and
// reports it.
func (a *App) run(ctx context.Context, log *slog.Logger, t target, inv commands.Invitation, do func(context.Context) commands.Report) {
	release, err := a.acquire(ctx, log, t)
	if err != nil {
		a.report(ctx, log, t, inv, commands.Report{ConferenceID: inv.ConferenceID, Err: err})
		return
	}
	defer release()
	a.report(ctx, log, t, inv, do(ctx))
}

// report tells Slack how an invitation went: who was invited in the
// channel, everything else privately to the person who asked.
func (a *App) report(ctx context.Context, log *slog.Logger, t target, inv commands.Invitation, rep commands.Report) {
	audit(log, inv, rep)
	a.cfg.Monitor.Finished(t.kind, rep, time.Since(t.start))

	// Reporting gets its own time: the invitation may have used up ctx.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()

	if len(rep.Invited) > 0 {
		where, err := a.postChannel(pctx, t, a.mark(invitedMessage(inv.Invoker, rep)))
		if err != nil {
			log.Error("could not report the invitation", "err", err)
		}
		if where.ts != "" {
			a.followCalls(log, a.posts.add(where, inv, rep))
		}
	}
	if m, ok := problemsMessage(inv, rep); ok {
		if err := a.postPrivate(pctx, t, a.mark(m)); err != nil {
			log.Error("could not tell the user what went wrong", "err", err)
		}
	}
}

// audit logs one line per invitation: who asked, which meeting, how each
// person was reached, and the outcome. No phone number or email in clear.
func audit(log *slog.Logger, inv commands.Invitation, rep commands.Report) {
	var invited []string
	for _, iv := range rep.Invited {
		id := iv.Person.ID
		if id == "" {
			id = "direct"
		}
		invited = append(invited, id+":"+iv.Via.String())
	}
	var skipped []string
	for _, s := range rep.Skipped {
		id := s.UserID
		switch {
		case s.GroupID != "":
			id = s.GroupID
		case s.ChannelID != "":
			id = s.ChannelID
		case s.Address != "":
			id = "direct:" + s.Name // masked
		}
		skipped = append(skipped, id)
	}
	attrs := []any{
		"conference_id", inv.ConferenceID,
		"invoker", inv.Invoker,
		"invited", invited,
		"skipped", skipped,
	}
	if rep.Err != nil {
		var apiErr *meeting.APIError
		if errors.As(rep.Err, &apiErr) {
			attrs = append(attrs, "request_id", apiErr.RequestID, "error_code", apiErr.Code)
		}
		log.Warn("invitation failed", append(attrs, "err", rep.Err)...)
		return
	}
	log.Info("invitation done", append(attrs, "request_id", rep.RequestID)...)
}

func (a *App) logConnection(msg string) socketmode.SocketmodeHandlerFunc {
	return func(evt *socketmode.Event, _ *socketmode.Client) {
		switch evt.Type {
		case socketmode.EventTypeConnected, socketmode.EventTypeHello:
			a.cfg.Monitor.Connected(true)
		default:
			a.cfg.Monitor.Connected(false)
		}
		switch evt.Type {
		case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
			a.log.Warn(msg, "detail", evt.Data)
		default:
			a.log.Debug(msg)
		}
	}
}

// handleUnknown acknowledges any envelope nothing else handles, so Slack
// does not retry it, and logs it.
func (a *App) handleUnknown() socketmode.SocketmodeHandlerFunc {
	return func(evt *socketmode.Event, c *socketmode.Client) {
		if evt.Request == nil || evt.Request.EnvelopeID == "" {
			a.log.Debug("socket mode event", "type", evt.Type)
			return
		}
		a.log.Info("unhandled envelope", "type", evt.Type, "envelope_id", evt.Request.EnvelopeID)
		a.ack(c, evt.Request, nil)
	}
}

// wantsForm reports whether a command is incomplete rather than wrong: just
// the command, only a meeting ID, or only people.
func wantsForm(c commands.ParseCode) bool {
	return c == commands.CodeNoText || c == commands.CodeNoPeople || c == commands.CodeNoConferenceID
}

func (a *App) ephemeral(text string) map[string]any {
	if a.cfg.Simulated {
		text += "\n" + simulatedNote
	}
	return map[string]any{"response_type": "ephemeral", "text": text}
}

// mark adds the simulation note to a message when the meeting service is
// the simulator, so nobody mistakes a test for a real call.
func (a *App) mark(m message) message {
	if !a.cfg.Simulated {
		return m
	}
	m.text = "[simulated] " + m.text
	m.blocks = append(m.blocks, slack.NewContextBlock("", mrkdwn(simulatedNote)))
	return m
}
