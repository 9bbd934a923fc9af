package meetingfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

const (
	codeUnauthorized = "USG.000000004" // access token (or credentials) invalid or expired
	codeAuthParam    = "USG.000000001" // malformed authentication request (chosen; undocumented)
	maxBody          = 1 << 20

	appAuthClientType = 72 // "API call": up to 64 live tokens per user
	maxTokensAPI      = 64
)

// tokenStore holds live access tokens. Each bucket (one per user) keeps its
// tokens oldest first so the oldest can be evicted.
type tokenStore struct {
	mu       sync.Mutex
	byToken  map[string]accessToken
	byBucket map[string][]string
}

type accessToken struct {
	bucket  string
	expires time.Time
}

func newTokenStore() tokenStore {
	return tokenStore{byToken: make(map[string]accessToken), byBucket: make(map[string][]string)}
}

func (st *tokenStore) issue(bucket string, limit int, now, expires time.Time) string {
	tok := "cnr" + randHex(24)
	st.mu.Lock()
	defer st.mu.Unlock()
	old := st.byBucket[bucket]
	live := make([]string, 0, len(old)+1)
	for _, t := range old {
		if at, ok := st.byToken[t]; ok && now.Before(at.expires) {
			live = append(live, t)
		} else {
			delete(st.byToken, t)
		}
	}
	for len(live) >= limit {
		delete(st.byToken, live[0])
		live = live[1:]
	}
	st.byToken[tok] = accessToken{bucket: bucket, expires: expires}
	st.byBucket[bucket] = append(live, tok)
	return tok
}

func (st *tokenStore) valid(tok string, now time.Time) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	at, ok := st.byToken[tok]
	if !ok {
		return false
	}
	if !now.Before(at.expires) {
		delete(st.byToken, tok)
		return false
	}
	return true
}

// user returns the bucket (user) a live token was issued to, or "".
func (st *tokenStore) user(tok string) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.byToken[tok].bucket
}

func (st *tokenStore) expireAll() {
	st.mu.Lock()
	defer st.mu.Unlock()
	clear(st.byToken)
	clear(st.byBucket)
}

// ExpireAccessTokens revokes every access token issued so far: each now
// answers 401 USG.000000004. Tokens issued afterwards work.
func (s *Server) ExpireAccessTokens() { s.tokens.expireAll() }

// checkAccessToken writes a 401 and reports false unless X-Access-Token is live.
func (s *Server) checkAccessToken(w http.ResponseWriter, r *http.Request, rid string) bool {
	tok := r.Header.Get("X-Access-Token")
	if tok == "" {
		writeError(w, http.StatusUnauthorized, codeUnauthorized, "access token is missing", rid)
		return false
	}
	if !s.tokens.valid(tok, s.now()) {
		writeError(w, http.StatusUnauthorized, codeUnauthorized, "access token is invalid or expired", rid)
		return false
	}
	return true
}

type tokenUser struct {
	UserID         string `json:"userId"`
	CompanyID      string `json:"companyId"`
	Name           string `json:"name"`
	ServiceAccount string `json:"serviceAccount"`
}

type tokenResponse struct {
	AccessToken        string    `json:"accessToken"`
	ValidPeriod        int64     `json:"validPeriod"`
	ExpireTime         int64     `json:"expireTime"`
	CreateTime         int64     `json:"createTime"`
	RefreshToken       string    `json:"refreshToken"`
	RefreshValidPeriod int64     `json:"refreshValidPeriod"`
	RefreshExpireTime  int64     `json:"refreshExpireTime"`
	RefreshCreateTime  int64     `json:"refreshCreateTime"`
	TokenIP            string    `json:"tokenIp"`
	TokenType          int       `json:"tokenType"`
	ClientType         int       `json:"clientType"`
	User               tokenUser `json:"user"`
	FirstLogin         bool      `json:"firstLogin"`
	PwdExpired         bool      `json:"pwdExpired"`
	DelayDelete        bool      `json:"delayDelete"`
}

