package slackapp

import (
	"context"
	"fmt"
	"testing"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// The private note says why the post is not in the channel, for every way
// chat.postMessage can fail; a refused message is not sent again as is.
func TestNotPostedNoteSaysWhy(t *testing.T) {
	t.Parallel()
	slackErr := func(code string) error {
		return fmt.Errorf("chat.postMessage: %w", slack.SlackErrorResponse{Err: code})
	}
	tests := []struct {
		err     error
		want    string
		refused bool
	}{
		{slackErr("not_in_channel"), addMeHint(en), false},
		{slackErr("channel_not_found"), addMeHint(en), false},
		{slackErr("is_archived"), "<#C1> is archived, so I couldn't post the result there. The calls went out.", false},
		{slackErr("restricted_action"), "Only some people may post in <#C1>, so I couldn't post the result there. The calls went out.", false},
		{&slack.RateLimitedError{}, "Slack is limiting how fast I can post in <#C1>, so I couldn't post the result there in time. The calls went out.", false},
		{errQueued, "Slack is limiting how fast I can post in <#C1>, so I couldn't post the result there in time. The calls went out.", false},
		{slackErr("invalid_blocks"), "Slack wouldn't take the result's post in <#C1>, so here it is. The calls went out.", true},
		{slackErr("msg_too_long"), "Slack wouldn't take the result's post in <#C1>, so here it is. The calls went out.", true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, notPostedNote(en, "C1", tt.err), "%v", tt.err)
		assert.Equal(t, tt.refused, refusedContent(tt.err), "%v", tt.err)
	}
}

// An invitation that ran out of time on the bot's side is not blamed on
// the meeting service, unless the meeting service is why.
func TestTimedOutIsNotBlamedOnTheMeetingService(t *testing.T) {
	t.Parallel()
	timedOut := en.t("err.timed_out")
	assert.Equal(t, timedOut, failure(en, context.DeadlineExceeded, "914083136", ""))
	assert.NotEqual(t, timedOut, failure(en, fmt.Errorf("%w: %w", meeting.ErrUnavailable, context.DeadlineExceeded), "914083136", ""))
}
