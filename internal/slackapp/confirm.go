package slackapp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/meet-invite/meet-invite/internal/commands"
)

// Actions of the confirmation card shown before inviting many people.
const (
	actionConfirm = "confirm_invite"
	actionCancel  = "cancel_invite"
)

// pendingTTL is how long a confirmation card can be answered: as long as
// its response_url lives.
const pendingTTL = 30 * time.Minute

// pending is an invitation waiting for its invoker's Invite or Cancel. It
// stays in memory: the card's button carries only a random key, so the
// people confirmed are exactly those called, and a second click finds
// nothing to run.
type pending struct {
	inv     commands.Invitation
	plan    commands.Plan
	t       target
	expires time.Time
}

type pendingStore struct {
	mu sync.Mutex
	m  map[string]pending
}

func (s *pendingStore) put(p pending) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	key := hex.EncodeToString(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]pending{}
	}
	now := time.Now()
	for k, v := range s.m {
		if now.After(v.expires) {
			delete(s.m, k)
		}
	}
	p.expires = now.Add(pendingTTL)
	s.m[key] = p
	return key
}

// take removes and returns the pending invitation for key, if it is still
// there and belongs to userID.
func (s *pendingStore) take(key, userID string) (pending, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.m[key]
	if !ok || p.inv.Invoker != userID || time.Now().After(p.expires) {
		return pending{}, false
	}
	delete(s.m, key)
	return p, true
}

// confirmMessage asks the invoker to confirm an invitation of many people,
// and says which groups or channels could not be expanded.
func confirmMessage(inv commands.Invitation, plan commands.Plan, key string) message {
	text := confirmQuestion(plan.Count(), inv.ConferenceID)
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil)}
	if len(plan.Skipped) > 0 {
		blocks = append(blocks, contextBlocks(skippedLines(plan.Skipped), "\n")...)
	}
	txt := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	yes := slack.NewButtonBlockElement(actionConfirm, key, txt(confirmYes))
	yes.Style = slack.StylePrimary
	no := slack.NewButtonBlockElement(actionCancel, key, txt(confirmNo))
	blocks = append(blocks, slack.NewActionBlock("confirm_block", yes, no))
	return message{text: text, blocks: blocks}
}

// handleConfirm returns the handler of Invite (run) or Cancel on a
// pending invitation.
func (a *App) handleConfirm(run bool) buttonFunc {
	return func(work context.Context, log *slog.Logger, cb slack.InteractionCallback, key string) {
		ctx, cancel := context.WithTimeout(work, 15*time.Second)
		p, ok := a.pending.take(key, cb.User.ID)
		switch {
		case !ok:
			a.replace(ctx, cb.ResponseURL, confirmGone)
		case !run:
			a.replace(ctx, cb.ResponseURL, confirmCancelled)
		default:
			a.replace(ctx, cb.ResponseURL, inviting(p.plan.Count(), p.inv.ConferenceID))
		}
		cancel()
		if !ok || !run || !a.jobs.start() {
			return
		}
		defer a.jobs.done()
		ictx, icancel := context.WithTimeout(work, a.cfg.InviteTimeout)
		defer icancel()
		p.t.kind, p.t.start = "button", time.Now()
		if !a.allowed(ictx, log, p.t) {
			return
		}
		a.run(ictx, log, p.t, p.inv, func(ctx context.Context) commands.Report { return a.inviter.InvitePlanned(ctx, p.inv, p.plan) })
	}
}

// replace swaps the message a button was clicked on for text.
func (a *App) replace(ctx context.Context, responseURL, text string) {
	if responseURL == "" {
		return
	}
	_, _, err := a.sm.PostMessageContext(ctx, "",
		slack.MsgOptionText(text, false), slack.MsgOptionReplaceOriginal(responseURL))
	if err != nil {
		a.log.Warn("could not update the confirmation", "err", err)
	}
}