func (s *Server) writeToken(w http.ResponseWriter, r *http.Request, bucket, userID, name string, clientType int) {
	limit := 1
	if clientType == appAuthClientType {
		limit = maxTokensAPI
	}
	now := s.now()
	ttl := s.cfg.AccessTokenTTL
	expires := now.Add(ttl)
	tok := s.tokens.issue(bucket, limit, now, expires)
	refreshTTL := 30 * 24 * time.Hour
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken:        tok,
		ValidPeriod:        int64(ttl / time.Second),
		ExpireTime:         expires.Unix(),
		CreateTime:         now.UnixMilli(),
		RefreshToken:       "cnrr" + randHex(24),
		RefreshValidPeriod: int64(refreshTTL / time.Second),
		RefreshExpireTime:  now.Add(refreshTTL).Unix(),
		RefreshCreateTime:  now.UnixMilli(),
		TokenIP:            ip,
		TokenType:          0,
		ClientType:         clientType,
		User: tokenUser{
			UserID:         userID,
			CompanyID:      "fake-corp",
			Name:           name,
			ServiceAccount: "+99111000000000001",
		},
	})
}

func isJSONContentType(ct string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "application/json")
}

// readBody reads at most maxBody bytes; ok is false when the body is larger.
func readBody(r *http.Request) ([]byte, bool) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(b) > maxBody {
		return nil, false
	}
	return b, true
}

type appAuthRequest struct {
	AppID      *string     `json:"appId"`
	ClientType *int        `json:"clientType"`
	ExpireTime json.Number `json:"expireTime"`
	Nonce      *string     `json:"nonce"`
	UserID     string      `json:"userId"`
	CorpID     string      `json:"corpId"`
	UserName   string      `json:"userName"`
}

// parseAppAuthorization parses exactly
// "HMAC-SHA256 signature=<64 lowercase hex>,access=<std base64 of appId>".
func parseAppAuthorization(h string) (sig []byte, appID string, ok bool) {
	rest, ok := strings.CutPrefix(h, "HMAC-SHA256 signature=")
	if !ok || len(rest) < 64 {
		return nil, "", false
	}
	hexSig, rest := rest[:64], rest[64:]
	for i := 0; i < len(hexSig); i++ {
		if c := hexSig[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return nil, "", false
		}
	}
	access, ok := strings.CutPrefix(rest, ",access=")
	if !ok || access == "" {
		return nil, "", false
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(access)
	if err != nil {
		return nil, "", false
	}
	sig, err = hex.DecodeString(hexSig)
	if err != nil {
		return nil, "", false
	}
	return sig, string(raw), true
}

// handleAppAuth serves POST /v2/usg/acs/auth/appauth.
func (s *Server) handleAppAuth(w http.ResponseWriter, r *http.Request, rid string) {
	unauthorized := func(msg string) { writeError(w, http.StatusUnauthorized, codeUnauthorized, msg, rid) }
	badRequest := func(msg string) { writeError(w, http.StatusBadRequest, codeAuthParam, msg, rid) }

	sig, appID, ok := parseAppAuthorization(r.Header.Get("Authorization"))
	if !ok {
		unauthorized("malformed Authorization header")
		return
	}
	if s.cfg.AppID == "" || s.cfg.AppKey == "" ||
		subtle.ConstantTimeCompare([]byte(appID), []byte(s.cfg.AppID)) != 1 {
		unauthorized("unknown app")
		return
	}
	if r.Header.Get("X-Token-Type") != "LongTicket" {
		badRequest("X-Token-Type must be LongTicket")
		return
	}
	var req appAuthRequest
	if problem := decodeJSONBody(r, &req); problem != "" {
		badRequest(problem)
		return
	}
	switch {
	case req.AppID == nil || *req.AppID == "":
		badRequest("appId is required")
		return
	case *req.AppID != appID:
		unauthorized("appId does not match the access key")
		return
	case req.ClientType == nil || *req.ClientType != appAuthClientType:
		badRequest("clientType must be 72")
		return
	case req.Nonce == nil || utf8.RuneCountInString(*req.Nonce) < 32 || utf8.RuneCountInString(*req.Nonce) > 64:
		badRequest("nonce must be 32 to 64 characters")
		return
	}
	expire, err := strconv.ParseInt(req.ExpireTime.String(), 10, 64)
	if err != nil || expire < 0 {
		badRequest("expireTime must be a non-negative integer (unix seconds)")
		return
	}
	if req.CorpID != "" {
		unauthorized("corpId is not allowed in single-enterprise mode")
		return
	}
	mac := hmac.New(sha256.New, []byte(s.cfg.AppKey))
	mac.Write([]byte(appID + ":" + req.UserID + ":" + strconv.FormatInt(expire, 10) + ":" + *req.Nonce))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		unauthorized("signature mismatch")
		return
	}
	if expire != 0 && s.now().Unix() > expire {
		unauthorized("signature expired")
		return
	}
	if s.cfg.UserID != "" && req.UserID != s.cfg.UserID {
		unauthorized("unknown userId")
		return
	}
	userID, name := req.UserID, req.UserName
	if userID == "" {
		userID = "admin"
	}
	if name == "" {
		name = userID
	}
	s.writeToken(w, r, "app:"+req.UserID, userID, name, appAuthClientType)
}

