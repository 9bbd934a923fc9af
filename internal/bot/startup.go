package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/slack-go/slack"

	"github.com/meet-invite/meet-invite/internal/meeting"
	"github.com/meet-invite/meet-invite/internal/ops"
	"github.com/meet-invite/meet-invite/internal/preflight"
)

// Identity is the Slack workspace the bot token was installed in and the
// bot user it acts as, from auth.test at start. The team ID is what the
// organisation rules need.
type Identity = preflight.Identity

// checkSlackAtStart calls auth.test with the bot token before anything is
// served, so that a wrong or revoked token stops the start with what to do,
// instead of showing at the first command. When Slack cannot be reached the
// problem is logged as a network problem naming the host and the start goes
// on: Socket Mode keeps trying, and /readyz says Slack is not connected.
func checkSlackAtStart(ctx context.Context, api *slack.Client, logger *slog.Logger) (Identity, error) {
	actx, cancel := context.WithTimeout(ctx, slackTimeout)
	defer cancel()
	resp, err := api.AuthTestContext(actx)
	if msg, ok := preflight.NetworkProblem(err); ok {
		logger.Error("cannot reach Slack to check the bot token: network problem, not a credentials problem; "+
			"Socket Mode keeps trying (allow outbound HTTPS to slack.com and its WebSocket hosts, or set HTTPS_PROXY)",
			"problem", msg)
		return Identity{}, nil
	}
	var se slack.SlackErrorResponse
	switch {
	case errors.As(err, &se):
		return Identity{}, fmt.Errorf("slack refused SLACK_BOT_TOKEN (%s): copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page, reinstalling the app if it was removed; `bot check` says more", se.Err)
	case err != nil:
		return Identity{}, fmt.Errorf("slack auth.test: %w", err)
	}
	id := Identity{TeamID: resp.TeamID, Team: resp.Team, BotUserID: resp.UserID, BotName: resp.User, EnterpriseID: resp.EnterpriseID}
	logger.Info("slack: signed in", "team", id.Team, "team_id", id.TeamID, "bot_user", id.BotName, "bot_user_id", id.BotUserID)
	return id, nil
}

// signInAtStart signs in to Huawei so that a problem shows in the log and on
// /readyz at once rather than at the first invitation; the bot starts either
// way (Slack users are then told). A network problem is logged as one,
// naming the host, not as wrong credentials.
func signInAtStart(ctx context.Context, timeout time.Duration, mc *meeting.Client, health *ops.Health, logger *slog.Logger) {
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := mc.SignIn(sctx)
	health.MeetingResult(err)
	if msg, ok := preflight.NetworkProblem(err); ok {
		logger.Error("cannot reach Huawei Cloud Meeting: network problem, not a credentials problem (check MEETING_API_URL, the firewall and HTTPS_PROXY)", "problem", msg)
		return
	}
	switch {
	case errors.Is(err, meeting.ErrUnauthorized):
		logger.Error("Huawei Cloud Meeting refused the credentials; check MEETING_APP_ID and MEETING_APP_KEY (or MEETING_ACCOUNT and MEETING_PASSWORD), and MEETING_USER_ID", "err", err)
	case err != nil:
		logger.Error("could not sign in to Huawei Cloud Meeting; `bot check` says more", "err", err)
	default:
		logger.Info("signed in to Huawei Cloud Meeting")
	}
}
