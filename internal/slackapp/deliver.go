package slackapp

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/slack-go/slack"
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

// postChannel posts m in the channel. When the bot is not in the channel it
// falls back to the response_url (visible in the channel), then to a private
// note to the person who asked, with a hint to add the bot.
func (a *App) postChannel(ctx context.Context, t target, m message) (posted, error) {
	channel, ts, err := a.sm.PostMessageContext(ctx, t.channelID, m.options()...)
	if err == nil {
		return posted{channel: channel, ts: ts}, nil
	}
	if e := slackError(err); e != "not_in_channel" && e != "channel_not_found" {
		return posted{}, fmt.Errorf("chat.postMessage: %w", err)
	}
	if t.responseURL != "" {
		opts := append(m.options(), slack.MsgOptionResponseURL(t.responseURL, slack.ResponseTypeInChannel))
		if _, _, rerr := a.sm.PostMessageContext(ctx, "", opts...); rerr == nil {
			return posted{}, nil
		} else {
			a.log.Warn("response_url post failed", "err", rerr)
		}
	}
	m.text += "\n" + addMeHint
	m.blocks = append(m.blocks, slack.NewContextBlock("", mrkdwn(addMeHint)))
	return posted{}, a.postPrivate(ctx, t, m)
}

// postPrivate shows m to the person who asked only: through the
// response_url, else as an ephemeral message, else as a direct message.
func (a *App) postPrivate(ctx context.Context, t target, m message) error {
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
	if _, _, err := a.sm.PostMessageContext(ctx, t.userID, m.options()...); err != nil {
		return fmt.Errorf("direct message: %w", err)
	}
	return nil
}

// updatePost replaces a posted message. It has its own time, so that a
// deadline that ended the following does not stop its last update.
func (a *App) updatePost(ctx context.Context, log *slog.Logger, where posted, m message) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postTimeout)
	defer cancel()
	if _, _, _, err := a.sm.UpdateMessageContext(ctx, where.channel, where.ts, m.options()...); err != nil {
		log.Warn("could not update the invitation's post", "err", err)
	}
}