type accountAuthRequest struct {
	Account         *string `json:"account"`
	ClientType      *int    `json:"clientType"`
	CreateTokenType int     `json:"createTokenType"`
}

// handleAccountAuth serves POST /v1/usg/acs/auth/account.
func (s *Server) handleAccountAuth(w http.ResponseWriter, r *http.Request, rid string) {
	unauthorized := func(msg string) { writeError(w, http.StatusUnauthorized, codeUnauthorized, msg, rid) }
	badRequest := func(msg string) { writeError(w, http.StatusBadRequest, codeAuthParam, msg, rid) }

	enc, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Basic ")
	if !ok {
		unauthorized("Basic Authorization header required")
		return
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		unauthorized("malformed Authorization header")
		return
	}
	account, password, ok := strings.Cut(string(raw), ":")
	if !ok || account == "" {
		unauthorized("malformed Authorization header")
		return
	}
	if n := utf8.RuneCountInString(password); n < 8 || n > 32 {
		badRequest("password must be 8 to 32 characters")
		return
	}
	var req accountAuthRequest
	if problem := decodeJSONBody(r, &req); problem != "" {
		badRequest(problem)
		return
	}
	if req.Account == nil || *req.Account == "" || utf8.RuneCountInString(*req.Account) > 255 {
		badRequest("account must be 1 to 255 characters")
		return
	}
	if *req.Account != account {
		badRequest("account does not match the Authorization header")
		return
	}
	clientType := 0
	if req.ClientType != nil {
		clientType = *req.ClientType
	}
	switch clientType {
	case 0, 5, 6, appAuthClientType:
	default:
		badRequest("unsupported clientType")
		return
	}
	okAccount := subtle.ConstantTimeCompare([]byte(account), []byte(s.cfg.Account))
	okPassword := subtle.ConstantTimeCompare([]byte(password), []byte(s.cfg.Password))
	if s.cfg.Account == "" || s.cfg.Password == "" || okAccount&okPassword != 1 {
		unauthorized("wrong account or password")
		return
	}
	s.writeToken(w, r, "account:"+account, account, account, clientType)
}

// decodeJSONBody reads a JSON request body into v, as the auth endpoints
// require it; it returns what is wrong, or "".
func decodeJSONBody(r *http.Request, v any) string {
	if !isJSONContentType(r.Header.Get("Content-Type")) {
		return "Content-Type must be application/json"
	}
	body, ok := readBody(r)
	if !ok {
		return "request body too large"
	}
	if err := json.Unmarshal(body, v); err != nil {
		return "malformed request body"
	}
	return ""
}
