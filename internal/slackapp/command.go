package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// handleCommand serves the slash command: parse, then ack at once (with
// help, a reason, or progress) and hand the request to the intake. Help,
// bad input and the channel rules are answered in the ack itself.
func (a *App) handleCommand(lt lifetimes) socketmode.SocketmodeHandlerFunc {
	return func(evt *socketmode.Event, c *socketmode.Client) {
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			a.log.Warn("slash command envelope without a command", "type", evt.Type)
			return
		}
		r := request{
			t:        target{channelID: cmd.ChannelID, userID: cmd.UserID, responseURL: a.hook(cmd.ResponseURL), kind: "command", start: time.Now()},
			inv:      commands.Invitation{Invoker: cmd.UserID, Channel: cmd.ChannelID},
			log:      a.log.With("envelope_id", evt.Request.EnvelopeID, "slack_user", cmd.UserID, "channel", cmd.ChannelID),
			envelope: evt.Request.EnvelopeID,
		}
		// The ack is in the invoker's language, looked up only when a text
		// needs it (never before the form's views.open).
		l := sync.OnceValue(func() *lang { return a.ackLang(cmd.UserID) })
		say := func(text string) func() { return func() { a.ack(c, evt.Request, a.ephemeral(l(), text)) } }
		refuse := func(outcome, text string) {
			r.log.Info("command answered in the ack", "outcome", outcome)
			a.cfg.Monitor.Refused(r.t.kind, outcome)
			say(text)()
		}
		started := true
		req, err := commands.Parse(cmd.Text)
		var pe *commands.ParseError
		switch {
		case err == nil && req.Action == commands.ActionHelp:
			say(helpText(l()))()
		case a.cfg.Policy.CheckChannel(cmd.ChannelID) != nil:
			refuse("refused", refusalText(l(), commands.RefusedChannel))
		case err == nil && req.Action == commands.ActionWhoAmI:
			started = a.spawn(workRequest, func() { say(lookingYouUp(l()))(); a.whoami(lt, r) })
		case errors.As(err, &pe) && wantsForm(pe.Code):
			// Not enough to go on: open the form, prefilled with what was
			// given. The trigger expires in 3 s, so nothing comes first.
			a.ack(c, evt.Request, nil)
			meta := modalMeta{UserID: cmd.UserID, ChannelID: cmd.ChannelID, ResponseURL: r.t.responseURL, GroupIDs: req.GroupIDs, ChannelIDs: req.ChannelIDs}
			a.openModal(lt.work, r.log, cmd.TriggerID, meta, meetingChoice{id: req.ConferenceID, digest: req.LinkDigest}, req.UserIDs, false)
		case errors.As(err, &pe) && pe.Code == commands.CodeUnknownToken && a.cfg.Interpreter != nil && req.Action != commands.ActionStart:
			// Plain words: let the model read them, then ask before acting.
			r.t.kind = "words"
			started = a.spawn(workRequest, func() { say(reading(l()))(); a.interpret(lt, r, cmd.Text) })
		case err != nil:
			refuse("bad_input", parseProblem(l(), err)+"\n"+usage(l()))
		case req.Direct() && !a.cfg.AllowDirect:
			refuse("refused", directNotAllowed(l()))
		case a.tooBig(invitationOf(req, r.inv)) != nil:
			refuse("refused", failure(l(), a.tooBig(invitationOf(req, r.inv)), req.ConferenceID, ""))
		default: // an invitation, or a meeting to start (and people to call into it)
			r.inv = invitationOf(req, r.inv)
			r.named = !r.inv.Expands()
			// Queued behind the slots' work and the requests acknowledged
			// before it: say it now, in the ack, rather than in a message of
			// its own later (at a burst, hundreds at once).
			r.t.toldQueued, r.coming = a.slots.Expect()
			if started = a.submit(lt, r, say(progressText(l(), r.inv, r.t.toldQueued))); !started {
				r.arrived()
			}
		}
		if !started {
			say(shuttingDown(l()))()
		}
	}
}

