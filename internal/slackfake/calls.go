package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// The Calls API (https://api.slack.com/apis/calls): an app registers a
// call it hosts elsewhere (calls.add), Slack shows it wherever a call
// block names its ID (https://api.slack.com/reference/block-kit/blocks#call),
// and the app keeps its participants (calls.participants.add, .remove)
// and its end (calls.end) up to date. Every method needs the bot scope
// calls:write, but calls.info, which needs calls:read; each is Tier 3
// (the method pages, https://api.slack.com/methods/calls.add and its
// siblings).

// Call is a call the bot registered, as the fake keeps it.
type Call struct {
	ID, ExternalUniqueID, ExternalDisplayID string
	JoinURL, DesktopAppJoinURL, Title       string
	CreatedBy                               string
	DateStart                               int64
	Participants                            []CallUser // in the order added
	Ended                                   bool
	Duration                                int64 // seconds, as calls.end was told
}

// CallUser is a participant: a Slack user (SlackID), or someone known only
// to the call's service (ExternalID, with a name and an avatar).
type CallUser struct {
	SlackID     string `json:"slack_id,omitempty"`
	ExternalID  string `json:"external_id,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	AvatarURL   string `json:"avatar_url,omitempty"`
}

func (u CallUser) key() string {
	if u.SlackID != "" {
		return u.SlackID
	}
	return "external:" + u.ExternalID
}

// callBook is the fake's calls; Server.mu guards it.
type callBook struct {
	byID    map[string]*Call
	order   []string
	changed chan struct{}
}

// bookLocked returns the calls, made on first use; s.mu must be held.
func (s *Server) bookLocked() *callBook {
	if s.book.byID == nil {
		s.book.byID = map[string]*Call{}
		s.book.changed = make(chan struct{})
	}
	return &s.book
}

// SlackCalls returns the calls registered so far, in order (Calls counts
// requests by method).
func (s *Server) SlackCalls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.slackCallsLocked()
}

func (s *Server) slackCallsLocked() []Call {
	b := s.bookLocked()
	out := make([]Call, 0, len(b.order))
	for _, id := range b.order {
		c := *b.byID[id]
		c.Participants = slices.Clone(c.Participants)
		out = append(out, c)
	}
	return out
}

// WaitSlackCalls waits until ok holds of the calls registered, and returns
// them.
func (s *Server) WaitSlackCalls(ctx context.Context, ok func([]Call) bool) ([]Call, error) {
	var out []Call
	err := s.waitUntil(ctx, func() (bool, <-chan struct{}) {
		out = s.slackCallsLocked()
		return ok(out), s.bookLocked().changed
	})
	return out, err
}

func (s *Server) callMethod(name string) (apiMethod, bool) {
	switch name {
	case "calls.add":
		return apiMethod{scopes: fixed("calls:write"), serve: s.callsAdd}, true
	case "calls.info":
		return apiMethod{scopes: fixed("calls:read"), serve: s.callsInfo}, true
	case "calls.update":
		return apiMethod{scopes: fixed("calls:write"), serve: s.callsUpdate}, true
	case "calls.end":
		return apiMethod{scopes: fixed("calls:write"), serve: s.callsEnd}, true
	case "calls.participants.add":
		return apiMethod{scopes: fixed("calls:write"), serve: s.callsParticipants(true)}, true
	case "calls.participants.remove":
		return apiMethod{scopes: fixed("calls:write"), serve: s.callsParticipants(false)}, true
	}
	return apiMethod{}, false
}

// callsAdd serves calls.add (https://api.slack.com/methods/calls.add):
// external_unique_id and join_url are required, and created_by too with a
// bot token ("Otherwise, the field is required"); an unknown created_by is
// invalid_created_by, an unknown user user_not_found, a date_start that is
// not a Unix time invalid_start_time. external_unique_id "must be unique
// across all Calls from that service": the fake refuses one used before
// (the page does not name the error; invalid_arguments is the fake's).
// join_url must be an absolute http(s) URL (the fake's reading of "the URL
// required for a client to join the Call").
func (s *Server) callsAdd(p *params) reply {
	c := Call{
		ExternalUniqueID: p.get("external_unique_id"), JoinURL: p.get("join_url"), CreatedBy: p.get("created_by"),
		DesktopAppJoinURL: p.get("desktop_app_join_url"), ExternalDisplayID: p.get("external_display_id"), Title: p.get("title"),
		DateStart: time.Now().Unix(),
	}
	for field, v := range map[string]string{"external_unique_id": c.ExternalUniqueID, "join_url": c.JoinURL, "created_by": c.CreatedBy} {
		if v == "" {
			return invalidArguments("[ERROR] missing required field: " + field)
		}
	}
	if !webURL(c.JoinURL) {
		return invalidArguments("[ERROR] join_url must be a URL [json-pointer:/join_url]")
	}
	if v := p.get("date_start"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return errReply("invalid_start_time")
		}
		c.DateStart = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.isUserID(c.CreatedBy) {
		return errReply("invalid_created_by")
	}
	users, bad := s.callUsers(p, false)
	if bad != nil {
		return bad
	}
	b := s.bookLocked()
	for _, other := range b.byID {
		if other.ExternalUniqueID == c.ExternalUniqueID {
			return invalidArguments("[ERROR] external_unique_id must be unique across all Calls [json-pointer:/external_unique_id]")
		}
	}
	c.ID = fmt.Sprintf("R%08d", s.nextID())
	c.Participants = users
	b.byID[c.ID] = &c
	b.order = append(b.order, c.ID)
	notify(&b.changed)
	return reply{"ok": true, "call": callJSON(&c)}
}

func webURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// callUsers reads the users argument: a JSON array of users, each with a
// slack_id or an external_id (https://api.slack.com/apis/calls#users). A
// Slack ID the workspace does not know is user_not_found. required: the
// argument must be there (missing_argument, as the participants methods
// list it). s.mu must be held.
func (s *Server) callUsers(p *params, required bool) ([]CallUser, reply) {
	raw := p.raw("users")
	if raw == nil {
		if required {
			return nil, errReply("missing_argument")
		}
		return nil, nil
	}
	var users []CallUser
	if json.Unmarshal(raw, &users) != nil {
		return nil, invalidArguments("[ERROR] users must be a JSON array of users [json-pointer:/users]")
	}
	if required && len(users) == 0 {
		return nil, errReply("missing_argument")
	}
	for _, u := range users {
		switch {
		case u.SlackID == "" && u.ExternalID == "":
			return nil, invalidArguments("[ERROR] a user needs a slack_id or an external_id [json-pointer:/users]")
		case u.SlackID != "" && !s.isUserID(u.SlackID):
			return nil, errReply("user_not_found")
		}
	}
	return users, nil
}

// call finds the call of the id argument, or answers invalid_call_id (the
// error every calls.* page but calls.info lists for it); s.mu must be held.
func (s *Server) call(p *params) (*Call, reply) {
	id := p.get("id")
	if id == "" {
		return nil, invalidArguments("[ERROR] missing required field: id")
	}
	c, ok := s.bookLocked().byID[id]
	if !ok {
		return nil, errReply("invalid_call_id")
	}
	return c, nil
}

// callsInfo serves calls.info (https://api.slack.com/methods/calls.info).
func (s *Server) callsInfo(p *params) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, bad := s.call(p)
	if bad != nil {
		return bad
	}
	return reply{"ok": true, "call": callJSON(c)}
}

// callsUpdate serves calls.update (https://api.slack.com/methods/calls.update):
// title, join_url and desktop_app_join_url change when given.
func (s *Server) callsUpdate(p *params) reply {
	if u := p.get("join_url"); u != "" && !webURL(u) {
		return invalidArguments("[ERROR] join_url must be a URL [json-pointer:/join_url]")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, bad := s.call(p)
	if bad != nil {
		return bad
	}
	for field, to := range map[string]*string{"title": &c.Title, "join_url": &c.JoinURL, "desktop_app_join_url": &c.DesktopAppJoinURL} {
		if v := p.get(field); v != "" {
			*to = v
		}
	}
	notify(&s.bookLocked().changed)
	return reply{"ok": true, "call": callJSON(c)}
}

// callsEnd serves calls.end (https://api.slack.com/methods/calls.end). A
// call ended before answers, as the page's example shows,
// {"ok":true,"error":"inactive_call"}.
func (s *Server) callsEnd(p *params) reply {
	var duration int64
	if v := p.get("duration"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return invalidArguments("[ERROR] duration must be a number of seconds [json-pointer:/duration]")
		}
		duration = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, bad := s.call(p)
	if bad != nil {
		return bad
	}
	if c.Ended {
		return reply{"ok": true, "error": "inactive_call"}
	}
	c.Ended, c.Duration = true, duration
	notify(&s.bookLocked().changed)
	return reply{"ok": true}
}

// callsParticipants serves calls.participants.add (add) and
// calls.participants.remove
// (https://api.slack.com/methods/calls.participants.add, …remove): id and
// users are required (missing_argument), an ended call is inactive_call.
// A request naming someone already in the call (add), or someone not in
// it (remove), is answered {"ok":true,"error":"bad_users"}: the pages'
// "typical error response", and their table's "At least one specified
// user is already part of the Call" ("…is not part of the Call"). Whether
// Slack then applies the request's other users the pages do not say, so
// the fake is strict and applies none of them: a caller must not take a
// bad_users answer for a change made (with one user per request it tells
// that user's state either way).
func (s *Server) callsParticipants(add bool) func(p *params) reply {
	return func(p *params) reply {
		if p.get("id") == "" {
			return errReply("missing_argument")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		c, bad := s.call(p)
		if bad != nil {
			return bad
		}
		users, bad := s.callUsers(p, true)
		if bad != nil {
			return bad
		}
		if c.Ended {
			return errReply("inactive_call")
		}
		for _, u := range users {
			in := slices.ContainsFunc(c.Participants, func(v CallUser) bool { return v.key() == u.key() })
			if in == add {
				return reply{"ok": true, "error": "bad_users"}
			}
		}
		for _, u := range users {
			if add {
				c.Participants = append(c.Participants, u)
			} else {
				c.Participants = slices.DeleteFunc(c.Participants, func(v CallUser) bool { return v.key() == u.key() })
			}
		}
		notify(&s.bookLocked().changed)
		return reply{"ok": true}
	}
}

// callJSON is a call as the calls.* methods answer it.
func callJSON(c *Call) map[string]any {
	users := make([]CallUser, len(c.Participants))
	copy(users, c.Participants)
	out := map[string]any{
		"id": c.ID, "date_start": c.DateStart, "external_unique_id": c.ExternalUniqueID, "join_url": c.JoinURL,
		"desktop_app_join_url": c.DesktopAppJoinURL, "external_display_id": c.ExternalDisplayID, "title": c.Title,
		"users": users,
	}
	if c.Ended {
		out["date_end"] = c.DateStart + c.Duration
	}
	return out
}
