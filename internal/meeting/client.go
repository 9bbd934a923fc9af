package meeting

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/meet-invite/meet-invite/internal/flight"
)

const (
	defaultBaseURL  = "https://api.meeting.huaweicloud.com/"
	defaultTimeout  = 10 * time.Second
	contentTypeJSON = "application/json; charset=UTF-8"
	maxErrorBody    = 1 << 20  // bytes of an error body read into APIError
	maxBody         = 10 << 20 // bytes of a success body decoded
)

// Credentials select the authentication method: App ID authentication when AppID
// is set, account authentication otherwise.
type Credentials struct {
	AppID, AppKey, UserID string // App ID authentication (preferred when AppID is set)
	Account, Password     string // account authentication, used when AppID is empty
}

// String omits the App Key and the password, so that printing Credentials is safe.
func (c Credentials) String() string {
	return fmt.Sprintf("{AppID:%s UserID:%s Account:%s}", c.AppID, c.UserID, c.Account)
}

// GoString omits the App Key and the password, so that %#v is safe too.
func (c Credentials) GoString() string { return "meeting.Credentials" + c.String() }

// LogValue omits the App Key and the password, so that logging Credentials is safe.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("app_id", c.AppID),
		slog.String("user_id", c.UserID),
		slog.String("account", c.Account),
	)
}

// Client talks to the Huawei Cloud Meeting REST API. It caches one access token and
// one control token per conference. It is safe for concurrent use.
type Client struct {
	baseURL *url.URL // always ends in "/"; request paths are relative to it
	http    *http.Client
	now     func() time.Time
	logger  *slog.Logger
	creds   Credentials
	optErr  error             // first invalid option, reported by NewClient
	unknown func(code string) // told of error codes not in the table

	authMu     sync.Mutex
	access     token
	authFlight *flight.Call[token] // renewal in progress, if any

	confMu sync.Mutex
	confs  map[string]*confEntry // by conference ID
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL sets the API base URL (default "https://api.meeting.huaweicloud.com/").
// A trailing "/" is added if missing.
func WithBaseURL(u string) Option {
	return func(c *Client) {
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		parsed, err := url.Parse(u)
		if err == nil && (parsed.Scheme != "http" && parsed.Scheme != "https" || parsed.Host == "") {
			err = errors.New("not an absolute http(s) URL")
		}
		if err != nil {
			c.optErr = fmt.Errorf("meeting: base URL: %w", err)
			return
		}
		c.baseURL = parsed
	}
}

// WithHTTPClient sets the HTTP client. It should bound each request (a Timeout, or
// a transport that sets a deadline, as the bot's does), and should not follow
// redirects to other hosts (the default client follows none): requests carry tokens
// and the host password in headers.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) {
		if h != nil {
			c.http = h
		}
	}
}

// WithClock sets the clock used for token expiry (tests).
func WithClock(now func() time.Time) Option {
	return func(c *Client) {
		if now != nil {
			c.now = now
		}
	}
}

// WithLogger sets a logger for debug logs. Secrets are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithUnknownCode sets a function told of every error code Huawei answers
// that the package does not know (APIError.Known is false), for example to
// count them; it must be quick and safe for concurrent use. Such codes are
// also logged at warning level, with the code, status and request ID.
func WithUnknownCode(fn func(code string)) Option {
	return func(c *Client) { c.unknown = fn }
}

// NewClient returns a client. It fails if the credentials are incomplete (neither
// AppID+AppKey nor Account+Password) or an option is invalid.
func NewClient(creds Credentials, opts ...Option) (*Client, error) {
	switch {
	case creds.AppID != "" && creds.AppKey == "":
		return nil, errors.New("meeting: credentials: AppID set without AppKey")
	case creds.AppID == "" && (creds.Account == "" || creds.Password == ""):
		return nil, errors.New("meeting: credentials: need AppID and AppKey, or Account and Password")
	}
	base, err := url.Parse(defaultBaseURL)
	if err != nil {
		return nil, fmt.Errorf("meeting: default base URL: %w", err)
	}
	c := &Client{
		baseURL: base,
		http: &http.Client{
			Timeout: defaultTimeout,
			// Never forward X-Password or tokens anywhere else; a redirect becomes an *APIError.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		now:    time.Now,
		logger: slog.New(slog.DiscardHandler),
		creds:  creds,
		confs:  make(map[string]*confEntry),
	}
	for _, opt := range opts {
		opt(c)
	}
	if c.optErr != nil {
		return nil, c.optErr
	}
	return c, nil
}

// newRequest builds a request for path, which is relative to the base URL (no leading
// "/"), JSON-encoding body when it is not nil.
func (c *Client) newRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	u, err := c.baseURL.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), r)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentTypeJSON)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Request-Id", newRequestID())
	return req, nil
}

