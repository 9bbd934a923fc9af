package slackapp

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/slack-go/slack"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/expiring"
)

// Actions of the confirmation card shown before inviting many people.
const (
	actionConfirm = "confirm_invite"
	actionCancel  = "cancel_invite"
)

// pending is an invitation waiting for its invoker's Invite or Cancel. It
// stays in memory: the card's button carries only a random key, so the
// people confirmed are exactly those called, and a second click finds
// nothing to run.
type pending struct {
	inv  commands.Invitation
	plan commands.Plan
	t    target
}

// pendingCards holds the invitations waiting for an answer, by key.
type pendingCards struct{ *expiring.Map[string, pending] }

// put keeps p for its invoker's answer and returns the key its card's
// buttons carry.
func (s pendingCards) put(p pending) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	key := hex.EncodeToString(b)
	s.Set(key, p)
	return key
}

// take removes and returns the pending invitation for key, if it is still
// there and belongs to userID: someone else's click leaves it be.
func (s pendingCards) take(key, userID string) (pending, bool) {
	if p, ok := s.Get(key); !ok || p.inv.Invoker != userID {
		return pending{}, false
	}
	return s.Take(key)
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
