package slackfake

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meet-invite/meet-invite/internal/blockkit"
)

// reply is a Web API answer; it is always sent with HTTP 200.
type reply = map[string]any

func errReply(code string) reply { return reply{"ok": false, "error": code} }

func invalidArguments(msgs ...string) reply {
	return reply{"ok": false, "error": "invalid_arguments", "response_metadata": map[string]any{"messages": msgs}}
}

// params are a request's arguments, from a form or a JSON body.
type params struct {
	form url.Values
	body map[string]json.RawMessage
}

// get returns an argument as a string (a JSON non-string value as its JSON text).
func (p *params) get(k string) string {
	if p.body == nil {
		return p.form.Get(k)
	}
	raw, ok := p.body[k]
	if !ok || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// raw returns an argument that holds JSON (a form value, a JSON string holding
// JSON, or a JSON value), or nil when absent.
func (p *params) raw(k string) json.RawMessage {
	if p.body == nil {
		if v := p.form.Get(k); v != "" {
			return json.RawMessage(v)
		}
		return nil
	}
	raw, ok := p.body[k]
	if !ok || string(raw) == "null" {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" {
			return nil
		}
		return json.RawMessage(s)
	}
	return raw
}

func (p *params) flag(k string) bool {
	v := p.get(k)
	return v == "true" || v == "1"
}

type apiMethod struct {
	appToken bool                   // needs the app-level token instead of the bot token
	scopes   func(*params) []string // any one of them is enough; nil needs none
	serve    func(*params) reply
}

func fixed(scopes ...string) func(*params) []string {
	return func(*params) []string { return scopes }
}

func (s *Server) method(name string) (apiMethod, bool) {
	if m, ok := s.callMethod(name); ok {
		return m, true
	}
	switch name {
	case "apps.connections.open":
		return apiMethod{appToken: true, serve: s.appsConnectionsOpen}, true
	case "auth.test":
		return apiMethod{serve: s.authTest}, true
	case "users.info":
		return apiMethod{scopes: fixed("users:read"), serve: s.usersInfo}, true
	case "users.lookupByEmail":
		return apiMethod{scopes: fixed("users:read.email"), serve: s.usersLookupByEmail}, true
	case "usergroups.users.list":
		return apiMethod{scopes: fixed("usergroups:read"), serve: s.usergroupsUsersList}, true
	case "conversations.members":
		return apiMethod{scopes: s.conversationScopes("read"), serve: s.conversationsMembers}, true
	case "conversations.info":
		return apiMethod{scopes: s.conversationScopes("read"), serve: s.conversationsInfo}, true
	case "conversations.replies":
		return apiMethod{scopes: s.conversationScopes("history"), serve: s.conversationsReplies}, true
	case "views.open", "views.push":
		return apiMethod{serve: s.viewsOpen}, true
	case "views.update":
		return apiMethod{serve: s.viewsUpdate}, true
	case "views.publish":
		return apiMethod{serve: s.viewsPublish}, true
	case "chat.postMessage":
		return apiMethod{scopes: fixed("chat:write"), serve: s.chatPostMessage}, true
	case "chat.postEphemeral":
		return apiMethod{scopes: fixed("chat:write"), serve: s.chatPostEphemeral}, true
	case "chat.update":
		return apiMethod{scopes: fixed("chat:write"), serve: s.chatUpdate}, true
	}
	return apiMethod{}, false
}

// handleAPI serves /api/<method>.
func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/api/")
	f, scripted := s.begin(name)
	s.sleep(r, s.cfg.Latency)
	if scripted && s.serveFailure(w, r, f) {
		return
	}
	m, ok := s.method(name)
	if !ok {
		writeJSON(w, http.StatusOK, errReply("unknown_method"))
		return
	}
	p, code := parseParams(r)
	if code != "" {
		writeJSON(w, http.StatusOK, errReply(code))
		return
	}
	if code := s.authorize(r, m.appToken); code != "" {
		writeJSON(w, http.StatusOK, errReply(code))
		return
	}
	if !m.appToken {
		// Slack names the token's scopes in this header on Web API answers;
		// its Node SDK reads it, comma-separated, into
		// response_metadata.scopes (slackapi/node-slack-sdk,
		// packages/web-api/src/WebClient.ts, buildResult).
		w.Header().Set("X-OAuth-Scopes", strings.Join(s.cfg.Scopes, ","))
	}
	if m.scopes != nil {
		if needed := m.scopes(p); !slices.ContainsFunc(needed, s.granted) {
			writeJSON(w, http.StatusOK, reply{
				"ok": false, "error": "missing_scope",
				"needed": strings.Join(needed, ","), "provided": strings.Join(s.cfg.Scopes, ","),
			})
			return
		}
	}
	if wait := s.limits.take(name, p.get("channel")); wait > 0 {
		writeRateLimited(w, wait)
		return
	}
	writeJSON(w, http.StatusOK, m.serve(p))
}

