package slackapp

import (
	"context"
	"log/slog"
	"time"

	"github.com/slack-go/slack"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// The buttons. Each is acknowledged at once by the button adapter
// (routes.go); those that invite hand a request to the intake, as whoever
// pressed them.

// handleRetry runs an invitation again from its "Try again" or "Call
// again" button, as asked by whoever pressed it, from where they pressed it:
// the intake authorizes the presser like anyone typing the command, and
// the audit line names them. The value must carry the bot's signature.
func (a *App) handleRetry(lt lifetimes, log *slog.Logger, cb slack.InteractionCallback, value string) {
	plain, signed := a.signer.open(signRetry, value)
	v, ok := decodeRetry(plain)
	if !signed || !ok {
		log.Warn("unreadable or unsigned Try again button", "signed", signed)
		return
	}
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.User.ID
	}
	inv := commands.Invitation{ConferenceID: v.ConferenceID, Invoker: cb.User.ID, Channel: cb.Channel.ID, UserIDs: v.UserIDs, GroupIDs: v.GroupIDs, ChannelIDs: v.ChannelIDs}
	if v.Host {
		inv.Role = meeting.RoleHost
	}
	t := target{channelID: channel, userID: cb.User.ID, responseURL: a.hook(cb.ResponseURL), kind: "button", start: time.Now()}
	if !a.submit(lt, request{t: t, inv: inv, log: log}, func() {}) {
		a.tellStopping(lt, t)
	}
}

// tellStopping tells whoever pressed a button that nothing runs: the app is
// stopping.
func (a *App) tellStopping(lt lifetimes, t target) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(lt.work), postTimeout)
	defer cancel()
	l := a.langOf(ctx, t.userID)
	_ = a.postPrivate(ctx, t, a.mark(note(l, shuttingDown(l))))
}

// handleConfirm returns the handler of Invite (run) or Cancel on a
// pending invitation: Invite runs exactly the people on the card.
func (a *App) handleConfirm(run bool) buttonFunc {
	return func(lt lifetimes, log *slog.Logger, cb slack.InteractionCallback, key string) {
		p, ok := a.pending.take(key, cb.User.ID)
		ctx, cancel := context.WithTimeout(lt.work, 15*time.Second)
		l := a.langOf(ctx, cb.User.ID)
		switch {
		case !ok:
			a.replace(ctx, cb.ResponseURL, confirmGone(l))
		case !run:
			a.replace(ctx, cb.ResponseURL, confirmCancelled(l))
		case p.inv.Start:
			a.replace(ctx, cb.ResponseURL, startingText(l, p.plan.Count()-len(p.inv.Hosts), false))
		default:
			a.replace(ctx, cb.ResponseURL, inviting(l, p.plan.Count(), p.inv.ConferenceID))
		}
		cancel()
		if ok && run {
			p.t.kind, p.t.start = "button", time.Now()
			if !a.submit(lt, request{t: p.t, inv: p.inv, plan: &p.plan, log: log}, func() {}) {
				a.tellStopping(lt, p.t)
			}
		}
	}
}

// handleEdit opens the form prefilled with an interpreted request, in place
// of running it.
func (a *App) handleEdit(lt lifetimes, log *slog.Logger, cb slack.InteractionCallback, key string) {
	p, ok := a.pending.take(key, cb.User.ID)
	if !ok {
		ctx, cancel := context.WithTimeout(lt.work, 10*time.Second)
		defer cancel()
		a.replace(ctx, cb.ResponseURL, confirmGone(a.langOf(ctx, cb.User.ID)))
		return
	}
	meta := modalMeta{UserID: cb.User.ID, ChannelID: p.inv.Channel, ResponseURL: p.t.responseURL, GroupIDs: p.inv.GroupIDs, ChannelIDs: p.inv.ChannelIDs}
	a.openModal(lt.work, log, cb.TriggerID, meta, choiceOf(p.inv), p.inv.UserIDs, p.inv.Role == meeting.RoleHost)
}

// replace swaps the message a button was clicked on for text.
func (a *App) replace(ctx context.Context, responseURL, text string) {
	if responseURL = a.hook(responseURL); responseURL == "" {
		return
	}
	_, _, err := a.sm.PostMessageContext(ctx, "",
		slack.MsgOptionText(text, false), slack.MsgOptionReplaceOriginal(responseURL))
	if err != nil {
		a.log.Warn("could not update the confirmation", "err", err)
	}
}
