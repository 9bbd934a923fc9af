package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"
	"unicode/utf8"

	"github.com/meet-invite/meet-invite/internal/blockkit"
)

// Suggestion is a user typing into a select menu of external data
// (external_select) in an open view: Slack sends the app a block_suggestion
// payload with what was typed, and shows the options the app answers with.
type Suggestion struct {
	UserID   string // default: the user whose trigger opened the view
	ViewID   string
	ActionID string // the menu's action_id
	Value    string // what the user typed
}

// Option is one choice a menu showed, with the label of its group ("" when
// the answer had no groups).
type Option struct {
	Group, Text, Value, Description string
}

// suggestDeadline is how long Slack waits for the answer: interaction
// payloads are to be acknowledged within 3 seconds
// (https://api.slack.com/interactivity/handling#acknowledgment_response).
const suggestDeadline = 3 * time.Second

// Suggest sends a block_suggestion payload for the external_select with
// sg.ActionID in an open view, as Slack does when the user opens the menu
// or types in it, waits for the ack, and returns the options it carried.
// As in Slack (https://api.slack.com/reference/block-kit/block-elements#external_select,
// https://api.slack.com/reference/interaction-payloads/block-suggestion,
// https://api.slack.com/interactivity/handling#payloads; over Socket Mode
// the payload comes in an "interactive" envelope that accepts a response
// payload, and the options are the ack's payload,
// https://api.slack.com/apis/connections/socket-implement):
//   - the menu must be an external_select (or multi_external_select) of the
//     view, and nothing is sent until the user typed min_query_length
//     characters (3 when the element leaves it out);
//   - the payload carries type, user, team, api_app_id, token, container
//     (the view), action_id, block_id, value and the view itself;
//   - the ack must carry {"options":[…]} or {"option_groups":[…]}, a list
//     even when nothing matches: an answer with neither, such as {}, is
//     refused (https://api.slack.com/reference/block-kit/block-elements#external_select,
//     https://tools.slack.dev/bolt-python/concepts/options); within Block
//     Kit's limits (at most 100 options or groups, option text 75, value
//     150, description 75; package blockkit); and arrive within 3 s;
//     otherwise the user sees no options, and Suggest returns an error.
//
// The options returned become the ones the user may choose: SubmitView
// accepts as an external_select's selected_option only an option offered
// here (or the element's initial_option).
func (s *Server) Suggest(ctx context.Context, sg Suggestion) ([]Option, error) {
	payload, vw, err := s.suggestionPayload(sg)
	if err != nil {
		return nil, err
	}
	_, ack, err := s.interact(ctx, payload, "block_suggestion", Sent{})
	if err != nil {
		return nil, err
	}
	if ack.Latency > suggestDeadline {
		return nil, fmt.Errorf("slackfake: block_suggestion acknowledged after %s, past Slack's %s", ack.Latency, suggestDeadline)
	}
	if err := blockkit.CheckOptions(ack.Payload); err != nil {
		return nil, fmt.Errorf("slackfake: block_suggestion answered with %s: %w", ack.Payload, err)
	}
	opts, raw := decodeOptions(ack.Payload)
	s.mu.Lock()
	defer s.mu.Unlock()
	if vw.offered == nil {
		vw.offered = map[string]map[string]any{}
	}
	for i, o := range opts {
		vw.offered[sg.ActionID+"\x00"+o.Value] = raw[i]
	}
	return opts, nil
}