// begin counts a call and takes its scripted failure, if any.
func (s *Server) begin(name string) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[name]++
	q := s.failures[name]
	if len(q) == 0 {
		return Failure{}, false
	}
	f := q[0]
	s.failures[name] = q[1:]
	return f, true
}

// serveFailure answers with f and reports true, or only delays and reports
// false when f is a pure delay.
func (s *Server) serveFailure(w http.ResponseWriter, r *http.Request, f Failure) bool {
	s.sleep(r, f.Delay)
	if f.Status == 0 && f.Error == "" && f.RetryAfter == 0 && f.Body == "" {
		return false
	}
	status := f.Status
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(f.RetryAfter.Seconds()))))
		if status == 0 {
			status = http.StatusTooManyRequests
		}
		if f.Error == "" {
			f.Error = "ratelimited"
		}
	}
	if status == 0 {
		status = http.StatusOK
	}
	if f.Body != "" {
		ct := "text/html; charset=utf-8"
		if json.Valid([]byte(f.Body)) {
			ct = "application/json; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, f.Body)
		return true
	}
	if f.Error == "" {
		f.Error = "fatal_error"
	}
	writeJSON(w, status, errReply(f.Error))
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b, status = []byte(`{"ok":false,"error":"internal_error"}`), http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func parseParams(r *http.Request) (*params, string) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return nil, "invalid_json"
		}
		p := &params{body: map[string]json.RawMessage{}}
		if len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &p.body) != nil {
			return nil, "invalid_json"
		}
		if p.body == nil { // the body was JSON null
			p.body = map[string]json.RawMessage{}
		}
		return p, ""
	}
	if err := r.ParseForm(); err != nil {
		return nil, "invalid_form_data"
	}
	return &params{form: r.Form}, ""
}

// authorize checks the token (Authorization: Bearer, else the form's token).
func (s *Server) authorize(r *http.Request, appToken bool) string {
	token := r.PostForm.Get("token")
	if h := strings.TrimSpace(r.Header.Get("Authorization")); h != "" {
		bearer, ok := strings.CutPrefix(h, "Bearer")
		if !ok {
			return "invalid_auth"
		}
		token = bearer
	}
	want, other := s.cfg.BotToken, s.cfg.AppToken
	if appToken {
		want, other = other, want
	}
	token = strings.TrimSpace(token)
	if token == s.cfg.BotToken && s.botRevoked.Load() {
		return "token_revoked" // auth.test's errors: https://docs.slack.dev/reference/methods/auth.test
	}
	switch token {
	case "":
		return "not_authed"
	case want:
		return ""
	case other:
		return "not_allowed_token_type"
	}
	return "invalid_auth"
}

func (s *Server) granted(scope string) bool { return s.scopes[scope] }

// conversationScopes picks the scope a conversation method needs from the
// conversation's kind; an unknown channel accepts any of them (it then fails
// with channel_not_found).
func (s *Server) conversationScopes(kind string) func(*params) []string {
	return func(p *params) []string {
		s.mu.Lock()
		c := s.channels[p.get("channel")]
		s.mu.Unlock()
		switch {
		case c == nil:
			return []string{"channels:" + kind, "groups:" + kind, "im:" + kind, "mpim:" + kind}
		case c.IsIM:
			return []string{"im:" + kind}
		case c.Private:
			return []string{"groups:" + kind}
		}
		return []string{"channels:" + kind}
	}
}

