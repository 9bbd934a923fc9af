package meeting

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/meet-invite/meet-invite/internal/flight"
)

const (
	clientTypeAPI          = 72               // "API call"; allows 64 live tokens per user
	appAuthSignatureTTL    = 10 * time.Minute // the signed request is void after this
	accessTokenRenewBefore = 10 * time.Minute // renew when less than this is left
	accessTokenFallback    = time.Hour        // lifetime assumed when the response gives none
)

// tokenResponse is the part of the auth responses (§2.1, §2.2) the client uses.
type tokenResponse struct {
	AccessToken string `json:"accessToken"`
	ValidPeriod int64  `json:"validPeriod"` // seconds
	ExpireTime  int64  `json:"expireTime"`  // Unix seconds
	CreateTime  int64  `json:"createTime"`  // Unix milliseconds
}

// appAuthRequest is the body of POST v2/usg/acs/auth/appauth.
type appAuthRequest struct {
	AppID      string `json:"appId"`
	ClientType int    `json:"clientType"`
	ExpireTime int64  `json:"expireTime"` // Unix seconds
	Nonce      string `json:"nonce"`
	UserID     string `json:"userId,omitempty"`
}

// accountAuthRequest is the body of POST v1/usg/acs/auth/account.
type accountAuthRequest struct {
	Account         string `json:"account"`
	ClientType      int    `json:"clientType"`
	CreateTokenType int    `json:"createTokenType"`
}

// accessToken returns a usable access token, renewing it when it is missing, close to
// expiry, or equal to rejected (a token the server just refused). Concurrent callers
// share one renewal.
func (c *Client) accessToken(ctx context.Context, rejected string) (string, error) {
	for {
		c.authMu.Lock()
		if t := c.access; t.usable(c.now()) && t.value != rejected {
			c.authMu.Unlock()
			return t.value, nil
		}
		if f := c.authFlight; f != nil {
			c.authMu.Unlock()
			if err := f.Wait(ctx); err != nil {
				return "", err
			}
			tok, err, abandoned := f.Result()
			if abandoned {
				continue
			}
			return tok.value, err
		}
		f := flight.NewCall[token]()
		c.authFlight = f
		c.authMu.Unlock()

		t, err := c.authenticate(ctx)

		c.authMu.Lock()
		c.authFlight = nil
		if err == nil {
			c.access = t
		}
		f.Land(ctx, t, err)
		c.authMu.Unlock()
		return t.value, err
	}
}

// authenticate obtains a new access token.
func (c *Client) authenticate(ctx context.Context) (token, error) {
	var (
		req *http.Request
		err error
	)
	if c.creds.AppID != "" {
		req, err = c.newAppAuthRequest(ctx)
	} else {
		req, err = c.newAccountAuthRequest(ctx)
	}
	if err != nil {
		return token{}, fmt.Errorf("authenticate: %w", err)
	}
	var out tokenResponse
	if err := c.do(req, &out); err != nil {
		return token{}, fmt.Errorf("authenticate: %w", err)
	}
	if out.AccessToken == "" {
		return token{}, errors.New("authenticate: response has no accessToken")
	}
	now := c.now()
	var at time.Time
	if out.ExpireTime > 0 {
		at = time.Unix(out.ExpireTime, 0)
	}
	exp := expiry(now, at, time.Duration(out.ValidPeriod)*time.Second, accessTokenFallback)
	c.logger.DebugContext(ctx, "meeting access token renewed", slog.Duration("expires_in", exp.Sub(now)))
	return token{value: out.AccessToken, renewAt: exp.Add(-accessTokenRenewBefore)}, nil
}

// newAppAuthRequest builds the signed App ID authentication request.
func (c *Client) newAppAuthRequest(ctx context.Context) (*http.Request, error) {
	body := appAuthRequest{
		AppID:      c.creds.AppID,
		ClientType: clientTypeAPI,
		ExpireTime: c.now().Add(appAuthSignatureTTL).Unix(),
		Nonce:      newNonce(),
		UserID:     c.creds.UserID,
	}
	req, err := c.newRequest(ctx, http.MethodPost, "v2/usg/acs/auth/appauth", body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization",
		appAuthorization(body.AppID, c.creds.AppKey, body.UserID, body.ExpireTime, body.Nonce))
	req.Header.Set("X-Token-Type", "LongTicket")
	return req, nil
}

// newAccountAuthRequest builds the account (Basic) authentication request.
func (c *Client) newAccountAuthRequest(ctx context.Context) (*http.Request, error) {
	body := accountAuthRequest{Account: c.creds.Account, ClientType: clientTypeAPI}
	req, err := c.newRequest(ctx, http.MethodPost, "v1/usg/acs/auth/account", body)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(c.creds.Account, c.creds.Password)
	return req, nil
}

// appAuthorization builds the Authorization header of App ID authentication:
// HMAC-SHA256 over "appId:userId:expireTime:nonce" (an empty userId leaves "::").
func appAuthorization(appID, appKey, userID string, expireTime int64, nonce string) string {
	mac := hmac.New(sha256.New, []byte(appKey))
	mac.Write([]byte(appID + ":" + userID + ":" + strconv.FormatInt(expireTime, 10) + ":" + nonce))
	return "HMAC-SHA256 signature=" + hex.EncodeToString(mac.Sum(nil)) +
		",access=" + base64.StdEncoding.EncodeToString([]byte(appID))
}

// newNonce returns 64 random hex characters (the API wants 32 to 64).
func newNonce() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
	return hex.EncodeToString(b[:])
}

// Backing off a busy or failing service, for calls that are safe to repeat.
const (
	maxRetryWait     = 5 * time.Second
	defaultRetryWait = 500 * time.Millisecond
)

// getWithAccessToken sends a GET with X-Access-Token and decodes the answer into out.
// If the token is rejected (401 or USG.000000004) it renews the token once and retries once.
// A GET is safe to repeat, so rate limiting (429) and server faults (5xx) are
// retried once too, after Retry-After (at most 5 s) or half a second.
func (c *Client) getWithAccessToken(ctx context.Context, path string, out any) error {
	err := c.getWithAccessTokenOnce(ctx, path, out)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || (apiErr.StatusCode != http.StatusTooManyRequests && apiErr.StatusCode < 500) {
		return err
	}
	wait := min(apiErr.RetryAfter, maxRetryWait)
	if wait <= 0 {
		wait = defaultRetryWait
	}
	c.logger.DebugContext(ctx, "meeting service busy or failing; retrying once", slog.Int("status", apiErr.StatusCode), slog.Duration("after", wait))
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return err
	case <-t.C:
	}
	return c.getWithAccessTokenOnce(ctx, path, out)
}

func (c *Client) getWithAccessTokenOnce(ctx context.Context, path string, out any) error {
	send := func(tok string) error {
		req, err := c.newRequest(ctx, http.MethodGet, path, nil)
		if err != nil {
			return err
		}
		req.Header.Set("X-Access-Token", tok)
		return c.do(req, out)
	}
	tok, err := c.accessToken(ctx, "")
	if err != nil {
		return err
	}
	err = send(tok)
	if !isUnauthorized(err) {
		return err
	}
	c.logger.DebugContext(ctx, "meeting access token rejected; renewing once")
	if tok, err = c.accessToken(ctx, tok); err != nil {
		return err
	}
	return send(tok)
}

// SignIn obtains an access token (or reuses a cached one), so that a
// caller can learn at start-up whether the credentials work. Every other
// call signs in by itself when it needs to.
func (c *Client) SignIn(ctx context.Context) error {
	if _, err := c.accessToken(ctx, ""); err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	return nil
}
