package slackapp

import (
	"context"

	"github.com/slack-go/slack/socketmode"
)

// routes registers every handler the app has: the whole Slack surface of
// the bot in one place.
func (a *App) routes(h *socketmode.SocketmodeHandler, work context.Context) {
	h.HandleSlashCommand(a.cfg.Command, a.handleCommand(work))

	h.Handle(socketmode.EventTypeConnecting, a.logConnection("connecting to Slack"))
	h.Handle(socketmode.EventTypeConnected, a.logConnection("connected to Slack"))
	h.Handle(socketmode.EventTypeHello, a.logConnection("Slack said hello"))
	h.Handle(socketmode.EventTypeConnectionError, a.logConnection("connection to Slack failed"))
	h.Handle(socketmode.EventTypeInvalidAuth, a.logConnection("Slack refused the app token"))
	h.HandleDefault(a.handleUnknown())
}
