package slackfake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// The App Home: a user opening the app's Home tab is sent the
// app_home_opened event (https://api.slack.com/events/app_home_opened,
// delivered over Socket Mode in an events_api envelope,
// https://api.slack.com/apis/connections/socket-implement), and the app
// shows them a view of type home with views.publish
// (https://api.slack.com/methods/views.publish).

// maxViewBytes is views.publish's view_too_large limit: "greater than
// 250kb".
const maxViewBytes = 250 * 1000

// HomeView is a user's Home tab as the bot last published it.
type HomeView struct {
	UserID, ID, Hash string
	JSON             json.RawMessage // compacted
	Publishes        int             // how often it was published
}

// Text is the text of the view's blocks (headers' and sections'), one
// line a block, for tests to read.
func (h HomeView) Text() (string, error) {
	var view struct {
		Blocks []struct {
			Text struct {
				Text string `json:"text"`
			} `json:"text"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(h.JSON, &view); err != nil {
		return "", err
	}
	lines := make([]string, len(view.Blocks))
	for i, b := range view.Blocks {
		lines[i] = b.Text.Text
	}
	return strings.Join(lines, "\n"), nil
}

// homeBook is the published Home tabs, by user; Server.mu guards it.
type homeBook struct {
	byUser  map[string]*HomeView
	changed chan struct{}
}

func (s *Server) homesLocked() *homeBook {
	if s.homes.byUser == nil {
		s.homes.byUser = map[string]*HomeView{}
		s.homes.changed = make(chan struct{})
	}
	return &s.homes
}

// Home returns userID's Home tab as last published.
func (s *Server) Home(userID string) (HomeView, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.homeLocked(userID)
}

func (s *Server) homeLocked(userID string) (HomeView, bool) {
	h, ok := s.homesLocked().byUser[userID]
	if !ok {
		return HomeView{}, false
	}
	out := *h
	out.JSON = bytes.Clone(h.JSON)
	return out, true
}

// WaitHome waits until userID's Home tab has been published at least
// publishes times, and returns it.
func (s *Server) WaitHome(ctx context.Context, userID string, publishes int) (HomeView, error) {
	var out HomeView
	err := s.waitUntil(ctx, func() (bool, <-chan struct{}) {
		h, ok := s.homeLocked(userID)
		out = h
		return ok && h.Publishes >= publishes, s.homesLocked().changed
	})
	return out, err
}

// ErrHomeTabDisabled is OpenHome's answer for the Home tab of an app that
// leaves it off (Config.HomeTabDisabled): Slack shows no Home tab to open
// (https://api.slack.com/surfaces/app-home, "enable the Home tab").
var ErrHomeTabDisabled = errors.New("slackfake: the app's Home tab is disabled")

// ErrNotSubscribed is OpenHome's answer when the app does not subscribe
// to app_home_opened (Config.BotEvents): the tab opens, and Slack sends
// the app nothing (https://api.slack.com/apis/events-api#subscribing,
// https://api.slack.com/events/app_home_opened).
var ErrNotSubscribed = errors.New("slackfake: the app does not subscribe to app_home_opened")

// OpenHome is userID opening the app's Home tab (tab "home") or its
// Messages tab ("messages"): Slack sends app_home_opened in an events_api
// envelope, with the Home view last published for them, if any. It returns
// the envelope ID without waiting for the ack; an unacknowledged event is
// sent again as Config.RedeliverAfter says. Nothing is sent, and the error
// says why, for a Home tab the app leaves off (ErrHomeTabDisabled) or when
// the app does not subscribe to the event (ErrNotSubscribed).
func (s *Server) OpenHome(ctx context.Context, userID, tab string) (string, error) {
	switch {
	case tab != "home" && tab != "messages":
		return "", fmt.Errorf("slackfake: tab %q is neither home nor messages", tab)
	case tab == "home" && s.cfg.HomeTabDisabled:
		return "", ErrHomeTabDisabled
	case !slices.Contains(s.cfg.BotEvents, "app_home_opened"):
		return "", ErrNotSubscribed
	}
	s.mu.Lock()
	if !s.isUserID(userID) {
		s.mu.Unlock()
		return "", fmt.Errorf("slackfake: unknown user %q", userID)
	}
	event := map[string]any{
		"type": "app_home_opened", "user": userID, "channel": s.dmChannel(userID), "tab": tab, "event_ts": s.mintTS(),
	}
	if h, ok := s.homesLocked().byUser[userID]; ok && tab == "home" {
		event["view"] = json.RawMessage(h.JSON)
	}
	payload := mustJSON(map[string]any{
		"token": verificationToken, "team_id": s.cfg.TeamID, "api_app_id": appID, "event": event,
		"type": "event_callback", "event_id": fmt.Sprintf("Ev%010d", s.nextID()), "event_time": time.Now().Unix(),
		"authorizations": []map[string]any{{
			"team_id": s.cfg.TeamID, "user_id": s.cfg.BotUserID, "is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
	})
	id := s.newEnvelope("events_api", payload, false, "")
	s.mu.Unlock()
	if err := s.deliver(ctx, id); err != nil {
		return id, err
	}
	s.redeliverUnacked(id)
	return id, nil
}

// viewsPublish serves views.publish: user_id names a user of the
// workspace (else invalid_arguments, "invalid `user_id`", the page's
// example), view is a view of type home of at most 100 blocks
// (https://docs.slack.dev/reference/block-kit/blocks) and 250 kB
// (view_too_large), hash, when given, is the one last published
// (hash_conflict), and the app has its Home tab enabled (not_enabled).
// No scope is needed.
func (s *Server) viewsPublish(p *params) reply {
	raw := p.raw("view")
	if len(raw) > maxViewBytes {
		return errReply("view_too_large")
	}
	decoded, msgs := validateView(raw, "home")
	if len(msgs) > 0 {
		return invalidArguments(msgs...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	user := p.get("user_id")
	if !s.isUserID(user) {
		return invalidArguments("invalid `user_id`")
	}
	if s.cfg.HomeTabDisabled {
		return errReply("not_enabled")
	}
	b := s.homesLocked()
	h, ok := b.byUser[user]
	if hash := p.get("hash"); ok && hash != "" && hash != h.Hash {
		return errReply("hash_conflict")
	}
	if !ok {
		h = &HomeView{UserID: user, ID: fmt.Sprintf("V%010d", s.nextID())}
		b.byUser[user] = h
	}
	var compact bytes.Buffer
	_ = json.Compact(&compact, raw) // validateView decoded it
	h.JSON, h.Hash = compact.Bytes(), fmt.Sprintf("%d.%s", time.Now().Unix(), randHex(4))
	h.Publishes++
	notify(&b.changed)
	full := map[string]any{
		"close": nil, "submit": nil, "private_metadata": "", "callback_id": "", "external_id": "",
		"clear_on_close": false, "notify_on_close": false, "previous_view_id": nil,
	}
	maps.Copy(full, decoded)
	full["id"], full["root_view_id"], full["hash"] = h.ID, h.ID, h.Hash
	full["team_id"], full["app_id"], full["bot_id"] = s.cfg.TeamID, appID, botID
	full["state"] = map[string]any{"values": map[string]any{}}
	return reply{"ok": true, "view": full}
}
