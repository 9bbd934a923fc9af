package preflight

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
)

const sectionSlack = "Slack"

func checkSlack(ctx context.Context, cfg Config, r *Report) Identity {
	api := slack.New(cfg.SlackBotToken,
		slack.OptionAPIURL(cfg.SlackAPIURL),
		slack.OptionHTTPClient(cfg.HTTP),
		slack.OptionAppLevelToken(cfg.SlackAppToken),
	)
	id, header, ok := checkAuth(ctx, cfg, api, r)
	if ok {
		checkScopes(header, r)
	} else {
		r.add(Line{Section: sectionSlack, Status: Skip, Name: "granted scopes", Advice: "fix the bot token first"})
	}
	checkSocketMode(ctx, cfg, api, r)
	return id
}

// checkAuth calls auth.test with the bot token.
func checkAuth(ctx context.Context, cfg Config, api *slack.Client, r *Report) (Identity, http.Header, bool) {
	const name = "bot token (auth.test)"
	sctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	resp, err := api.AuthTestContext(sctx)
	if err != nil {
		detail, advice := slackFailure(err, "SLACK_BOT_TOKEN", botTokenAdvice)
		r.add(Line{Section: sectionSlack, Status: Fail, Name: name, Detail: detail, Advice: advice})
		return Identity{}, nil, false
	}
	id := Identity{TeamID: resp.TeamID, Team: resp.Team, BotUserID: resp.UserID, BotName: resp.User, EnterpriseID: resp.EnterpriseID}
	if resp.BotID == "" {
		r.add(Line{Section: sectionSlack, Status: Fail, Name: name, Detail: "valid, but not a bot token",
			Advice: "set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-…) from OAuth & Permissions"})
		return id, nil, false
	}
	detail := "team " + resp.Team + " (" + resp.TeamID + "), bot user @" + resp.User + " (" + resp.UserID + ")"
	if resp.EnterpriseID != "" {
		detail += ", Enterprise Grid " + resp.EnterpriseID
	}
	r.add(Line{Section: sectionSlack, Status: Pass, Name: name, Detail: detail})
	return id, resp.Header, true
}

// botTokenAdvice says what to do about Slack's error code for the bot token.
var botTokenAdvice = map[string]string{
	"invalid_auth":           "SLACK_BOT_TOKEN is not a valid token: copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions",
	"not_authed":             "SLACK_BOT_TOKEN is empty: copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions",
	"token_revoked":          "the bot token was revoked (the app was uninstalled or its token regenerated): install the app again (Install App) and set SLACK_BOT_TOKEN to the new Bot User OAuth Token",
	"token_expired":          "the bot token expired (token rotation is on): turn token rotation off for this app, reinstall it and use the new xoxb- token",
	"account_inactive":       "the bot user or workspace is deactivated: install the app again (Install App) and use the new xoxb- token",
	"not_allowed_token_type": "SLACK_BOT_TOKEN holds another kind of token: use the Bot User OAuth Token (xoxb-…)",
}

// appTokenAdvice says what to do about Slack's error code for the app-level token.
var appTokenAdvice = map[string]string{
	"invalid_auth":           "SLACK_APP_TOKEN is not a valid token: generate an app-level token with connections:write (Basic Information → App-Level Tokens)",
	"not_authed":             "SLACK_APP_TOKEN is empty: generate an app-level token with connections:write (Basic Information → App-Level Tokens)",
	"token_revoked":          "the app-level token was revoked: generate a new one with connections:write (Basic Information → App-Level Tokens)",
	"not_allowed_token_type": "SLACK_APP_TOKEN is not an app-level token: generate one (xapp-…) with connections:write under Basic Information → App-Level Tokens",
	"missing_scope":          "the app-level token lacks connections:write: generate one with that scope (Basic Information → App-Level Tokens)",
}

// slackFailure turns a failed Slack call into what was found and what to do.
func slackFailure(err error, variable string, advice map[string]string) (detail, todo string) {
	if d, a, ok := networkOr(err, ""); ok {
		return d, a
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		if a, ok := advice[se.Err]; ok {
			return "Slack answered " + se.Err, a
		}
		return "Slack answered " + se.Err, "see https://docs.slack.dev/reference/methods for what " + se.Err + " means; check " + variable
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return "HTTP " + sc.Status, "check SLACK_API_URL (normally https://slack.com/api/) and any proxy in between"
	}
	return err.Error(), "check " + variable + " and SLACK_API_URL"
}

