package slackfake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/meet-invite/meet-invite/internal/blockkit"
)

// View is a modal the bot opened (views.open, views.push, or a "push" ack).
type View struct {
	ID, TriggerID, CallbackID, PrivateMetadata string
	JSON                                       json.RawMessage // the view as the bot sent it (latest update)
	OpenedAt                                   time.Time
}

type view struct {
	rec    View
	full   map[string]any // the view as views.* answers it
	userID string
	open   bool
	// offered are the options its external selects offered (Suggest), by
	// action_id + "\x00" + value: a submission may choose only those.
	offered map[string]map[string]any
}

// Views returns the views opened so far, in order.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.viewsLocked()
}

func (s *Server) viewsLocked() []View {
	out := make([]View, 0, len(s.views))
	for _, v := range s.views {
		r := v.rec
		r.JSON = bytes.Clone(r.JSON)
		out = append(out, r)
	}
	return out
}

// WaitViews waits until at least n views were opened and returns them all.
func (s *Server) WaitViews(ctx context.Context, n int) ([]View, error) {
	var out []View
	err := s.waitUntil(ctx, func() (bool, <-chan struct{}) {
		if len(s.views) >= n {
			out = s.viewsLocked()
			return true, nil
		}
		return false, s.viewChanged
	})
	return out, err
}

// addView records a new open view; s.mu must be held.
func (s *Server) addView(raw json.RawMessage, decoded map[string]any, triggerID, userID string) *view {
	id := fmt.Sprintf("V%010d", s.nextID())
	v := &view{userID: userID, open: true}
	v.rec = View{ID: id, TriggerID: triggerID, OpenedAt: time.Now()}
	s.fillView(v, raw, decoded)
	v.full["root_view_id"] = id
	v.full["previous_view_id"] = nil
	s.views = append(s.views, v)
	s.viewByID[id] = v
	notify(&s.viewChanged)
	return v
}

// replaceView swaps the content of an existing view; s.mu must be held.
func (s *Server) replaceView(v *view, raw json.RawMessage, decoded map[string]any) {
	root, prev := v.full["root_view_id"], v.full["previous_view_id"]
	s.fillView(v, raw, decoded)
	v.full["root_view_id"], v.full["previous_view_id"] = root, prev
	notify(&s.viewChanged)
}

func (s *Server) fillView(v *view, raw json.RawMessage, decoded map[string]any) {
	var compact bytes.Buffer
	if json.Compact(&compact, raw) == nil {
		raw = compact.Bytes()
	}
	v.rec.JSON = bytes.Clone(raw)
	v.rec.CallbackID, _ = decoded["callback_id"].(string)
	v.rec.PrivateMetadata, _ = decoded["private_metadata"].(string)
	full := map[string]any{
		"close": nil, "submit": nil, "private_metadata": "", "callback_id": "", "external_id": "",
		"clear_on_close": false, "notify_on_close": false,
	}
	maps.Copy(full, decoded)
	full["id"] = v.rec.ID
	full["team_id"] = s.cfg.TeamID
	full["state"] = map[string]any{"values": map[string]any{}}
	full["hash"] = fmt.Sprintf("%d.%s", time.Now().Unix(), randHex(4))
	full["app_id"] = appID
	full["bot_id"] = botID
	full["app_installed_team_id"] = s.cfg.TeamID
	v.full = full
}

// decodeView decodes a view argument, or says why it cannot, in Slack's
// "[ERROR] …" words.
func decodeView(raw json.RawMessage) (map[string]any, []string) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, []string{"[ERROR] missing required field: view"}
	}
	var v map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil || v == nil {
		return nil, []string{"[ERROR] view must be a JSON object [json-pointer:/view]"}
	}
	return v, nil
}