// do sends req and decodes a 2xx JSON body into out (unless out is nil). A non-2xx
// answer becomes an *APIError; a transport failure or timeout matches ErrUnavailable
// and keeps its cause; a cancelled context returns the context's error.
func (c *Client) do(req *http.Request, out any) error {
	_, err := c.doID(req, out)
	return err
}

// doID is do, also returning the request ID of the answer (Huawei's
// X-Request-Id, else the one sent), for the audit trail.
func (c *Client) doID(req *http.Request, out any) (requestID string, err error) {
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return "", transportError(req, err)
	}
	defer resp.Body.Close()

	requestID = resp.Header.Get("X-Request-Id")
	if requestID == "" {
		requestID = req.Header.Get("X-Request-Id")
	}
	c.logger.DebugContext(req.Context(), "meeting api call",
		slog.String("method", req.Method), slog.String("path", req.URL.Path),
		slog.Int("status", resp.StatusCode), slog.String("request_id", requestID),
		slog.Duration("duration", time.Since(start)))

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := newAPIError(resp)
		if !apiErr.Known() {
			c.logger.WarnContext(req.Context(), "meeting api answered an error code not in the table",
				slog.String("code", apiErr.Code), slog.Int("status", apiErr.StatusCode),
				slog.String("path", req.URL.Path), slog.String("request_id", apiErr.RequestID))
			if c.unknown != nil {
				c.unknown(apiErr.Code)
			}
		}
		return requestID, apiErr
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return requestID, transportError(req, err)
	}
	if out == nil {
		return requestID, nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return requestID, fmt.Errorf("decode response (request %s): %w", requestID, err)
	}
	return requestID, nil
}

// transportError classifies a failure to get or read a response.
func transportError(req *http.Request, err error) error {
	if ctxErr := req.Context().Err(); errors.Is(ctxErr, context.Canceled) {
		return ctxErr // the caller gave up; the service is not at fault
	}
	// Strip the query (conference IDs, e-mail addresses) from *url.Error text.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		if u, perr := url.Parse(urlErr.URL); perr == nil {
			u.User, u.RawQuery, u.Fragment = nil, "", ""
			urlErr.URL = u.String()
		}
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// newAPIError reads at most maxErrorBody bytes of an error response.
func newAPIError(resp *http.Response) *APIError {
	e := &APIError{StatusCode: resp.StatusCode}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody)) // a short read still tells something
	var body struct {
		Code      json.RawMessage `json:"error_code"` // usually a string; tolerate a number
		Message   string          `json:"error_msg"`
		RequestID string          `json:"request_id"`
	}
	if json.Unmarshal(raw, &body) == nil {
		e.Code, e.Message, e.RequestID = jsonScalar(body.Code), body.Message, body.RequestID
	}
	if e.Code == "" && e.Message == "" {
		e.Message = strings.TrimSpace(string(raw))
	}
	if e.RequestID == "" {
		e.RequestID = resp.Header.Get("X-Request-Id")
	}
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs >= 0 {
		e.RetryAfter = time.Duration(secs) * time.Second
	}
	return e
}

// jsonScalar returns a JSON string's value or a JSON number's text; "" otherwise.
func jsonScalar(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// newRequestID returns a random UUID (version 4) for the X-Request-Id header.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// token is a cached credential and the moment to stop using it.
type token struct {
	value   string
	renewAt time.Time
}

func (t token) usable(now time.Time) bool { return t.value != "" && now.Before(t.renewAt) }

// expiry returns the earlier of the absolute time at and now+lifetime, ignoring
// whichever is unset (zero); with neither, now+fallback.
func expiry(now, at time.Time, lifetime, fallback time.Duration) time.Time {
	exp := now.Add(fallback)
	if lifetime > 0 {
		exp = now.Add(lifetime)
	}
	if !at.IsZero() && (lifetime <= 0 || at.Before(exp)) {
		exp = at
	}
	return exp
}
