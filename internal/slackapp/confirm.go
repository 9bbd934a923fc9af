package slackapp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/slack-go/slack"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/store"
)

// Actions of the confirmation card shown before inviting many people.
const (
	actionConfirm = "confirm_invite"
	actionCancel  = "cancel_invite"
)

// pending is an invitation waiting for its invoker's Invite or Cancel. It
// is kept in the store, so that a card pressed on another replica, or after
// a restart, still works: the card's button carries only a random key, so
// the people confirmed are exactly those called, and a second click (on
// any replica) finds nothing to run.
type pending struct {
	inv  commands.Invitation
	plan commands.Plan
	t    target
}

// pendingJSON is a pending invitation as the store keeps it.
type pendingJSON struct {
	Inv  commands.Invitation `json:"inv"`
	Plan commands.Plan       `json:"plan"`
	// Where the outcome goes.
	ChannelID   string `json:"channel_id,omitempty"`
	UserID      string `json:"user_id,omitempty"`
	ResponseURL string `json:"response_url,omitempty"`
}

// pendingCards holds the invitations waiting for an answer, by key.
type pendingCards struct {
	store store.Pending
	log   *slog.Logger
}

// put keeps p for its invoker's answer and returns the key its card's
// buttons carry.
func (c pendingCards) put(ctx context.Context, p pending) (string, error) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	key := hex.EncodeToString(b)
	// A host password typed in the form stays with the card (the
	// confirmed invitation needs it) until the card is answered or expires.
	payload, err := json.Marshal(pendingJSON{Inv: p.inv, Plan: p.plan,
		ChannelID: p.t.channelID, UserID: p.t.userID, ResponseURL: p.t.responseURL})
	if err != nil {
		return "", err
	}
	if err := c.store.PutPending(ctx, key, p.inv.Invoker, payload, pendingTTL); err != nil {
		return "", fmt.Errorf("keep the confirmation card: %w", err)
	}
	return key, nil
}

// take removes and returns the pending invitation for key, if it is still
// there and belongs to userID: someone else's click leaves it be. A store
// that fails is logged and reads as the card being gone.
func (c pendingCards) take(key, userID string) (pending, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	payload, ok, err := c.store.TakePending(ctx, key, userID)
	if err != nil {
		c.log.Error("could not read a confirmation card", "slack_user", userID, "err", err)
		return pending{}, false
	}
	if !ok {
		return pending{}, false
	}
	var j pendingJSON
	if err := json.Unmarshal(payload, &j); err != nil {
		c.log.Error("unreadable confirmation card", "slack_user", userID, "err", err)
		return pending{}, false
	}
	return pending{inv: j.Inv, plan: j.Plan,
		t: target{channelID: j.ChannelID, userID: j.UserID, responseURL: j.ResponseURL}}, true
}

// confirmMessage asks the invoker to confirm an invitation of many people,
// and says which groups or channels could not be expanded.
func confirmMessage(l *lang, inv commands.Invitation, plan commands.Plan, key string) message {
	text := confirmQuestion(l, plan.Count(), inv.ConferenceID)
	if inv.Start {
		text = confirmStartQuestion(l, plan.Count())
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil)}
	if len(plan.Skipped) > 0 {
		blocks = append(blocks, contextBlocks(skippedLines(l, plan.Skipped), "\n")...)
	}
	txt := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	yes := slack.NewButtonBlockElement(actionConfirm, key, txt(confirmYes(l)))
	yes.Style = slack.StylePrimary
	no := slack.NewButtonBlockElement(actionCancel, key, txt(confirmNo(l)))
	blocks = append(blocks, slack.NewActionBlock("confirm_block", yes, no))
	return message{text: text, blocks: blocks, lang: l}
}