// validateView checks a view of type typ (modal or home) a little like
// Slack does and returns it decoded, or the problems as Slack's
// "[ERROR] …" messages. A modal's title, close and submit are checked by
// the caller (modalProblems).
func validateView(raw json.RawMessage, typ string) (map[string]any, []string) {
	v, msgs := decodeView(raw)
	if msgs != nil {
		return nil, msgs
	}
	bad := func(format string, args ...any) { msgs = append(msgs, "[ERROR] "+fmt.Sprintf(format, args...)) }
	if v["type"] != typ {
		bad("must be %s [json-pointer:/view/type]", typ)
	}
	blocks, ok := v["blocks"].([]any)
	if !ok {
		bad("missing required field: blocks [json-pointer:/view/blocks]")
	} else if err := blockkit.CheckBlocks(blockkit.Modal, mustJSON(blocks)); err != nil {
		var e *blockkit.Error
		if errors.As(err, &e) {
			for _, pr := range e.Problems {
				bad("%s", strings.Replace(pr, "[json-pointer:/blocks", "[json-pointer:/view/blocks", 1))
			}
		}
	}
	for field, maxN := range map[string]int{"callback_id": 255, "private_metadata": 3000, "external_id": 255} {
		f, present := v[field]
		if !present {
			continue
		}
		s, ok := f.(string)
		if !ok {
			bad("must be a string [json-pointer:/view/%s]", field)
		} else if utf8.RuneCountInString(s) > maxN {
			bad("must be less than %d characters [json-pointer:/view/%s]", maxN+1, field)
		}
	}
	if typ == "modal" {
		msgs = append(msgs, modalProblems(v, blocks)...)
	}
	return v, msgs
}

// modalProblems checks what only a modal has: a title, close and submit
// texts, and a submit button when it has inputs.
func modalProblems(v map[string]any, blocks []any) []string {
	var msgs []string
	bad := func(format string, args ...any) { msgs = append(msgs, "[ERROR] "+fmt.Sprintf(format, args...)) }
	checkText := func(field string, required bool) {
		t, present := v[field]
		if !present || t == nil {
			if required {
				bad("missing required field: %s [json-pointer:/view/%s]", field, field)
			}
			return
		}
		if msg := plainText(t, 24); msg != "" {
			bad("%s [json-pointer:/view/%s]", msg, field)
		}
	}
	checkText("title", true)
	checkText("close", false)
	checkText("submit", false)
	inputs := 0
	for _, b := range blocks {
		if bm, _ := b.(map[string]any); bm["type"] == "input" {
			inputs++
		}
	}
	if inputs > 0 && v["submit"] == nil {
		bad("must provide a submit property when using input blocks [json-pointer:/view]")
	}
	return msgs
}

// plainText checks a plain_text object of at most max characters; "" means fine.
func plainText(v any, maxN int) string {
	t, ok := v.(map[string]any)
	if !ok {
		return "must be a plain_text object"
	}
	if t["type"] != "plain_text" {
		return "must be plain_text"
	}
	text, _ := t["text"].(string)
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return "must be more than 0 characters"
	case n > maxN:
		return fmt.Sprintf("must be less than %d characters", maxN+1)
	}
	return ""
}

// takeTrigger spends a trigger ID, or returns Slack's error code; s.mu must be held.
func (s *Server) takeTrigger(id string) (*trigger, string) {
	t, ok := s.triggers[id]
	switch {
	case !ok:
		return nil, "invalid_trigger_id"
	case t.used:
		return nil, "exchanged_trigger_id"
	case time.Since(t.issued) > s.cfg.TriggerTTL:
		return nil, "expired_trigger_id"
	}
	t.used = true
	return t, ""
}

// viewsOpen serves views.open and views.push (the modal stack is not
// modelled: a pushed view is recorded like an opened one).
func (s *Server) viewsOpen(p *params) reply {
	triggerID := p.get("trigger_id")
	if triggerID == "" {
		return invalidArguments("[ERROR] missing required field: trigger_id")
	}
	raw := p.raw("view")
	decoded, msgs := validateView(raw, "modal")
	if len(msgs) > 0 {
		return invalidArguments(msgs...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, code := s.takeTrigger(triggerID)
	if code != "" {
		return errReply(code)
	}
	v := s.addView(raw, decoded, triggerID, t.userID)
	return reply{"ok": true, "view": maps.Clone(v.full)}
}

func (s *Server) viewsUpdate(p *params) reply {
	viewID, externalID := p.get("view_id"), p.get("external_id")
	if viewID == "" && externalID == "" {
		return invalidArguments("[ERROR] either view_id or external_id is required")
	}
	raw := p.raw("view")
	decoded, msgs := validateView(raw, "modal")
	if len(msgs) > 0 {
		return invalidArguments(msgs...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var v *view
	if viewID != "" {
		v = s.viewByID[viewID]
	} else {
		for _, cand := range s.views {
			if cand.full["external_id"] == externalID {
				v = cand
			}
		}
	}
	if v == nil || !v.open {
		return errReply("not_found")
	}
	if hash := p.get("hash"); hash != "" && hash != v.full["hash"] {
		return errReply("hash_conflict")
	}
	s.replaceView(v, raw, decoded)
	return reply{"ok": true, "view": maps.Clone(v.full)}
}

// cutLast splits s around the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}
