package sandbox

import (
	"encoding/json"
	"strings"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// block is the part of a Block Kit block the terminal shows.
type block struct {
	Type     string          `json:"type"`
	BlockID  string          `json:"block_id"`
	Text     *textObject     `json:"text"`
	Fields   []textObject    `json:"fields"`
	Elements json.RawMessage `json:"elements"`
	Label    *textObject     `json:"label"`
	Element  *element        `json:"element"`
	Optional bool            `json:"optional"`
	Hint     *textObject     `json:"hint"`
	CallID   string          `json:"call_id"`
}

type textObject struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type element struct {
	Type     string      `json:"type"`
	ActionID string      `json:"action_id"`
	Text     *textObject `json:"text"`
	Value    string      `json:"value"`
	Style    string      `json:"style"`
	Initial  string      `json:"initial_value"`
	Users    []string    `json:"initial_users"`
	URL      string      `json:"url"`
}

// renderBlocks turns Block Kit into readable lines: sections and context as
// text, dividers as rules, buttons as [Label](action_id), inputs as fields,
// a call as Slack draws its card (calls finds it).
func renderBlocks(raw json.RawMessage, calls []slackfake.Call) string {
	if len(raw) == 0 {
		return ""
	}
	var blocks []block
	if json.Unmarshal(raw, &blocks) != nil {
		return ""
	}
	var lines []string
	for _, b := range blocks {
		switch b.Type {
		case "section", "header":
			if b.Text != nil {
				lines = append(lines, b.Text.Text)
			}
			for _, f := range b.Fields {
				lines = append(lines, "  "+f.Text)
			}
		case "context":
			var els []textObject
			_ = json.Unmarshal(b.Elements, &els)
			var parts []string
			for _, e := range els {
				if e.Text != "" {
					parts = append(parts, e.Text)
				}
			}
			if len(parts) > 0 {
				lines = append(lines, "  "+strings.Join(parts, " "))
			}
		case "divider":
			lines = append(lines, "────────")
		case "call":
			lines = append(lines, callCard(b.CallID, calls))
		case "actions":
			var els []element
			_ = json.Unmarshal(b.Elements, &els)
			var buttons []string
			for _, e := range els {
				if e.Type == "button" && e.Text != nil {
					buttons = append(buttons, "[ "+e.Text.Text+" ]")
				}
			}
			lines = append(lines, strings.Join(buttons, "  ")+"   ← /click "+firstLabel(els))
		case "input":
			label := ""
			if b.Label != nil {
				label = b.Label.Text
			}
			lines = append(lines, "  "+label+" ["+b.BlockID+"]")
		}
	}
	return strings.Join(lines, "\n")
}

// buttonsIn lists the buttons of a message.
func buttonsIn(raw json.RawMessage) []button {
	var blocks []block
	if json.Unmarshal(raw, &blocks) != nil {
		return nil
	}
	var out []button
	for _, b := range blocks {
		if b.Type != "actions" {
			continue
		}
		var els []element
		_ = json.Unmarshal(b.Elements, &els)
		for _, e := range els {
			if e.Type == "button" && e.Text != nil {
				out = append(out, button{label: e.Text.Text, actionID: e.ActionID, url: e.URL})
			}
		}
	}
	return out
}

func firstLabel(els []element) string {
	for _, e := range els {
		if e.Type == "button" && e.Text != nil {
			return e.Text.Text
		}
	}
	return ""
}

// callCard is a call block as Slack shows it: the call's title, who is in
// it, and its Join button, or that it ended.
func callCard(id string, calls []slackfake.Call) string {
	for _, c := range calls {
		if c.ID != id {
			continue
		}
		if c.Ended {
			return "  ┊ 📞 Slack call · " + c.Title + " · ended"
		}
		var in []string
		for _, u := range c.Participants {
			in = append(in, "<@"+u.SlackID+">")
		}
		who := "nobody in it yet"
		if len(in) > 0 {
			who = "in it: " + strings.Join(in, ", ")
		}
		return "  ┊ 📞 Slack call · " + c.Title + " · " + who + " · [ Join ]"
	}
	return "  ┊ 📞 Slack call " + id
}
