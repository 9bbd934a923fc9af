package slackapp

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/meet-invite/meet-invite/internal/commands"
)

// handleCommand serves the slash command: parse, ack at once (with help, a
// reason, or progress), then run the invitation and report its outcome.
// The handler runs in its own goroutine (slack-go starts one per event), so
// the slow part runs inline after the ack.
func (a *App) handleCommand(work context.Context) socketmode.SocketmodeHandlerFunc {
	return func(evt *socketmode.Event, c *socketmode.Client) {
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			a.log.Warn("slash command envelope without a command", "type", evt.Type)
			return
		}
		log := a.log.With("envelope_id", evt.Request.EnvelopeID, "slack_user", cmd.UserID, "channel", cmd.ChannelID)

		req, err := commands.Parse(cmd.Text)
		var pe *commands.ParseError
		switch {
		case errors.As(err, &pe) && wantsForm(pe.Code):
			// Not enough to go on: open the form, prefilled with what was
			// given. The trigger expires in 3 s, so nothing comes first.
			a.ack(c, evt.Request, nil)
			meta := modalMeta{ChannelID: cmd.ChannelID, ResponseURL: cmd.ResponseURL, GroupIDs: req.GroupIDs}
			a.openModal(work, log, cmd.TriggerID, meta, req.ConferenceID, req.UserIDs)
			return
		case errors.Is(err, commands.ErrHelp):
			a.ack(c, evt.Request, a.ephemeral(helpText))
			return
		case err != nil:
			log.Info("command rejected", "reason", parseProblem(err))
			a.ack(c, evt.Request, a.ephemeral(parseProblem(err)+"\n"+usage))
			return
		}
		if !a.jobs.start() {
			a.ack(c, evt.Request, a.ephemeral(shuttingDown))
			return
		}
		defer a.jobs.done()

		progress := inviting(len(req.UserIDs), req.ConferenceID)
		if len(req.GroupIDs) > 0 {
			progress = invitingGroups(req.ConferenceID)
		}
		a.ack(c, evt.Request, a.ephemeral(progress))

		ctx, cancel := context.WithTimeout(work, a.cfg.InviteTimeout)
		defer cancel()
		t := target{channelID: cmd.ChannelID, userID: cmd.UserID, responseURL: cmd.ResponseURL}
		a.invite(ctx, log, t, commands.Invitation{
			ConferenceID: req.ConferenceID,
			Invoker:      cmd.UserID,
			UserIDs:      req.UserIDs,
			GroupIDs:     req.GroupIDs,
		})
	}
}

// invite runs one invitation and reports it: who was invited in the
// channel, everything else privately to the person who asked.
func (a *App) invite(ctx context.Context, log *slog.Logger, t target, inv commands.Invitation) {
	start := time.Now()
	rep := a.inviter.Invite(ctx, inv)
	audit(log, inv, rep, time.Since(start))

	// Reporting gets its own time: the invitation may have used up ctx.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()

	if len(rep.Invited) > 0 {
		if err := a.postChannel(pctx, t, a.mark(invitedMessage(inv.Invoker, rep))); err != nil {
			log.Error("could not report the invitation", "err", err)
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
func audit(log *slog.Logger, inv commands.Invitation, rep commands.Report, took time.Duration) {
	var invited []string
	for _, iv := range rep.Invited {
		invited = append(invited, iv.Person.ID+":"+iv.Via.String())
	}
	var skipped []string
	for _, s := range rep.Skipped {
		id := s.UserID
		if id == "" {
			id = s.GroupID
		}
		skipped = append(skipped, id)
	}
	attrs := []any{
		"conference_id", inv.ConferenceID,
		"invoker", inv.Invoker,
		"invited", invited,
		"skipped", skipped,
		"duration_ms", took.Milliseconds(),
	}
	if rep.Err != nil {
		log.Warn("invitation failed", append(attrs, "err", rep.Err)...)
		return
	}
	log.Info("invitation done", attrs...)
}

func (a *App) logConnection(msg string) socketmode.SocketmodeHandlerFunc {
	return func(evt *socketmode.Event, _ *socketmode.Client) {
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
