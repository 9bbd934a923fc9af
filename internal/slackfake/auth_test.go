package slackfake_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// post calls a Web API method with a bearer token and returns the response.
func post(t *testing.T, s *slackfake.Server, method, token string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.APIURL()+method, strings.NewReader(url.Values{}.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func TestGrantedScopesHeader(t *testing.T) {
	t.Parallel()
	cfg := seed()
	cfg.Scopes = []string{"commands", "chat:write", "users:read"}
	fake := start(t, cfg)
	resp := post(t, fake, "auth.test", fake.BotToken())
	assert.Equal(t, "commands,chat:write,users:read", resp.Header.Get("X-OAuth-Scopes"))

	resp = post(t, fake, "auth.test", "xoxb-wrong")
	assert.Empty(t, resp.Header.Get("X-OAuth-Scopes"), "no scopes for a token that is not valid")
}

func TestRevokedBotToken(t *testing.T) {
	t.Parallel()
	fake := start(t, seed())
	fake.RevokeBotToken()
	for _, method := range []string{"auth.test", "users.info"} {
		body := rawCall(t, fake, method, url.Values{"token": {fake.BotToken()}, "user": {"U1"}})
		assert.Equal(t, false, body["ok"], method)
		assert.Equal(t, "token_revoked", body["error"], method)
	}
	body := rawCall(t, fake, "apps.connections.open", url.Values{"token": {fake.AppToken()}})
	assert.Equal(t, true, body["ok"], "the app-level token is another token")
}
