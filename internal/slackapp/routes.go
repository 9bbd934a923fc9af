package slackapp

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// The slash command, and the callback and action IDs: the manifest and the
// views refer to these.
const (
	slashCommand = "/meet-invite"

	callbackModal  = "meet_invite_modal"  // the invite form
	callbackGlobal = "meet_invite_global" // global shortcut "Invite to a meeting"
	callbackThread = "meet_invite_thread" // message shortcut "Invite this thread"
	actionRetry    = "retry_invite"       // "Try again" on a meeting that had not started
	actionCallBack = "call_again"         // "Call again" on a post whose calls went unanswered
	actionEdit     = "edit_invite"        // "Edit" on an interpreted request: opens the form
	actionJoin     = "join_meeting"       // "Join the meeting": a link; Slack still reports the click
)

// routes registers every handler the app has: the whole Slack surface of
// the bot in one place.
func (a *App) routes(h *socketmode.SocketmodeHandler, lt lifetimes) {
	h.HandleSlashCommand(slashCommand, a.once(a.handleCommand(lt)))
	h.HandleViewSubmission(callbackModal, a.once(a.handleModalSubmit(lt)))
	h.HandleShortcut(callbackGlobal, a.once(a.handleGlobalShortcut(lt)))
	h.HandleShortcut(callbackThread, a.once(a.handleThreadShortcut(lt)))
	h.HandleInteraction(slack.InteractionTypeBlockSuggestion, a.once(a.handleSuggestion())) // the form's meeting picker
	h.HandleInteractionBlockAction(actionRetry, a.once(a.button(lt, actionRetry, a.handleRetry)))
	h.HandleInteractionBlockAction(actionCallBack, a.once(a.button(lt, actionCallBack, a.handleRetry)))
	h.HandleInteractionBlockAction(actionConfirm, a.once(a.button(lt, actionConfirm, a.handleConfirm(true))))
	h.HandleInteractionBlockAction(actionCancel, a.once(a.button(lt, actionCancel, a.handleConfirm(false))))
	h.HandleInteractionBlockAction(actionEdit, a.once(a.button(lt, actionEdit, a.handleEdit)))
	h.HandleEvents(slackevents.AppHomeOpened, a.once(a.handleHomeOpened(lt)))
	h.HandleInteractionBlockAction(actionJoining, a.once(a.button(lt, actionJoining, a.handleAnswer(answerJoining))))
	h.HandleInteractionBlockAction(actionCannot, a.once(a.button(lt, actionCannot, a.handleAnswer(answerCannot))))
	h.HandleInteractionBlockAction(actionPhone, a.once(a.button(lt, actionPhone, a.handleAnswer(""))))
	h.HandleInteractionBlockAction(actionJoin, a.once(a.button(lt, actionJoin, func(lifetimes, *slog.Logger, slack.InteractionCallback, string) {
		// Slack opens the link itself; the click only needs its ack.
	})))

	h.Handle(socketmode.EventTypeConnecting, a.logConnection("connecting to Slack"))
	h.Handle(socketmode.EventTypeConnected, a.logConnection("connected to Slack"))
	h.Handle(socketmode.EventTypeHello, a.logConnection("Slack said hello"))
	h.Handle(socketmode.EventTypeConnectionError, a.logConnection("connection to Slack failed"))
	h.Handle(socketmode.EventTypeInvalidAuth, a.logConnection("Slack refused the app token"))
	h.HandleDefault(a.handleUnknown())
}

// once is middleware: a redelivered envelope (same envelope ID) is only
// acknowledged, never acted on twice, and a handler that panics on a
// hostile payload is logged instead of taking the bot down. Here the check
// is this process's memory, free; the store's, which holds across
// processes, is the request's record for a request (begin: it is written
// before the ack anyway, in batches) and comes right after the ack for a
// button (durableFirst), so that no database write of its own stands
// between an envelope and its ack (at 1,000 commands at once, one write an
// envelope cost a p99 of 1.4 s).
func (a *App) once(next socketmode.SocketmodeHandlerFunc) socketmode.SocketmodeHandlerFunc {
	return func(evt *socketmode.Event, c *socketmode.Client) {
		if evt.Request != nil && evt.Request.EnvelopeID != "" {
			a.arrived.arrive(evt.Request.EnvelopeID)
			if !a.envelopes.Add(evt.Request.EnvelopeID, struct{}{}) {
				a.ignoreRedelivery(evt.Request)
				a.ack(c, evt.Request, nil)
				return
			}
		}
		defer func() {
			if p := recover(); p != nil {
				a.log.Error("handler panicked", "type", evt.Type, "panic", fmt.Sprint(p))
				if evt.Request != nil { // unacknowledged, it would hold back the others' work until Slack's deadline
					a.arrived.take(evt.Request.EnvelopeID)
				}
			}
		}()
		next(evt, c)
	}
}

