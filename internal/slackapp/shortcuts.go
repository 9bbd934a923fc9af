package slackapp

import (
	"cmp"
	"context"
	"encoding/json"
	"regexp"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// handleGlobalShortcut opens the form from anywhere in Slack. With no
// channel to report to, results go to the invoker in a direct message.
func (a *App) handleGlobalShortcut(lt lifetimes) socketmode.SocketmodeHandlerFunc {
	return func(evt *socketmode.Event, c *socketmode.Client) {
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		a.ack(c, evt.Request, nil)
		log := a.log.With("envelope_id", evt.Request.EnvelopeID, "slack_user", cb.User.ID)
		a.openModal(lt.work, log, cb.TriggerID, modalMeta{UserID: cb.User.ID}, meetingChoice{}, nil, false)
	}
}

// handleThreadShortcut opens the form from a message, with the people who
// took part in its thread already chosen.
func (a *App) handleThreadShortcut(lt lifetimes) socketmode.SocketmodeHandlerFunc {
	return func(evt *socketmode.Event, c *socketmode.Client) {
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		a.ack(c, evt.Request, nil)
		log := a.log.With("envelope_id", evt.Request.EnvelopeID, "slack_user", cb.User.ID, "channel", cb.Channel.ID)

		// The trigger expires 3 s after the click: leave time for views.open,
		// and look up the form's language meanwhile.
		a.tasks.Go(func() { a.langOf(lt.work, cb.User.ID) })
		ctx, cancel := context.WithTimeout(lt.work, 1500*time.Millisecond)
		th, err := a.readThread(ctx, cb)
		cancel()
		if err != nil {
			log.Warn("could not read the thread; opening the form with the people and meeting the message shows", "err", err)
		}
		meta := modalMeta{UserID: cb.User.ID, ChannelID: cb.Channel.ID, ResponseURL: a.hook(cb.ResponseURL)}
		a.openModal(lt.work, log, cb.TriggerID, meta, meetingChoice{id: th.meeting}, th.people, false)
		if e := slackError(err); e == "not_in_channel" || e == "channel_not_found" {
			t := target{channelID: cb.Channel.ID, userID: cb.User.ID, responseURL: cb.ResponseURL}
			l := a.langOf(lt.work, cb.User.ID)
			if err := a.postPrivate(lt.work, t, note(l, threadHint(l))); err != nil {
				log.Warn("could not say why the thread's people may be missing", "err", err)
			}
		}
	}
}

// thread is what the form is prefilled with from a message's thread.
type thread struct {
	people  []string // who wrote in it, in order, without bots or the invoker, at most MaxPeople
	meeting string   // the meeting its most recent message naming one names last (commands.MeetingIDsIn)
}

// Reading a thread for the shortcut: pages of threadPage messages (a
// page may hold up to 1,000; 200 keeps each answer small), at most
// threadPages of them (1,000 messages), to the thread's end, which holds
// its most recent meeting: the messages come oldest first.
// conversations.replies is Tier 3, 50+ calls a minute
// (https://docs.slack.dev/reference/methods/conversations.replies): a long
// thread costs at most five, and a 429 is waited out within the time the
// trigger leaves (slack-go honours Retry-After), else the pages read stand.
const (
	threadPage  = 200
	threadPages = 5
)

// readThread reads the thread of the message the shortcut was used on:
// who wrote in it, and the latest meeting number or link written in it
// (by anyone, bots included: a meeting app's post names its meeting). When
// the thread cannot be read, the message in the payload still names its
// author, its thread's parent author and, on a parent, who replied, and
// its text may name a meeting; when only its first pages could be read,
// they stand.
func (a *App) readThread(ctx context.Context, cb slack.InteractionCallback) (thread, error) {
	ts := cmp.Or(cb.Message.ThreadTimestamp, cb.Message.Timestamp, cb.MessageTs)
	r := threadReader{seen: map[string]bool{cb.User.ID: true, "": true}}
	params := &slack.GetConversationRepliesParameters{ChannelID: cb.Channel.ID, Timestamp: ts, Limit: threadPage}
	var err error
	for range threadPages {
		var (
			msgs []slack.Message
			more bool
			next string
		)
		msgs, more, next, err = a.sm.GetConversationRepliesContext(ctx, params)
		if err != nil {
			break
		}
		for _, m := range msgs {
			r.read(m)
		}
		if !more || next == "" {
			break
		}
		params.Cursor = next
	}
	if r.th.meeting == "" { // the thread could not be read, or names none
		r.meetingIn(cb.Message.Text)
	}
	r.add(cb.Message) // in case the thread could not be read in full
	if err != nil {
		for _, id := range append([]string{cb.Message.ParentUserId}, cb.Message.ReplyUsers...) {
			r.add(slack.Message{Msg: slack.Msg{User: id}})
		}
	}
	r.th.people = capped(r.th.people, a.cfg.MaxPeople)
	return r.th, err
}

// threadReader gathers a thread's people and latest meeting, message by
// message, oldest first.
type threadReader struct {
	th   thread
	seen map[string]bool // the invoker, and who is chosen already
}

func (r *threadReader) read(m slack.Message) {
	r.meetingIn(m.Text)
	r.add(m)
}

// meetingIn keeps the last meeting text names, if it names any.
func (r *threadReader) meetingIn(text string) {
	if ids := commands.MeetingIDsIn(text); len(ids) > 0 {
		r.th.meeting = ids[len(ids)-1]
	}
}

// add chooses the author of m, unless it is a bot or chosen already.
func (r *threadReader) add(m slack.Message) {
	if m.BotID != "" || r.seen[m.User] {
		return
	}
	r.seen[m.User] = true
	r.th.people = append(r.th.people, m.User)
}

// capped returns at most max of ids (0: all).
func capped(ids []string, max int) []string {
	if max > 0 && len(ids) > max {
		return ids[:max]
	}
	return ids
}

// retryValue is what the "Try again" button carries: the invitation, minus
// any host password, which is never put in a message.
type retryValue struct {
	ConferenceID string   `json:"c"`
	UserIDs      []string `json:"u,omitempty"`
	GroupIDs     []string `json:"g,omitempty"`
	ChannelIDs   []string `json:"ch,omitempty"`
	Host         bool     `json:"h,omitempty"`
}

func retryButtonFor(l *lang, inv commands.Invitation) (slack.Block, bool) {
	v, err := json.Marshal(retryValue{
		ConferenceID: inv.ConferenceID, UserIDs: inv.UserIDs, GroupIDs: inv.GroupIDs, ChannelIDs: inv.ChannelIDs,
		Host: inv.Role == meeting.RoleHost,
	})
	// Slack's limit for a button value; and a typed number is never put in
	// a message, so an invitation with one has no button to run it again.
	if err != nil || len(v) > 2000 || len(inv.Phones)+len(inv.Emails) > 0 {
		return nil, false
	}
	btn := slack.NewButtonBlockElement(actionRetry, string(v), slack.NewTextBlockObject(slack.PlainTextType, retryButton(l), false, false))
	btn.Style = slack.StylePrimary
	return slack.NewActionBlock("retry_block", btn), true
}

// callAgainButton calls the people whose calls went unanswered once more
// (only Slack users: a typed number is never put in a message).
func callAgainButton(l *lang, conferenceID string, userIDs []string, role meeting.Role) (*slack.ButtonBlockElement, bool) {
	v, err := json.Marshal(retryValue{ConferenceID: conferenceID, UserIDs: userIDs, Host: role == meeting.RoleHost})
	if err != nil || len(v) > 2000 || len(userIDs) == 0 {
		return nil, false
	}
	label := callAgainLabel(l, len(userIDs))
	return slack.NewButtonBlockElement(actionCallBack, string(v), slack.NewTextBlockObject(slack.PlainTextType, label, false, false)), true
}

var (
	userIDRe    = regexp.MustCompile(`^[UW][A-Z0-9]+$`)
	groupIDRe   = regexp.MustCompile(`^S[A-Z0-9]+$`)
	channelIDRe = regexp.MustCompile(`^[CG][A-Z0-9]+$`)
)

// decodeRetry reads a Try again button's value. It accepts only a valid
// meeting ID and well-formed Slack user and group IDs: the value comes back
// from Slack as sent, but nothing from outside is trusted blindly.
func decodeRetry(value string) (retryValue, bool) {
	var v retryValue
	if json.Unmarshal([]byte(value), &v) != nil || !commands.ValidConferenceID(v.ConferenceID) {
		return retryValue{}, false
	}
	if len(v.UserIDs) == 0 && len(v.GroupIDs) == 0 && len(v.ChannelIDs) == 0 {
		return retryValue{}, false
	}
	for _, id := range v.ChannelIDs {
		if !channelIDRe.MatchString(id) {
			return retryValue{}, false
		}
	}
	for _, id := range v.UserIDs {
		if !userIDRe.MatchString(id) {
			return retryValue{}, false
		}
	}
	for _, id := range v.GroupIDs {
		if !groupIDRe.MatchString(id) {
			return retryValue{}, false
		}
	}
	return v, true
}
