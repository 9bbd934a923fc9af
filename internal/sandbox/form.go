package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// errCancelled is returned when the user types /cancel in a form.
var errCancelled = errors.New("form cancelled")

// field is one input of a modal, as the shell asks for it.
type field struct {
	blockID, actionID, kind, label string
	optional                       bool
	initial                        string   // text inputs
	initialUsers                   []string // user selects
}

// fields reads the inputs of a view the bot opened.
func fields(raw json.RawMessage) (title string, out []field) {
	var v struct {
		Title  struct{ Text string } `json:"title"`
		Blocks []struct {
			Type     string `json:"type"`
			BlockID  string `json:"block_id"`
			Optional bool   `json:"optional"`
			Label    struct{ Text string }
			Element  struct {
				Type          string   `json:"type"`
				ActionID      string   `json:"action_id"`
				InitialValue  string   `json:"initial_value"`
				InitialUsers  []string `json:"initial_users"`
				InitialOption *struct {
					Value string `json:"value"`
				} `json:"initial_option"`
				Options []struct {
					Text struct{ Text string } `json:"text"`
				} `json:"options"`
			} `json:"element"`
		} `json:"blocks"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return "", nil
	}
	for _, b := range v.Blocks {
		if b.Type != "input" {
			continue
		}
		label := b.Label.Text
		if b.Element.Type == "checkboxes" && len(b.Element.Options) > 0 {
			label = b.Element.Options[0].Text.Text
		}
		initial := b.Element.InitialValue
		if o := b.Element.InitialOption; o != nil {
			initial = o.Value
		}
		out = append(out, field{
			blockID: b.BlockID, actionID: b.Element.ActionID, kind: b.Element.Type, label: label,
			optional: b.Optional, initial: initial, initialUsers: b.Element.InitialUsers,
		})
	}
	return v.Title.Text, out
}

// fillForm asks for each field of an opened view on the input lines and
// submits it, asking again for the fields the bot rejects.
func (s *Shell) fillForm(ctx context.Context, view slackfake.View, lines <-chan string, rendered <-chan struct{}) error {
	title, fs := fields(view.JSON)
	s.printf("┌─ form: %s (press Enter to keep a value, /cancel to close it)\n", title)
	answers := map[string]string{}
	ask := fs
	for range 3 {
		for _, f := range ask {
			ask := s.askField
			if f.kind == "external_select" {
				ask = func(ctx context.Context, f field, lines <-chan string) (string, error) {
					return s.pick(ctx, view.ID, f, lines)
				}
			}
			v, err := ask(ctx, f, lines)
			if err != nil {
				s.printf("└─ form closed\n")
				return err
			}
			answers[f.blockID] = v
		}
		values := map[string]map[string]any{}
		for _, f := range fs {
			values[f.blockID] = map[string]any{f.actionID: s.elementState(f, answers[f.blockID])}
		}
		_, ack, err := s.w.Slack.SubmitView(ctx, slackfake.Submission{UserID: s.user, ViewID: view.ID, Values: values})
		if err != nil {
			return fmt.Errorf("submit the form: %w", err)
		}
		var resp struct {
			Errors map[string]string `json:"errors"`
		}
		if ack.Payload == nil || json.Unmarshal(ack.Payload, &resp) != nil || len(resp.Errors) == 0 {
			s.printf("└─ submitted\n")
			return s.awaitOutcome(ctx, rendered, true)
		}
		ask = nil
		var blocks []string
		for b := range resp.Errors {
			blocks = append(blocks, b)
		}
		sort.Strings(blocks)
		for _, b := range blocks {
			s.printf("│ ✗ %s\n", resp.Errors[b])
			for _, f := range fs {
				if f.blockID == b {
					ask = append(ask, f)
				}
			}
		}
	}
	s.printf("└─ form closed after three tries\n")
	return nil
}

// askField prompts for one field and reads the answer from the input.
func (s *Shell) askField(ctx context.Context, f field, lines <-chan string) (string, error) {
	def := f.initial
	switch f.kind {
	case "multi_users_select":
		var names []string
		for _, id := range f.initialUsers {
			names = append(names, s.userName(id))
		}
		def = strings.Join(names, " ")
	case "checkboxes":
		def = "no"
	}
	prompt := "│ " + f.label
	if f.kind == "checkboxes" {
		prompt += " (yes/no)"
	}
	if def != "" {
		prompt += " [" + def + "]"
	}
	if f.optional {
		prompt += " (optional)"
	}
	line, err := s.answer(ctx, prompt, lines)
	if err != nil {
		return "", err
	}
	if line == "" {
		return def, nil
	}
	if line == "-" { // clear a prefilled value
		return "", nil
	}
	return line, nil
}

// answer prompts and reads one answer from the input; /cancel closes the
// form.
func (s *Shell) answer(ctx context.Context, prompt string, lines <-chan string) (string, error) {
	s.printf("%s: ", prompt)
	var line string
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case l, ok := <-lines:
		if !ok {
			s.printf("\n")
			return "", errCancelled
		}
		line = strings.TrimSpace(l)
	}
	if !s.prompt {
		s.printf("%s\n", line) // echo scripted answers
	}
	if line == "/cancel" {
		return "", errCancelled
	}
	return line, nil
}

// pick asks for a select menu of external data as Slack shows one: what
// is typed goes to the bot (block_suggestion), its options are listed,
// and one is chosen by number. Enter keeps the option shown.
func (s *Shell) pick(ctx context.Context, viewID string, f field, lines <-chan string) (string, error) {
	prompt := "│ " + f.label + " (type to search: a number, a link or words; Enter lists all)"
	if f.initial != "" {
		prompt = "│ " + f.label + " (type to search, or Enter to keep) [" + f.initial + "]"
	}
	typed, err := s.answer(ctx, prompt, lines)
	if err != nil || typed == "" && f.initial != "" {
		return f.initial, err
	}
	opts, err := s.w.Slack.Suggest(ctx, slackfake.Suggestion{UserID: s.user, ViewID: viewID, ActionID: f.actionID, Value: typed})
	if err != nil {
		return "", fmt.Errorf("the bot's options: %w", err)
	}
	if len(opts) == 0 {
		s.printf("│   (no options)\n")
		return "", nil
	}
	group := ""
	for i, o := range opts {
		if o.Group != group {
			group = o.Group
			s.printf("│   %s\n", group)
		}
		line := fmt.Sprintf("│   %2d) %s", i+1, o.Text)
		if o.Description != "" {
			line += " — " + o.Description
		}
		s.printf("%s\n", line)
	}
	choice, err := s.answer(ctx, fmt.Sprintf("│ Choose 1–%d [1]", len(opts)), lines)
	if err != nil {
		return "", err
	}
	n := 1
	if choice != "" {
		if _, err := fmt.Sscan(choice, &n); err != nil || n < 1 || n > len(opts) {
			s.printf("│ ✗ %q is not one of the options; taking the first\n", choice)
			n = 1
		}
	}
	return opts[n-1].Value, nil
}

// elementState is what Slack sends for an element with the user's answer.
func (s *Shell) elementState(f field, answer string) map[string]any {
	switch f.kind {
	case "multi_users_select":
		users := []string{}
		for _, name := range strings.Fields(answer) {
			if u, ok := s.findUser(strings.TrimPrefix(name, "@")); ok {
				users = append(users, u.ID)
			}
		}
		return map[string]any{"type": f.kind, "selected_users": users}
	case "checkboxes":
		opts := []any{}
		if a := strings.ToLower(answer); a == "y" || a == "yes" || a == "true" {
			opts = append(opts, map[string]any{"value": "host", "text": map[string]any{"type": "plain_text", "text": f.label}})
		}
		return map[string]any{"type": f.kind, "selected_options": opts}
	case "external_select":
		if answer == "" {
			return map[string]any{"type": f.kind, "selected_option": nil}
		}
		return map[string]any{"type": f.kind, "selected_option": map[string]any{"value": answer}}
	}
	return map[string]any{"type": f.kind, "value": answer}
}

// awaitOutcome waits for the bot to report: when it started work, for its
// first message, then until it has been quiet for a moment.
func (s *Shell) awaitOutcome(ctx context.Context, rendered <-chan struct{}, working bool) error {
	if working {
		select {
		case <-rendered:
		case <-ctx.Done():
			return errors.New("the bot did not report back within 30 s")
		}
	}
	for {
		select {
		case <-rendered:
		case <-time.After(300 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}