func (a *App) ignoreRedelivery(req *socketmode.Request) {
	a.log.Info("ignoring a redelivered envelope", "envelope_id", req.EnvelopeID,
		"retry_attempt", req.RetryAttempt, "retry_reason", req.RetryReason)
}

// durableFirst reports whether envelope id is seen for the first time by
// any process sharing the store. It is asked after the ack and before
// anything is done, in a batch with the envelopes arriving meanwhile
// (envelopeLoop). When the store fails the envelope is acted on: the
// reservations still keep anyone from being called twice.
func (a *App) durableFirst(id string) bool {
	if id == "" {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	job := envelopeJob{id: id, first: make(chan envelopeResult, 1)}
	var res envelopeResult
	select {
	case a.envelopeQ <- job:
		select {
		case res = <-job.first:
		case <-ctx.Done():
			res.err = ctx.Err()
		}
	case <-ctx.Done():
		res.err = ctx.Err()
	}
	if res.err != nil {
		a.log.Warn("could not record an envelope; acting on it", "envelope_id", id, "err", res.err)
		return true
	}
	if !res.first {
		a.log.Info("ignoring an envelope another process has handled", "envelope_id", id)
	}
	return res.first
}

// envelopeJob is an envelope waiting for its durable check, and where to
// say whether it was its first delivery.
type envelopeJob struct {
	id    string
	first chan envelopeResult
}

type envelopeResult struct {
	first bool
	err   error
}

// envelopeLoop checks buttons' envelopes against the store in batches, one
// statement each, until stop is closed: many buttons pressed at once cost
// a few writes, not one each ahead of the request records that acks wait
// for.
func (a *App) envelopeLoop(stop <-chan struct{}) {
	groupCommit(stop, a.envelopeQ, maxRecordBatch, 0, nil, func(batch []envelopeJob) {
		ids := make([]string, len(batch))
		for i, j := range batch {
			ids[i] = j.id
		}
		ctx, cancel := storeCtx()
		first, err := a.store.FirstDeliveries(ctx, ids, envelopeMemory)
		cancel()
		for _, j := range batch {
			j.first <- envelopeResult{first: first[j.id], err: err}
			delete(first, j.id) // an envelope twice in a batch: the second is a redelivery
		}
	})
}

// buttonFunc handles a press of a button, given the value it carries.
type buttonFunc func(lt lifetimes, log *slog.Logger, cb slack.InteractionCallback, value string)

// button adapts a buttonFunc: the press is acknowledged at once, then
// handled with the value of the button whose action ID is actionID. The
// handling counts as work in flight from before the ack (reserve), so that
// whoever saw the press acknowledged sees it counted, and a shutdown waits
// for it.
func (a *App) button(lt lifetimes, actionID string, f buttonFunc) socketmode.SocketmodeHandlerFunc {
	return func(evt *socketmode.Event, c *socketmode.Client) {
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		start, counted := a.reserve(workRequest)
		a.ack(c, evt.Request, nil)
		press := func() { a.press(lt, actionID, f, evt.Request.EnvelopeID, cb) }
		if !counted { // stopping: handled here, uncounted; what it would start says it cannot
			press()
			return
		}
		start(press)
	}
}

// press handles an acknowledged press of a button. Like once, it logs a
// panic on a hostile payload instead of letting it take the bot down.
func (a *App) press(lt lifetimes, actionID string, f buttonFunc, envelope string, cb slack.InteractionCallback) {
	defer func() {
		if p := recover(); p != nil {
			a.log.Error("handler panicked", "action", actionID, "panic", fmt.Sprint(p))
		}
	}()
	a.arrived.yield() // the acks still to send go first
	if !a.durableFirst(envelope) {
		return
	}
	log := a.log.With("envelope_id", envelope, "slack_user", cb.User.ID, "action", actionID)
	for _, act := range cb.ActionCallback.BlockActions {
		if act.ActionID == actionID {
			f(lt, log, cb, act.Value)
			return
		}
	}
	log.Warn("button press without its action")
}