func (s *Server) appsConnectionsOpen(*params) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	ticket := randHex(16)
	s.tickets[ticket] = false
	return reply{"ok": true, "url": "ws" + strings.TrimPrefix(s.baseURL, "http") + "/link/?ticket=" + ticket}
}

func (s *Server) authTest(*params) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := reply{
		"ok": true, "url": "https://" + teamDomain + ".slack.com/", "team": "Fake Workspace",
		"user": s.userName(s.cfg.BotUserID), "team_id": s.cfg.TeamID, "user_id": s.cfg.BotUserID,
		"bot_id": botID, "is_enterprise_install": false,
	}
	if s.cfg.EnterpriseID != "" { // https://docs.slack.dev/reference/methods/auth.test
		r["enterprise_id"] = s.cfg.EnterpriseID
	}
	return r
}

func (s *Server) usersInfo(p *params) reply {
	id := p.get("user")
	if id == "" {
		return invalidArguments("[ERROR] missing required field: user")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return errReply("user_not_found")
	}
	return reply{"ok": true, "user": s.userJSON(u, p.flag("include_locale"))}
}

func (s *Server) usersLookupByEmail(p *params) reply {
	email := p.get("email")
	if email == "" {
		return invalidArguments("[ERROR] missing required field: email")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.userOrder {
		if u := s.users[id]; u.Email != "" && strings.EqualFold(u.Email, email) {
			return reply{"ok": true, "user": s.userJSON(u, false)}
		}
	}
	return errReply("users_not_found")
}

// userJSON is a user in Slack's shape; the email only shows with
// users:read.email, the locale only when asked for. s.mu must be held.
func (s *Server) userJSON(u *User, includeLocale bool) map[string]any {
	first, last, _ := strings.Cut(u.RealName, " ")
	profile := map[string]any{
		"title":                   u.Title,
		"phone":                   u.Phone,
		"skype":                   "",
		"real_name":               u.RealName,
		"real_name_normalized":    u.RealName,
		"display_name":            u.DisplayName,
		"display_name_normalized": u.DisplayName,
		"first_name":              first,
		"last_name":               last,
		"status_text":             "",
		"status_emoji":            "",
		"status_expiration":       0,
		"avatar_hash":             "g0000fake",
		"image_24":                "https://secure.gravatar.com/avatar/fake.jpg?s=24",
		"image_32":                "https://secure.gravatar.com/avatar/fake.jpg?s=32",
		"image_48":                "https://secure.gravatar.com/avatar/fake.jpg?s=48",
		"image_72":                "https://secure.gravatar.com/avatar/fake.jpg?s=72",
		"image_192":               "https://secure.gravatar.com/avatar/fake.jpg?s=192",
		"image_512":               "https://secure.gravatar.com/avatar/fake.jpg?s=512",
		"team":                    u.TeamID,
	}
	if u.Email != "" && s.granted("users:read.email") {
		profile["email"] = u.Email
	}
	if u.IsBot {
		profile["bot_id"] = botID
		profile["api_app_id"] = appID
		profile["always_active"] = true
	}
	out := map[string]any{
		"id":                         u.ID,
		"team_id":                    u.TeamID,
		"name":                       u.Name,
		"deleted":                    u.Deleted,
		"color":                      "9f69e7",
		"real_name":                  u.RealName,
		"profile":                    profile,
		"is_admin":                   u.IsAdmin,
		"is_owner":                   false,
		"is_primary_owner":           false,
		"is_restricted":              u.IsRestricted,
		"is_ultra_restricted":        u.IsUltraRestricted,
		"is_bot":                     u.IsBot,
		"is_app_user":                false,
		"updated":                    1700000000,
		"is_email_confirmed":         !u.IsBot,
		"who_can_share_contact_card": "EVERYONE",
	}
	if u.EnterpriseID != "" {
		out["enterprise_user"] = map[string]any{
			"id": u.ID, "enterprise_id": u.EnterpriseID, "enterprise_name": "Enterprise " + u.EnterpriseID,
			"is_admin": false, "is_owner": false, "teams": []string{u.TeamID},
		}
	}
	if u.IsStranger {
		out["is_stranger"] = true
	}
	if u.TZ != "" {
		out["tz"] = u.TZ
		out["tz_label"], out["tz_offset"] = u.TZ, 0
		if loc, err := time.LoadLocation(u.TZ); err == nil {
			name, offset := time.Now().In(loc).Zone()
			out["tz_label"], out["tz_offset"] = name, offset
		}
	}
	// users.info returns the user's locale only when include_locale=true is
	// sent ("Set this to true to receive the locale for this user. Defaults
	// to false": https://api.slack.com/methods/users.info); an IETF tag such
	// as en-US or es-ES (https://api.slack.com/changelog/2017-09-locale-locale-locale).
	if includeLocale {
		locale := u.Locale
		if locale == "" {
			locale = "en-US"
		}
		out["locale"] = locale
	}
	return out
}

func (s *Server) usergroupsUsersList(p *params) reply {
	id := p.get("usergroup")
	if id == "" {
		return invalidArguments("[ERROR] missing required field: usergroup")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[id]
	if !ok {
		return errReply("no_such_subteam")
	}
	users := append([]string{}, g.Members...)
	return reply{"ok": true, "users": users}
}

// visible reports whether the bot can see a channel: public ones always,
// private ones and DMs only as a member.
func visible(c *Channel) bool { return c.BotIsMember || (!c.Private && !c.IsIM) }

// members lists a channel's members, the bot included when it is one.
func (s *Server) members(c *Channel) []string {
	out := append([]string{}, c.Members...)
	if c.BotIsMember && !slices.Contains(out, s.cfg.BotUserID) {
		out = append(out, s.cfg.BotUserID)
	}
	return out
}

// page cuts items at the cursor; cursors are base64 of prefix+the first item
// of the page, like Slack's. It returns the page and the next cursor, or
// ok == false for an invalid cursor.
func page(items []string, cursor, prefix string, limit int) ([]string, string, bool) {
	start := 0
	if cursor != "" {
		dec, err := base64.StdEncoding.DecodeString(cursor)
		key, found := strings.CutPrefix(string(dec), prefix)
		start = slices.Index(items, key)
		if err != nil || !found || start < 0 {
			return nil, "", false
		}
	}
	end := min(start+limit, len(items))
	next := ""
	if end < len(items) {
		next = base64.StdEncoding.EncodeToString([]byte(prefix + items[end]))
	}
	return items[start:end], next, true
}

// limit parses a limit argument: def when absent, at most maxN, "" error code when fine.
func limit(p *params, def, maxN int) (int, string) {
	v := p.get("limit")
	if v == "" || v == "0" {
		return def, ""
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, "invalid_limit"
	}
	return min(n, maxN), ""
}

func (s *Server) conversationsMembers(p *params) reply {
	n, code := limit(p, 100, 1000)
	if code != "" {
		return errReply(code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[p.get("channel")]
	if !ok || !visible(c) {
		return errReply("channel_not_found")
	}
	members, next, ok := page(s.members(c), p.get("cursor"), "user:", n)
	if !ok {
		return errReply("invalid_cursor")
	}
	return reply{"ok": true, "members": members, "response_metadata": map[string]any{"next_cursor": next}}
}

// conversationsInfo answers as conversations.info does
// (https://docs.slack.dev/reference/methods/conversations.info): a direct
// message is {"is_im":true,"user":…}, "user" being the other person than
// the caller (https://docs.slack.dev/reference/objects/im-object); a
// conversation the bot is not in and cannot see (a private channel, a DM
// between two people) is channel_not_found. The bot's DM with a user
// exists whether or not it was seeded ("D" + the user ID without its "U",
// as dmChannel names it).
func (s *Server) conversationsInfo(p *params) reply {
	id := p.get("channel")
	if id == "" {
		return invalidArguments("[ERROR] missing required field: channel")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[id]
	if !ok {
		if user := "U" + strings.TrimPrefix(id, "D"); strings.HasPrefix(id, "D") && s.isUserID(user) && s.dmChannel(user) == id {
			return reply{"ok": true, "channel": imJSON(id, user)}
		}
		return errReply("channel_not_found")
	}
	if !visible(c) {
		return errReply("channel_not_found")
	}
	if c.IsIM {
		user := ""
		for _, m := range c.Members {
			if m != s.cfg.BotUserID {
				user = m
			}
		}
		return reply{"ok": true, "channel": imJSON(c.ID, user)}
	}
	return reply{"ok": true, "channel": map[string]any{
		"id": c.ID, "name": c.Name, "is_channel": !c.Private, "is_group": c.Private, "is_im": false,
		"is_mpim": false, "is_private": c.Private, "is_archived": c.Archived, "is_general": c.Name == "general",
		"is_shared": false, "is_ext_shared": false, "is_org_shared": false, "is_member": c.BotIsMember,
		"created": 1700000000, "creator": "",
	}}
}

func imJSON(id, user string) map[string]any {
	return map[string]any{
		"id": id, "created": 1700000000, "is_im": true, "is_org_shared": false,
		"user": user, "is_user_deleted": false, "priority": 0,
	}
}

func (s *Server) conversationsReplies(p *params) reply {
	ts := p.get("ts")
	if ts == "" {
		return invalidArguments("[ERROR] missing required field: ts")
	}
	n, code := limit(p, 1000, 1000)
	if code != "" {
		return errReply(code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	channelID := p.get("channel")
	c, ok := s.channels[channelID]
	switch {
	case !ok || !visible(c):
		return errReply("channel_not_found")
	case !c.BotIsMember:
		return errReply("not_in_channel")
	}
	_, parent, _, found := s.findThreadMessage(channelID, ts)
	if !found {
		return errReply("thread_not_found")
	}
	thread := s.threads[channelID+"/"+parent]
	tss := make([]string, len(thread))
	for i, m := range thread {
		tss[i] = m.TS
	}
	pageTS, next, ok := page(tss, p.get("cursor"), "next_ts:", n)
	if !ok {
		return errReply("invalid_cursor")
	}
	var replyUsers []string
	for _, m := range thread {
		if m.TS != parent && !slices.Contains(replyUsers, m.User) {
			replyUsers = append(replyUsers, m.User)
		}
	}
	msgs := make([]map[string]any, 0, len(pageTS))
	for _, m := range thread {
		if !slices.Contains(pageTS, m.TS) {
			continue
		}
		jm := map[string]any{"type": "message", "user": m.User, "text": m.Text, "ts": m.TS, "thread_ts": parent, "team": s.cfg.TeamID}
		if m.TS == parent {
			jm["reply_count"] = len(thread) - 1
			jm["reply_users"] = replyUsers
			jm["reply_users_count"] = len(replyUsers)
			jm["latest_reply"] = thread[len(thread)-1].TS
		} else {
			jm["parent_user_id"] = threadParentUser(thread, parent)
		}
		msgs = append(msgs, jm)
	}
	return reply{"ok": true, "messages": msgs, "has_more": next != "", "response_metadata": map[string]any{"next_cursor": next}}
}

func threadParentUser(thread []ThreadMessage, parent string) string {
	for _, m := range thread {
		if m.TS == parent {
			return m.User
		}
	}
	return ""
}

// content is the body of a chat.* call.
type content struct {
	text   string
	blocks json.RawMessage // nil when none
}

// readContent reads and checks text, blocks and attachments. A nil reply
// means fine; otherwise it is Slack's error answer (invalid_blocks carries
// the problems, as Slack's does).
func readContent(p *params) (content, reply) {
	c := content{text: p.get("text")}
	nonEmpty := c.text != ""
	raw := p.raw("blocks")
	if err := blockkit.CheckMessage(c.text, raw); err != nil {
		return c, blockError(err)
	}
	if raw != nil {
		var compact bytes.Buffer
		if err := json.Compact(&compact, raw); err != nil {
			return c, errReply(blockkit.CodeInvalidBlocks)
		}
		if compact.String() != "[]" {
			c.blocks, nonEmpty = compact.Bytes(), true
		}
	}
	if raw := p.raw("attachments"); raw != nil {
		var a []json.RawMessage
		if json.Unmarshal(raw, &a) != nil {
			return c, errReply("invalid_attachments")
		}
		nonEmpty = nonEmpty || len(a) > 0
	}
	if !nonEmpty {
		return c, errReply("no_text")
	}
	return c, nil
}

// blockError is Slack's answer to a payload blockkit refused:
// {"ok":false,"error":"invalid_blocks","errors":[…],"response_metadata":{"messages":["[ERROR] …"]}}.
func blockError(err error) reply {
	var e *blockkit.Error
	if !errors.As(err, &e) {
		return errReply(blockkit.CodeInvalidBlocks)
	}
	r := errReply(e.Code)
	if e.Code == blockkit.CodeInvalidBlocks {
		msgs := make([]string, len(e.Problems))
		for i, pr := range e.Problems {
			msgs[i] = "[ERROR] " + pr
		}
		r["errors"] = slices.Clone(e.Problems)
		r["response_metadata"] = map[string]any{"messages": msgs}
	}
	return r
}

// dmChannel is the ID of the bot's DM with a user; s.mu must be held.
func (s *Server) dmChannel(userID string) string {
	for _, id := range s.chanOrder {
		if c := s.channels[id]; c.IsIM && c.BotIsMember && slices.Contains(c.Members, userID) {
			return c.ID
		}
	}
	return "D" + userID[1:]
}

// lookupChannel finds a channel by ID, or by name ("#general" or "general"); s.mu must be held.
func (s *Server) lookupChannel(ref string) *Channel {
	if c, ok := s.channels[ref]; ok {
		return c
	}
	name := strings.TrimPrefix(ref, "#")
	for _, id := range s.chanOrder {
		if c := s.channels[id]; !c.IsIM && c.Name == name {
			return c
		}
	}
	return nil
}

// isUserID reports whether ref is a known user's ID (which Slack accepts as a DM channel); s.mu must be held.
func (s *Server) isUserID(ref string) bool {
	_, ok := s.users[ref]
	return ok && (strings.HasPrefix(ref, "U") || strings.HasPrefix(ref, "W"))
}

// postTarget resolves chat.postMessage's channel to (channel ID, DM user) or an error code; s.mu must be held.
func (s *Server) postTarget(ref string) (string, string, string) {
	if ref == "" {
		return "", "", "channel_not_found"
	}
	if s.isUserID(ref) {
		if s.users[ref].IsBot {
			return "", "", "cannot_dm_bot"
		}
		return s.dmChannel(ref), ref, ""
	}
	c := s.lookupChannel(ref)
	switch {
	case c == nil || !visible(c):
		return "", "", "channel_not_found"
	case c.Archived:
		return "", "", "is_archived"
	case !c.BotIsMember && !s.granted("chat:write.public"):
		return "", "", "not_in_channel"
	case c.AnnouncementOnly:
		return "", "", "restricted_action"
	}
	dmUser := ""
	if c.IsIM && len(c.Members) > 0 {
		dmUser = c.Members[0]
	}
	return c.ID, dmUser, ""
}

func (s *Server) chatPostMessage(p *params) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	channelID, dmUser, code := s.postTarget(p.get("channel"))
	if code != "" {
		return errReply(code)
	}
	c, bad := readContent(p)
	if bad != nil {
		return bad
	}
	ts, threadTS := s.mintTS(), p.get("thread_ts")
	s.record(Message{
		Kind: "post", Channel: channelID, User: dmUser, Text: c.text, Blocks: c.blocks,
		ThreadTS: threadTS, TS: ts, At: time.Now(),
	})
	return reply{"ok": true, "channel": channelID, "ts": ts, "message": s.messageJSON(c.text, c.blocks, ts, threadTS)}
}

func (s *Server) chatPostEphemeral(p *params) reply {
	user := p.get("user")
	if user == "" {
		return invalidArguments("[ERROR] missing required field: user")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ref := p.get("channel")
	var channelID string
	var members []string
	if s.isUserID(ref) {
		channelID, members = s.dmChannel(ref), []string{ref, s.cfg.BotUserID}
	} else {
		c := s.lookupChannel(ref)
		if c == nil || !visible(c) {
			return errReply("channel_not_found")
		}
		if c.Archived {
			return errReply("is_archived")
		}
		channelID, members = c.ID, s.members(c)
	}
	if !slices.Contains(members, user) {
		return errReply("user_not_in_channel")
	}
	c, bad := readContent(p)
	if bad != nil {
		return bad
	}
	ts := s.mintTS()
	s.record(Message{
		Kind: "ephemeral", Channel: channelID, User: user, Text: c.text, Blocks: c.blocks,
		ThreadTS: p.get("thread_ts"), TS: ts, At: time.Now(),
	})
	return reply{"ok": true, "message_ts": ts}
}

func (s *Server) chatUpdate(p *params) reply {
	ts := p.get("ts")
	s.mu.Lock()
	defer s.mu.Unlock()
	ref := p.get("channel")
	channelID := ref
	if s.isUserID(ref) {
		channelID = s.dmChannel(ref)
	} else if c := s.lookupChannel(ref); c != nil && visible(c) {
		channelID = c.ID
	} else if !slices.ContainsFunc(s.messages, func(m Message) bool { return m.Channel == ref }) {
		return errReply("channel_not_found") // DMs opened by user ID are known by their messages only
	}
	var orig *Message
	for i := len(s.messages) - 1; i >= 0 && ts != ""; i-- {
		if m := &s.messages[i]; m.TS == ts && m.Channel == channelID && (m.Kind == "post" || m.Kind == "update") {
			orig = m
			break
		}
	}
	if orig == nil {
		return errReply("message_not_found")
	}
	c, bad := readContent(p)
	if bad != nil {
		return bad
	}
	dmUser, threadTS := orig.User, orig.ThreadTS
	s.record(Message{
		Kind: "update", Channel: channelID, User: dmUser, Text: c.text, Blocks: c.blocks,
		ThreadTS: threadTS, TS: ts, At: time.Now(),
	})
	return reply{"ok": true, "channel": channelID, "ts": ts, "text": c.text, "message": s.messageJSON(c.text, c.blocks, ts, threadTS)}
}

// handleResponseURL serves POST /response/<id>, the response URLs the fake mints.
func (s *Server) handleResponseURL(w http.ResponseWriter, r *http.Request) {
	const method = "response_url"
	f, scripted := s.begin(method)
	s.sleep(r, s.cfg.Latency)
	if scripted && s.serveFailure(w, r, f) {
		return
	}
	text := func(status int, body string) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
	if r.Method != http.MethodPost {
		text(http.StatusMethodNotAllowed, "invalid_method")
		return
	}
	var body struct {
		Text            string          `json:"text"`
		Blocks          json.RawMessage `json:"blocks"`
		Attachments     json.RawMessage `json:"attachments"`
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		DeleteOriginal  bool            `json:"delete_original"`
		ThreadTS        string          `json:"thread_ts"`
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	bodyErr := err != nil || json.Unmarshal(raw, &body) != nil

	id := strings.TrimPrefix(r.URL.Path, "/response/")
	s.mu.Lock()
	defer s.mu.Unlock()
	ru, ok := s.responses[id]
	switch {
	case !ok:
		text(http.StatusNotFound, "no_service")
		return
	case time.Since(ru.created) > responseURLTTL:
		text(http.StatusNotFound, "expired_url")
		return
	case ru.uses >= responseURLUses:
		text(http.StatusNotFound, "used_url")
		return
	case bodyErr:
		text(http.StatusBadRequest, "invalid_payload")
		return
	}
	switch body.ResponseType {
	case "":
		body.ResponseType = "ephemeral"
	case "ephemeral", "in_channel":
	default:
		text(http.StatusBadRequest, "invalid_payload")
		return
	}
	p := &params{body: map[string]json.RawMessage{"text": mustJSON(body.Text)}}
	if len(body.Blocks) > 0 {
		p.body["blocks"] = body.Blocks
	}
	if len(body.Attachments) > 0 {
		p.body["attachments"] = body.Attachments
	}
	c, bad := readContent(p)
	if bad != nil && !(bad["error"] == "no_text" && body.DeleteOriginal) {
		code, _ := bad["error"].(string)
		text(http.StatusBadRequest, code)
		return
	}
	ru.uses++
	s.record(Message{
		Kind: "response", Channel: ru.channel, User: ru.user, Text: c.text, Blocks: c.blocks,
		ResponseType: body.ResponseType, ReplaceOriginal: body.ReplaceOriginal, DeleteOriginal: body.DeleteOriginal,
		ThreadTS: body.ThreadTS, TS: s.mintTS(), At: time.Now(),
	})
	text(http.StatusOK, "ok")
}
