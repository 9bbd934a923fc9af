package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Click is a press of a button in a message the bot posted.
type Click struct {
	UserID, ChannelID, ActionID, BlockID, Value string
	ResponseURL                                 string // default: a fresh response URL for this channel and user
	MessageTS                                   string // default: the newest message recorded in the channel
}

// Submission is a user pressing Submit on an opened modal.
type Submission struct {
	UserID string // default: the user whose trigger opened the view
	ViewID string // from an opened view; its callback_id and private_metadata are sent back
	// Values: block_id -> action_id -> element state, e.g.
	// {"people_block":{"people":{"type":"multi_users_select","selected_users":["U1"]}}}.
	// Input blocks left out are sent empty, as Slack does. An external
	// select's selected_option needs only its value: it must be one the
	// menu offered (Suggest) or its initial_option, whose text is filled in.
	Values map[string]map[string]any
}

// SendInteractive sends payload, marshalled as is, in an "interactive"
// envelope and waits for the ack. If payload is a map[string]any without a
// trigger_id, a fresh one is set. A trigger_id in the payload is registered so
// that views.open accepts it.
func (s *Server) SendInteractive(ctx context.Context, payload any) (Sent, Ack, error) {
	if m, ok := payload.(map[string]any); ok {
		if t, _ := m["trigger_id"].(string); t == "" {
			m = maps.Clone(m)
			s.mu.Lock()
			m["trigger_id"] = s.mintTrigger(userIDOf(m))
			s.mu.Unlock()
			payload = m
		}
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return Sent{}, Ack{}, fmt.Errorf("slackfake: marshal interactive payload: %w", err)
	}
	var head struct {
		Type        string `json:"type"`
		TriggerID   string `json:"trigger_id"`
		ResponseURL string `json:"response_url"`
		User        struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	_ = json.Unmarshal(raw, &head) // any JSON is sent; only objects say anything about themselves
	s.mu.Lock()
	if head.TriggerID != "" {
		if _, known := s.triggers[head.TriggerID]; !known {
			s.triggers[head.TriggerID] = &trigger{issued: time.Now(), userID: head.User.ID}
		}
	}
	s.mu.Unlock()
	return s.interact(ctx, raw, head.Type, Sent{TriggerID: head.TriggerID, ResponseURL: head.ResponseURL})
}

func userIDOf(m map[string]any) string {
	if u, ok := m["user"].(map[string]any); ok {
		id, _ := u["id"].(string)
		return id
	}
	return ""
}

// interact sends an interactive envelope and waits for its ack.
func (s *Server) interact(ctx context.Context, payload json.RawMessage, typ string, sent Sent) (Sent, Ack, error) {
	s.mu.Lock()
	accepts := typ == "view_submission" || typ == "block_suggestion"
	sent.EnvelopeID = s.newEnvelope("interactive", payload, accepts, sent.TriggerID)
	s.mu.Unlock()
	if err := s.deliver(ctx, sent.EnvelopeID); err != nil {
		return sent, Ack{}, err
	}
	s.redeliverUnacked(sent.EnvelopeID)
	ack, err := s.WaitAck(ctx, sent.EnvelopeID)
	return sent, ack, err
}

// ClickButton sends a block_actions payload for a button in a message and
// waits for the ack. When the message is one the bot posted, the button must
// exist in it (by action_id); its text, type and value are taken from it.
func (s *Server) ClickButton(ctx context.Context, b Click) (Sent, Ack, error) {
	if b.UserID == "" || b.ChannelID == "" || b.ActionID == "" {
		return Sent{}, Ack{}, errors.New("slackfake: a click needs UserID, ChannelID and ActionID")
	}
	s.mu.Lock()
	msg := s.findMessage(b.ChannelID, b.MessageTS)
	ts := b.MessageTS
	if ts == "" {
		if msg != nil {
			ts = msg.TS
		} else {
			ts = s.mintTS()
		}
	}
	action := map[string]any{
		"action_id": b.ActionID,
		"block_id":  b.BlockID,
		"type":      "button",
		"text":      map[string]any{"type": "plain_text", "text": "Button", "emoji": true},
		"value":     b.Value,
		"action_ts": s.mintTS(),
	}
	message := map[string]any{"type": "message", "ts": ts, "text": ""}
	ephemeral := false
	if msg != nil {
		message = s.messageJSON(msg.Text, msg.Blocks, msg.TS, msg.ThreadTS)
		ephemeral = msg.Kind == "ephemeral" || (msg.Kind == "response" && msg.ResponseType == "ephemeral")
		if len(msg.Blocks) > 0 {
			el, blockID, found := findElement(msg.Blocks, b.ActionID)
			if !found {
				s.mu.Unlock()
				return Sent{}, Ack{}, fmt.Errorf("slackfake: message %s has no element with action_id %q", msg.TS, b.ActionID)
			}
			if t, ok := el["type"].(string); ok {
				action["type"] = t
			}
			if t, ok := el["text"]; ok {
				action["text"] = t
			}
			if b.Value == "" {
				if v, ok := el["value"].(string); ok {
					action["value"] = v
				}
			}
			if b.BlockID == "" {
				action["block_id"] = blockID
			}
		}
	}
	sent := Sent{TriggerID: s.mintTrigger(b.UserID), ResponseURL: b.ResponseURL}
	if sent.ResponseURL == "" {
		sent.ResponseURL = s.mintResponseURL(b.ChannelID, b.UserID)
	}
	payload := mustJSON(map[string]any{
		"type":       "block_actions",
		"user":       s.userRef(b.UserID),
		"api_app_id": appID,
		"token":      verificationToken,
		"container": map[string]any{
			"type": "message", "message_ts": ts, "channel_id": b.ChannelID, "is_ephemeral": ephemeral,
		},
		"trigger_id":            sent.TriggerID,
		"team":                  s.teamRef(),
		"enterprise":            nil,
		"is_enterprise_install": false,
		"channel":               map[string]any{"id": b.ChannelID, "name": s.channelName(b.ChannelID)},
		"message":               message,
		"state":                 map[string]any{"values": map[string]any{}},
		"response_url":          sent.ResponseURL,
		"actions":               []any{action},
	})
	s.mu.Unlock()
	return s.interact(ctx, payload, "block_actions", sent)
}

// SubmitView sends a view_submission for an open view and waits for the ack.
// The ack then acts on the view as in Slack: an empty ack or "clear" closes
// it, "errors" keeps it open, "update" replaces it, "push" opens another.
func (s *Server) SubmitView(ctx context.Context, v Submission) (Sent, Ack, error) {
	s.mu.Lock()
	vw, ok := s.viewByID[v.ViewID]
	if !ok {
		s.mu.Unlock()
		return Sent{}, Ack{}, fmt.Errorf("slackfake: unknown view %q", v.ViewID)
	}
	if !vw.open {
		s.mu.Unlock()
		return Sent{}, Ack{}, fmt.Errorf("slackfake: view %s is closed", v.ViewID)
	}
	user := v.UserID
	if user == "" {
		user = vw.userID
	}
	if user == "" {
		s.mu.Unlock()
		return Sent{}, Ack{}, fmt.Errorf("slackfake: view %s: no user to submit as", v.ViewID)
	}
	values, err := stateValues(vw.full["blocks"], v.Values)
	if err == nil {
		err = vw.chosenOptions(values)
	}
	if err != nil {
		s.mu.Unlock()
		return Sent{}, Ack{}, fmt.Errorf("slackfake: view %s: %w", v.ViewID, err)
	}
	full := maps.Clone(vw.full)
	full["state"] = map[string]any{"values": values}
	sent := Sent{TriggerID: s.mintTrigger(user)}
	payload := mustJSON(map[string]any{
		"type":                  "view_submission",
		"team":                  s.teamRef(),
		"user":                  s.userRef(user),
		"api_app_id":            appID,
		"token":                 verificationToken,
		"trigger_id":            sent.TriggerID,
		"view":                  full,
		"response_urls":         []any{},
		"is_enterprise_install": false,
		"enterprise":            nil,
	})
	s.mu.Unlock()
	sent, ack, err := s.interact(ctx, payload, "view_submission", sent)
	if err == nil {
		s.applySubmissionAck(vw, user, ack.Payload)
	}
	return sent, ack, err
}

// applySubmissionAck applies a view_submission ack's response_action.
func (s *Server) applySubmissionAck(vw *view, user string, payload json.RawMessage) {
	var resp struct {
		ResponseAction string          `json:"response_action"`
		View           json.RawMessage `json:"view"`
	}
	_ = json.Unmarshal(payload, &resp) // not JSON: Slack shows an error, the modal stays as it is
	s.mu.Lock()
	defer s.mu.Unlock()
	switch resp.ResponseAction {
	case "", "clear":
		if len(payload) > 0 && resp.ResponseAction == "" {
			return // an unrecognised payload: the modal stays open
		}
		for _, other := range s.views {
			if other == vw || (resp.ResponseAction == "clear" && other.userID == user) {
				other.open = false
			}
		}
	case "update":
		if decoded, msgs := validateView(resp.View, "modal"); len(msgs) == 0 {
			s.replaceView(vw, resp.View, decoded)
		}
	case "push":
		if decoded, msgs := validateView(resp.View, "modal"); len(msgs) == 0 {
			pushed := s.addView(resp.View, decoded, "", user)
			pushed.full["previous_view_id"] = vw.rec.ID
			pushed.full["root_view_id"] = vw.full["root_view_id"]
		}
	}
	notify(&s.viewChanged)
}

// GlobalShortcut sends a "shortcut" payload (a global shortcut) and waits for the ack.
func (s *Server) GlobalShortcut(ctx context.Context, userID, callbackID string) (Sent, Ack, error) {
	if userID == "" || callbackID == "" {
		return Sent{}, Ack{}, errors.New("slackfake: a shortcut needs a user and a callback ID")
	}
	s.mu.Lock()
	sent := Sent{TriggerID: s.mintTrigger(userID)}
	payload := mustJSON(map[string]any{
		"type":                  "shortcut",
		"token":                 verificationToken,
		"action_ts":             s.mintTS(),
		"team":                  s.teamRef(),
		"user":                  s.userRef(userID),
		"is_enterprise_install": false,
		"enterprise":            nil,
		"callback_id":           callbackID,
		"trigger_id":            sent.TriggerID,
	})
	s.mu.Unlock()
	return s.interact(ctx, payload, "shortcut", sent)
}

// MessageShortcut sends a "message_action" payload for the message messageTS
// in channelID (a bot message or a seeded thread message) and waits for the ack.
func (s *Server) MessageShortcut(ctx context.Context, userID, channelID, callbackID, messageTS string) (Sent, Ack, error) {
	if userID == "" || channelID == "" || callbackID == "" || messageTS == "" {
		return Sent{}, Ack{}, errors.New("slackfake: a message shortcut needs a user, channel, callback ID and message ts")
	}
	s.mu.Lock()
	message := map[string]any{"type": "message", "ts": messageTS, "text": ""}
	if msg := s.findMessage(channelID, messageTS); msg != nil {
		message = s.messageJSON(msg.Text, msg.Blocks, msg.TS, msg.ThreadTS)
	} else if tm, parent, n, ok := s.findThreadMessage(channelID, messageTS); ok {
		// "the full structure of the message" (shortcuts payload reference,
		// https://api.slack.com/reference/interaction-payloads/shortcuts):
		// a thread's parent carries who replied, a reply its parent's
		// author, as conversations.replies shows them.
		message = map[string]any{"type": "message", "user": tm.User, "text": tm.Text, "ts": tm.TS, "thread_ts": parent, "team": s.cfg.TeamID}
		thread := s.threads[channelID+"/"+parent]
		if tm.TS == parent {
			var replyUsers []string
			for _, m := range thread {
				if m.TS != parent && !slices.Contains(replyUsers, m.User) {
					replyUsers = append(replyUsers, m.User)
				}
			}
			message["reply_count"] = n - 1
			message["reply_users"] = replyUsers
			message["reply_users_count"] = len(replyUsers)
		} else {
			message["parent_user_id"] = threadParentUser(thread, parent)
		}
	}
	sent := Sent{TriggerID: s.mintTrigger(userID), ResponseURL: s.mintResponseURL(channelID, userID)}
	payload := mustJSON(map[string]any{
		"type":                  "message_action",
		"token":                 verificationToken,
		"action_ts":             s.mintTS(),
		"team":                  s.teamRef(),
		"user":                  s.userRef(userID),
		"channel":               map[string]any{"id": channelID, "name": s.channelName(channelID)},
		"is_enterprise_install": false,
		"enterprise":            nil,
		"callback_id":           callbackID,
		"trigger_id":            sent.TriggerID,
		"message_ts":            messageTS,
		"message":               message,
		"response_url":          sent.ResponseURL,
	})
	s.mu.Unlock()
	return s.interact(ctx, payload, "message_action", sent)
}

// userRef is the "user" object of interactive payloads; s.mu must be held.
func (s *Server) userRef(id string) map[string]any {
	name := s.userName(id)
	return map[string]any{"id": id, "username": name, "name": name, "team_id": s.cfg.TeamID}
}

func (s *Server) teamRef() map[string]any {
	return map[string]any{"id": s.cfg.TeamID, "domain": teamDomain}
}

// findMessage returns the newest recorded message with ts in channelID, or
// with ts == "" the newest message in channelID; s.mu must be held.
func (s *Server) findMessage(channelID, ts string) *Message {
	for i := len(s.messages) - 1; i >= 0; i-- {
		m := &s.messages[i]
		if m.Channel == channelID && (ts == "" || m.TS == ts) {
			return m
		}
	}
	return nil
}

// findThreadMessage finds a seeded thread message; it returns the message, the
// thread's parent ts and the thread's length. s.mu must be held.
func (s *Server) findThreadMessage(channelID, ts string) (ThreadMessage, string, int, bool) {
	for key, msgs := range s.threads {
		ch, parent, _ := cutLast(key, "/")
		if ch != channelID {
			continue
		}
		for _, m := range msgs {
			if m.TS == ts {
				return m, parent, len(msgs), true
			}
		}
	}
	return ThreadMessage{}, "", 0, false
}

// findElement looks for the interactive element with actionID in blocks and
// returns it with the block_id of the block holding it.
func findElement(blocks json.RawMessage, actionID string) (map[string]any, string, bool) {
	var list []map[string]any
	if json.Unmarshal(blocks, &list) != nil {
		return nil, "", false
	}
	for _, b := range list {
		blockID, _ := b["block_id"].(string)
		if el, ok := walkForAction(b, actionID); ok {
			return el, blockID, true
		}
	}
	return nil, "", false
}

func walkForAction(v any, actionID string) (map[string]any, bool) {
	switch v := v.(type) {
	case map[string]any:
		if id, ok := v["action_id"].(string); ok && id == actionID {
			return v, true
		}
		for _, child := range v {
			if el, ok := walkForAction(child, actionID); ok {
				return el, true
			}
		}
	case []any:
		for _, child := range v {
			if el, ok := walkForAction(child, actionID); ok {
				return el, true
			}
		}
	}
	return nil, false
}

// stateValues builds view.state.values from a submission: every input block of
// the view appears, keyed by block_id and action_id, as in Slack.
func stateValues(blocks any, given map[string]map[string]any) (map[string]any, error) {
	type input struct{ actionID, typ string }
	inputs := map[string]input{}
	list, _ := blocks.([]any)
	var order []string
	for _, b := range list {
		bm, _ := b.(map[string]any)
		if bm["type"] != "input" {
			continue
		}
		blockID, _ := bm["block_id"].(string)
		el, _ := bm["element"].(map[string]any)
		actionID, _ := el["action_id"].(string)
		typ, _ := el["type"].(string)
		if blockID == "" || actionID == "" {
			continue // Slack would generate IDs the test cannot know
		}
		inputs[blockID] = input{actionID, typ}
		order = append(order, blockID)
	}
	values := map[string]any{}
	for blockID, actions := range given {
		in, ok := inputs[blockID]
		if !ok {
			return nil, fmt.Errorf("no input block %q in the view", blockID)
		}
		for actionID, state := range actions {
			if actionID != in.actionID {
				return nil, fmt.Errorf("input block %q has no element %q (it has %q)", blockID, actionID, in.actionID)
			}
			st := map[string]any{}
			if m, ok := state.(map[string]any); ok {
				maps.Copy(st, m)
			} else {
				return nil, fmt.Errorf("state of %s/%s is %T, want map[string]any", blockID, actionID, state)
			}
			if _, ok := st["type"]; !ok {
				st["type"] = in.typ
			}
			values[blockID] = map[string]any{actionID: st}
		}
	}
	for _, blockID := range order {
		if _, ok := values[blockID]; !ok {
			in := inputs[blockID]
			values[blockID] = map[string]any{in.actionID: emptyState(in.typ)}
		}
	}
	return values, nil
}

// emptyState is what Slack sends for an input left empty.
func emptyState(typ string) map[string]any {
	st := map[string]any{"type": typ}
	switch typ {
	case "multi_users_select":
		st["selected_users"] = []any{}
	case "multi_conversations_select":
		st["selected_conversations"] = []any{}
	case "multi_channels_select":
		st["selected_channels"] = []any{}
	case "multi_static_select", "multi_external_select", "checkboxes":
		st["selected_options"] = []any{}
	case "users_select":
		st["selected_user"] = nil
	case "conversations_select":
		st["selected_conversation"] = nil
	case "channels_select":
		st["selected_channel"] = nil
	case "static_select", "external_select", "radio_buttons":
		st["selected_option"] = nil
	case "datepicker":
		st["selected_date"] = nil
	case "timepicker":
		st["selected_time"] = nil
	default: // plain_text_input, number_input, email_text_input, url_text_input, …
		st["value"] = nil
	}
	return st
}
