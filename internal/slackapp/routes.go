package slackapp

import (
	"context"

	"github.com/slack-go/slack/socketmode"
)

// Callback and action IDs: the manifest and the views refer to these.
const (
	callbackModal  = "meet_invite_modal"  // the invite form
	callbackGlobal = "meet_invite_global" // global shortcut "Invite to a meeting"
	callbackThread = "meet_invite_thread" // message shortcut "Invite this thread"
	actionRetry    = "retry_invite"       // "Try again" on a meeting that had not started
)

// routes registers every handler the app has: the whole Slack surface of
// the bot in one place.
func (a *App) routes(h *socketmode.SocketmodeHandler, work context.Context) {
	h.HandleSlashCommand(a.cfg.Command, a.handleCommand(work))
	h.HandleViewSubmission(callbackModal, a.handleModalSubmit(work))
	h.HandleShortcut(callbackGlobal, a.handleGlobalShortcut(work))
	h.HandleShortcut(callbackThread, a.handleThreadShortcut(work))
	h.HandleInteractionBlockAction(actionRetry, a.handleRetry(work))
	h.HandleInteractionBlockAction(actionConfirm, a.handleConfirm(work, true))
	h.HandleInteractionBlockAction(actionCancel, a.handleConfirm(work, false))

	h.Handle(socketmode.EventTypeConnecting, a.logConnection("connecting to Slack"))
	h.Handle(socketmode.EventTypeConnected, a.logConnection("connected to Slack"))
	h.Handle(socketmode.EventTypeHello, a.logConnection("Slack said hello"))
	h.Handle(socketmode.EventTypeConnectionError, a.logConnection("connection to Slack failed"))
	h.Handle(socketmode.EventTypeInvalidAuth, a.logConnection("Slack refused the app token"))
	h.HandleDefault(a.handleUnknown())
}