// checkScopes compares the scopes Slack says the token has (the
// X-OAuth-Scopes header of auth.test) with ManifestScopes.
func checkScopes(header http.Header, r *Report) {
	const name = "granted scopes"
	raw := header.Get("X-OAuth-Scopes")
	if strings.TrimSpace(raw) == "" {
		r.add(Line{Section: sectionSlack, Status: Fail, Name: name, Detail: "Slack sent no X-OAuth-Scopes header",
			Advice: "compare OAuth & Permissions → Bot Token Scopes with manifest.yml by hand"})
		return
	}
	var granted []string
	for s := range strings.SplitSeq(raw, ",") {
		if s = strings.TrimSpace(s); s != "" {
			granted = append(granted, s)
		}
	}
	var missing, optional, extra []string
	for _, s := range ManifestScopes {
		switch {
		case slices.Contains(granted, s):
		case slices.Contains(OptionalScopes, s):
			optional = append(optional, s)
		default:
			missing = append(missing, s)
		}
	}
	for _, s := range granted {
		if !slices.Contains(ManifestScopes, s) {
			extra = append(extra, s)
		}
	}
	if len(missing) > 0 {
		r.add(Line{Section: sectionSlack, Status: Fail, Name: name, Detail: "missing " + strings.Join(missing, ", "),
			Advice: "add them under OAuth & Permissions → Bot Token Scopes (or update the app from manifest.yml), then reinstall the app (Install App)"})
		return
	}
	detail := "all " + strconv.Itoa(len(ManifestScopes)) + " that manifest.yml asks for"
	if len(optional) > 0 {
		detail = "all that manifest.yml needs; not " + strings.Join(optional, ", ") +
			", so posts go without the call card (reinstall the app from manifest.yml to have it)"
	}
	if len(extra) > 0 {
		detail += " (and " + strings.Join(extra, ", ") + ", which the bot does not use)"
	}
	r.add(Line{Section: sectionSlack, Status: Pass, Name: name, Detail: detail})
}

// checkSocketMode calls apps.connections.open with the app-level token and
// checks that the WebSocket host it names can be reached (an HTTPS request
// to its root; no Socket Mode session is opened, so no event is taken from
// a running bot).
func checkSocketMode(ctx context.Context, cfg Config, api *slack.Client, r *Report) {
	const name = "app-level token (apps.connections.open)"
	sctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	_, wsURL, err := api.StartSocketModeContext(sctx)
	if err != nil {
		detail, advice := slackFailure(err, "SLACK_APP_TOKEN", appTokenAdvice)
		r.add(Line{Section: sectionSlack, Status: Fail, Name: name, Detail: detail, Advice: advice})
		r.add(Line{Section: sectionSlack, Status: Skip, Name: "Socket Mode host reachable", Advice: "fix the app-level token first"})
		return
	}
	u, err := url.Parse(wsURL)
	if err != nil || u.Host == "" {
		r.add(Line{Section: sectionSlack, Status: Fail, Name: name, Detail: "Slack answered without a usable WebSocket URL",
			Advice: "check SLACK_API_URL (normally https://slack.com/api/)"})
		return
	}
	r.add(Line{Section: sectionSlack, Status: Pass, Name: name, Detail: "Socket Mode URL issued"})
	r.add(reachable(ctx, cfg, sectionSlack, "Socket Mode host reachable", u))
}

// reachable makes one HTTPS (or HTTP) request to the root of a WebSocket
// URL's host, through the proxy if one is set: any answer proves the host
// can be reached.
func reachable(ctx context.Context, cfg Config, section, name string, ws *url.URL) Line {
	scheme := "https"
	if ws.Scheme == "ws" || ws.Scheme == "http" {
		scheme = "http"
	}
	target := (&url.URL{Scheme: scheme, Host: ws.Host, Path: "/"}).String()
	sctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(sctx, http.MethodGet, target, nil)
	if err == nil {
		var resp *http.Response
		if resp, err = cfg.HTTP.Do(req); err == nil {
			_ = resp.Body.Close()
			return Line{Section: section, Status: Pass, Name: name, Detail: ws.Host}
		}
	}
	detail, _, _ := networkOr(err, err.Error())
	return Line{Section: section, Status: Fail, Name: name, Detail: detail,
		Advice: "allow outbound WebSocket connections (wss, port 443) to " + ws.Hostname() + ", through HTTPS_PROXY if there is one"}
}