// suggestionPayload builds the block_suggestion payload for sg, checking
// that Slack would send one.
func (s *Server) suggestionPayload(sg Suggestion) (json.RawMessage, *view, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vw, ok := s.viewByID[sg.ViewID]
	switch {
	case !ok:
		return nil, nil, fmt.Errorf("slackfake: unknown view %q", sg.ViewID)
	case !vw.open:
		return nil, nil, fmt.Errorf("slackfake: view %s is closed", sg.ViewID)
	}
	user := sg.UserID
	if user == "" {
		user = vw.userID
	}
	el, blockID, found := findElement(mustJSON(vw.full["blocks"]), sg.ActionID)
	if !found || el["type"] != "external_select" && el["type"] != "multi_external_select" {
		return nil, nil, fmt.Errorf("slackfake: view %s has no external select with action_id %q", sg.ViewID, sg.ActionID)
	}
	minLen := blockkit.DefaultMinQueryLength
	if n, ok := el["min_query_length"].(float64); ok {
		minLen = int(n)
	}
	if utf8.RuneCountInString(sg.Value) < minLen {
		return nil, nil, fmt.Errorf("slackfake: Slack sends no block_suggestion before %d characters are typed (min_query_length); got %q", minLen, sg.Value)
	}
	full := maps.Clone(vw.full)
	return mustJSON(map[string]any{
		"type":                  "block_suggestion",
		"user":                  s.userRef(user),
		"team":                  s.teamRef(),
		"api_app_id":            appID,
		"token":                 verificationToken,
		"container":             map[string]any{"type": "view", "view_id": vw.rec.ID},
		"action_id":             sg.ActionID,
		"block_id":              blockID,
		"value":                 sg.Value,
		"view":                  full,
		"enterprise":            nil,
		"is_enterprise_install": false,
	}), vw, nil
}

// decodeOptions flattens a checked options answer, keeping each option's
// JSON.
func decodeOptions(payload json.RawMessage) ([]Option, []map[string]any) {
	var answer struct {
		Options []map[string]any `json:"options"`
		Groups  []struct {
			Label   struct{ Text string } `json:"label"`
			Options []map[string]any      `json:"options"`
		} `json:"option_groups"`
	}
	_ = json.Unmarshal(payload, &answer) // checked by blockkit.CheckOptions
	var out []Option
	var raw []map[string]any
	add := func(group string, o map[string]any) {
		out = append(out, Option{Group: group, Text: textOf(o["text"]), Value: fmt.Sprint(o["value"]), Description: textOf(o["description"])})
		raw = append(raw, o)
	}
	for _, o := range answer.Options {
		add("", o)
	}
	for _, g := range answer.Groups {
		for _, o := range g.Options {
			add(g.Label.Text, o)
		}
	}
	return out, raw
}

func textOf(v any) string {
	t, _ := v.(map[string]any)
	s, _ := t["text"].(string)
	return s
}

// errNotOffered is the error of a submission choosing an option the menu
// never showed.
var errNotOffered = errors.New("an external select can only submit an option the app offered (block_suggestion) or its initial_option")

// chosenOptions completes the selected_option of each external_select in a
// submission's state values from the options offered, and refuses one that
// was never offered; s.mu must be held.
func (vw *view) chosenOptions(values map[string]any) error {
	for blockID, actions := range values {
		for actionID, st := range actions.(map[string]any) {
			state := st.(map[string]any)
			if state["type"] != "external_select" || state["selected_option"] == nil {
				continue
			}
			chosen, _ := state["selected_option"].(map[string]any)
			value := fmt.Sprint(chosen["value"])
			offered, ok := vw.offered[actionID+"\x00"+value]
			if !ok {
				offered, ok = vw.initialOption(actionID, value)
			}
			if !ok {
				return fmt.Errorf("%s/%s: %q: %w", blockID, actionID, value, errNotOffered)
			}
			state["selected_option"] = maps.Clone(offered)
		}
	}
	return nil
}

// initialOption returns the initial_option of the element actionID when
// its value is value.
func (vw *view) initialOption(actionID, value string) (map[string]any, bool) {
	el, _, found := findElement(mustJSON(vw.full["blocks"]), actionID)
	if !found {
		return nil, false
	}
	o, _ := el["initial_option"].(map[string]any)
	if o == nil || fmt.Sprint(o["value"]) != value {
		return nil, false
	}
	return o, true
}