// tooBig is the refusal of a command naming more people, or more groups
// and channels, than one request may reach: said in the ack, which then
// promises nothing it cannot keep. The host of a meeting it starts, called
// too, counts (TooManyError.Host: the message tells them apart).
func (a *App) tooBig(inv commands.Invitation) error {
	if n := len(inv.GroupIDs) + len(inv.ChannelIDs); a.cfg.MaxGroups > 0 && n > a.cfg.MaxGroups {
		return &commands.TooManyGroupsError{Count: n, Max: a.cfg.MaxGroups}
	}
	if n := inv.Named(); a.cfg.MaxPeople > 0 && n > a.cfg.MaxPeople {
		return &commands.TooManyError{Count: n, Max: a.cfg.MaxPeople, Host: len(inv.Hosts) > 0}
	}
	return nil
}

// invitationOf fills an invitation from a parsed command: for "now", one
// that starts a meeting, its invoker the host (commands.WithHost).
func invitationOf(req commands.Request, inv commands.Invitation) commands.Invitation {
	inv.ConferenceID = req.ConferenceID
	inv.UserIDs, inv.GroupIDs, inv.ChannelIDs = req.UserIDs, req.GroupIDs, req.ChannelIDs
	inv.Phones, inv.Emails = req.Phones, req.Emails
	inv.LinkDigest = req.LinkDigest
	if req.Host {
		inv.Role = meeting.RoleHost
	}
	inv.Start = req.Action == commands.ActionStart
	return commands.WithHost(inv)
}

// progressText is the ack of a command that will run.
func progressText(l *lang, inv commands.Invitation, queued bool) string {
	text := inviting(l, inv.Named(), inv.ConferenceID)
	switch {
	case inv.Start:
		text = startingText(l, inv.Named()-len(inv.Hosts), inv.Expands())
	case inv.Expands():
		text = invitingGroups(l, inv.ConferenceID)
	}
	if queued {
		text = l.sentences(text, queuedSuffix(l))
	}
	return text
}

// whoami tells the person privately how an invitation would reach them.
func (a *App) whoami(lt lifetimes, r request) {
	ctx, cancel := context.WithTimeout(lt.work, a.cfg.InviteTimeout)
	defer cancel()
	iv, skip, err := a.inviter.Reach(ctx, r.t.userID, r.t.channelID)
	l := a.langOf(ctx, r.t.userID)
	text := reachText(l, iv, skip)
	if err != nil {
		text = failure(l, err, "", "")
	}
	if err := a.postPrivate(ctx, r.t, a.mark(note(l, text))); err != nil {
		r.log.Error("could not answer whoami", "err", err)
	}
}

// logConnection follows the Socket Mode connection for health and logs.
// slack-go handles Slack's "disconnect" message itself (it reconnects and
// never passes the message on), so a Slack-requested reconnect shows as a
// connection whose count is above zero.
func (a *App) logConnection(msg string) socketmode.SocketmodeHandlerFunc {
	return func(evt *socketmode.Event, c *socketmode.Client) {
		if ce, ok := evt.Data.(*socketmode.ConnectedEvent); ok && ce.ConnectionCount > 0 {
			a.log.Info("reconnected to Slack (Slack asked, or the connection dropped)", "connection", ce.ConnectionCount)
			a.cfg.Monitor.Reconnected()
		}
		switch evt.Type {
		case socketmode.EventTypeConnected, socketmode.EventTypeHello:
			a.connected(c, true)
		default:
			a.connected(c, false)
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

// ephemeral is an ack's payload: text shown only to the person who asked.
func (a *App) ephemeral(l *lang, text string) json.RawMessage {
	if a.cfg.Simulated {
		text += "\n" + simulatedNote(l)
	}
	// Encoded here, in a fixed shape, rather than by slack-go from a map:
	// at 1,000 commands at once, a map's encoding is a cost every ack pays.
	quoted, _ := json.Marshal(text) // a string always encodes
	b := make([]byte, 0, len(quoted)+40)
	b = append(b, `{"response_type":"ephemeral","text":`...)
	b = append(b, quoted...)
	return append(b, '}')
}

// mark adds the simulation note to a message when the meeting service is
// the simulator, so nobody mistakes a test for a real call. It signs the
// message's Try again and Call again buttons too (seal).
func (a *App) mark(m message) message {
	m = a.seal(m) // issue 14: sign the buttons the bot reads back (trust.go)
	if !a.cfg.Simulated {
		return m
	}
	l := m.lang
	if l == nil {
		l = a.def
	}
	m.text = l.t("note.simulated_prefix") + " " + m.text
	m.blocks = append(m.blocks, slack.NewContextBlock("", mrkdwn(simulatedNote(l))))
	return m
}
