package slackapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/slack-go/slack"

	"github.com/meet-invite/meet-invite/internal/commands"
)

// target is where the outcome of a request goes: the channel it came from,
// the person who asked, and the response_url Slack gave with it.
type target struct {
	channelID   string
	userID      string
	responseURL string
	kind        string    // what started the request, for metrics: "command", "modal", "button"
	start       time.Time // when it arrived
	toldQueued  bool      // the ack already said the request is queued
}

// posted is a message the bot can update later: its channel and timestamp.
// It is zero when the message went another way (response_url, ephemeral).
type posted struct{ channel, ts string }

// post sends m with chat.postMessage to channel (a channel, or a user for a
// direct message) at Slack's pace: it waits for the channel's turn first,
// then has postTimeout of its own, whatever time is left to the caller.
func (a *App) post(channel string, m message, opts ...slack.MsgOption) (posted, error) {
	return a.postInTurn(a.pace.waitPost(channel), channel, m, opts...)
}

// inTurn runs f once channel's turn to be posted in has come, with
// waitPost's error: at once, on this goroutine, when the turn is now (or
// cannot be had); else later on a goroutine of the app's work, so that a
// post waiting for its turn holds none (at a burst most posts wait).
func (a *App) inTurn(channel string, f func(turn error)) {
	d, err := a.pace.turnIn(channel)
	if err != nil || d == 0 {
		f(err)
		return
	}
	start, ok := a.reserve(workRequest)
	if !ok { // the app is stopping: wait here, on work it counts already
		f(a.pace.sleep(d))
		return
	}
	a.pace.after(d, func(turn error) { start(func() { f(turn) }) })
}

// postInTurn posts m to channel once its turn came; turn is the error of
// the wait for it (see waitPost), returned without posting anything.
func (a *App) postInTurn(turn error, channel string, m message, opts ...slack.MsgOption) (posted, error) {
	if turn != nil {
		return posted{}, turn
	}
	ctx, cancel := context.WithTimeout(context.Background(), postTimeout)
	defer cancel()
	ch, ts, err := a.sm.PostMessageContext(ctx, channel, append(m.options(), opts...)...)
	if err != nil {
		return posted{}, fmt.Errorf("chat.postMessage: %w", err)
	}
	return posted{channel: ch, ts: ts}, nil
}

// postInvitation posts an invitation's outcome m in the channel once its
// turn came (turn: see postInTurn; see postChannel) and, when the post
// names only some of the invitees, the rest as replies in its thread.
func (a *App) postInvitation(ctx context.Context, log *slog.Logger, t target, rep commands.Report, m message, turn error) (posted, error) {
	where, err := a.postChannel(ctx, t, m, turn)
	if err != nil || where.ts == "" {
		return where, err
	}
	for _, r := range inviteeListMessages(m.lang, rep) {
		if _, err := a.post(where.channel, a.mark(r), slack.MsgOptionTS(where.ts)); err != nil {
			log.Warn("could not list the invitees in the post's thread", "err", err)
			break
		}
	}
	return where, nil
}

// postChannel posts m in the channel, its turn come (turn: see
// postInTurn). When Slack will not take it there
// (the bot is not in the channel, it is archived or announcement-only, the
// channel's queue is too long, Slack kept answering 429, the message was
// refused) it falls back to the response_url (visible in the channel),
// then to a private note to the person who asked, saying where the post
// could not go. Only when that fails too is an error returned.
func (a *App) postChannel(ctx context.Context, t target, m message, turn error) (posted, error) {
	where, err := a.postInTurn(turn, t.channelID, m)
	if err == nil {
		return where, nil
	}
	if t.responseURL != "" {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postTimeout)
		defer cancel()
		opts := append(m.options(), slack.MsgOptionResponseURL(t.responseURL, slack.ResponseTypeInChannel))
		if _, _, rerr := a.sm.PostMessageContext(rctx, "", opts...); rerr == nil {
			return posted{}, nil
		} else {
			a.log.Warn("response_url post failed", "channel", t.channelID, "err", rerr)
		}
	}
	a.log.Warn("could not post in the channel; telling the invoker privately", "channel", t.channelID, "err", err)
	note := notPostedNote(a.langOf(ctx, t.userID), t.channelID, err)
	if refusedContent(err) {
		m.blocks = nil // the same blocks would be refused again
	}
	m.text += "\n" + note
	m.blocks = append(m.blocks, slack.NewContextBlock("", mrkdwn(note)))
	if perr := a.postPrivate(ctx, t, m); perr != nil {
		return posted{}, fmt.Errorf("%w; then %w", err, perr)
	}
	return posted{}, nil
}

// postError is the Slack error code behind a failed post, "ratelimited"
// when Slack kept answering 429 or the channel's queue was too long.
func postError(err error) string {
	var rl *slack.RateLimitedError
	if errors.Is(err, errQueued) || errors.As(err, &rl) {
		return "ratelimited"
	}
	return slackError(err)
}

// refusedContent reports whether Slack refused the message itself, not
// where it was going.
func refusedContent(err error) bool {
	switch postError(err) {
	case "invalid_blocks", "invalid_blocks_format", "msg_too_long", "too_many_attachments", "no_text":
		return true
	}
	return false
}

// postPrivate shows m to the person who asked only: through the
// response_url, else as an ephemeral message, else as a direct message.
func (a *App) postPrivate(ctx context.Context, t target, m message) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postTimeout)
	defer cancel()
	if t.responseURL != "" {
		opts := append(m.options(), slack.MsgOptionResponseURL(t.responseURL, slack.ResponseTypeEphemeral))
		_, _, err := a.sm.PostMessageContext(ctx, "", opts...)
		if err == nil {
			return nil
		}
		a.log.Warn("response_url post failed", "err", err)
	}
	if t.channelID != "" {
		_, err := a.sm.PostEphemeralContext(ctx, t.channelID, t.userID, m.options()...)
		if err == nil {
			return nil
		}
		a.log.Warn("chat.postEphemeral failed", "err", err)
	}
	if _, err := a.post(t.userID, m); err != nil {
		return fmt.Errorf("direct message: %w", err)
	}
	return nil
}

// updateTimeout bounds one chat.update call: longer than the longest
// Retry-After of a per-minute tier (60 s), which slack-go waits out.
const updateTimeout = 75 * time.Second

// updatePost replaces a posted message, in the background: the updates of
// one post are sent at most once every few seconds (a state that a newer
// one replaces before its turn is never sent, the last always is), within
// the app's chat.update budget, and outlive ctx (the following of calls
// may have ended; the meeting's end must still land).
func (a *App) updatePost(_ context.Context, log *slog.Logger, where posted, m message) {
	send := func(m message, err error) {
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), updateTimeout)
			defer cancel()
			_, _, _, err = a.sm.UpdateMessageContext(ctx, where.channel, where.ts, m.options()...)
		}
		if err != nil {
			log.Warn("could not update the invitation's post", "err", err)
		}
	}
	a.pace.update(where, m, send)
}
