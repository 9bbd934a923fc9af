package blockkit_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/blockkit"
)

func mrkdwn(s string) string { return fmt.Sprintf(`{"type":"mrkdwn","text":%q}`, s) }
func plain(s string) string  { return fmt.Sprintf(`{"type":"plain_text","text":%q}`, s) }
func section(s string) string {
	return `{"type":"section","text":` + mrkdwn(s) + `}`
}
func context(n int, s string) string {
	els := make([]string, n)
	for i := range els {
		els[i] = mrkdwn(s)
	}
	return `{"type":"context","elements":[` + strings.Join(els, ",") + `]}`
}
func button(actionID, text, value string) string {
	return fmt.Sprintf(`{"type":"button","action_id":%q,"text":%s,"value":%q}`, actionID, plain(text), value)
}
func list(blocks ...string) []byte { return []byte("[" + strings.Join(blocks, ",") + "]") }
func repeat(b string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = b
	}
	return out
}

// TestCheckBlocks walks each documented limit at its edge: the largest
// allowed payload passes and one more character or item fails, with
// Slack's message and a pointer to the culprit.
func TestCheckBlocks(t *testing.T) {
	t.Parallel()
	x := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name    string
		surface blockkit.Surface
		blocks  []byte
		want    string // "" when valid; else a fragment of one problem
	}{
		{"section text at 3000", blockkit.Message, list(section(x(3000))), ""},
		{"section text over 3000", blockkit.Message, list(section(x(3001))), "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"},
		{"emoji count twice", blockkit.Message, list(section(x(2999) + "😀")), "must be less than 3001 characters"},
		{"empty text", blockkit.Message, list(section("")), "must be more than 0 characters"},
		{"section without text or fields", blockkit.Message, list(`{"type":"section"}`), "must provide either text or fields"},
		{"10 fields of 2000", blockkit.Message, list(`{"type":"section","fields":[` + strings.Join(repeat(mrkdwn(x(2000)), 10), ",") + `]}`), ""},
		{"11 fields", blockkit.Message, list(`{"type":"section","fields":[` + strings.Join(repeat(mrkdwn("a"), 11), ",") + `]}`), "no more than 10 items allowed [json-pointer:/blocks/0/fields]"},
		{"field over 2000", blockkit.Message, list(`{"type":"section","fields":[` + mrkdwn(x(2001)) + `]}`), "[json-pointer:/blocks/0/fields/0/text]"},
		{"a call in a message", blockkit.Message, list(`{"type":"call","call_id":"R0E69JAIF"}`), ""},
		{"a call without its ID", blockkit.Message, list(`{"type":"call"}`), "missing required field: call_id [json-pointer:/blocks/0/call_id]"},
		{"a call in a view", blockkit.Modal, list(`{"type":"call","call_id":"R0E69JAIF"}`), "only allowed in messages [json-pointer:/blocks/0/type]"},
		{"10 context elements", blockkit.Message, list(context(10, "a")), ""},
		{"11 context elements", blockkit.Message, list(context(11, "a")), "no more than 10 items allowed [json-pointer:/blocks/0/elements]"},
		{"context element over 3000", blockkit.Message, list(context(1, x(3001))), "[json-pointer:/blocks/0/elements/0/text]"},
		{"empty context", blockkit.Message, list(`{"type":"context","elements":[]}`), "must be a non-empty array"},
		{"50 blocks in a message", blockkit.Message, list(repeat(`{"type":"divider"}`, 50)...), ""},
		{"51 blocks in a message", blockkit.Message, list(repeat(`{"type":"divider"}`, 51)...), "no more than 50 items allowed [json-pointer:/blocks]"},
		{"100 blocks in a modal", blockkit.Modal, list(repeat(`{"type":"divider"}`, 100)...), ""},
		{"101 blocks in a modal", blockkit.Modal, list(repeat(`{"type":"divider"}`, 101)...), "no more than 100 items allowed"},
		{"header at 150", blockkit.Message, list(`{"type":"header","text":` + plain(x(150)) + `}`), ""},
		{"header over 150", blockkit.Message, list(`{"type":"header","text":` + plain(x(151)) + `}`), "must be less than 151 characters"},
		{"mrkdwn header", blockkit.Message, list(`{"type":"header","text":` + mrkdwn("a") + `}`), "must be plain_text"},
		{"button text at 75, value at 2000", blockkit.Message, list(`{"type":"actions","elements":[` + button("a", x(75), x(2000)) + `]}`), ""},
		{"button text over 75", blockkit.Message, list(`{"type":"actions","elements":[` + button("a", x(76), "v") + `]}`), "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]"},
		{"button value over 2000", blockkit.Message, list(`{"type":"actions","elements":[` + button("a", "ok", x(2001)) + `]}`), "must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]"},
		{"mrkdwn button", blockkit.Message, list(`{"type":"actions","elements":[{"type":"button","action_id":"a","text":` + mrkdwn("ok") + `}]}`), "must be plain_text"},
		{"button style", blockkit.Message, list(`{"type":"actions","elements":[{"type":"button","action_id":"a","style":"green","text":` + plain("ok") + `}]}`), "must be primary or danger"},
		{"duplicate action_id in a block", blockkit.Message, list(`{"type":"actions","elements":[` + button("a", "1", "") + "," + button("a", "2", "") + `]}`), `duplicate action_id "a"`},
		{"same action_id in two blocks", blockkit.Message, list(`{"type":"actions","elements":[`+button("a", "1", "")+`]}`, `{"type":"actions","elements":[`+button("a", "2", "")+`]}`), ""},
		{"26 actions", blockkit.Message, list(`{"type":"actions","elements":[` + strings.Join(func() []string {
			out := make([]string, 26)
			for i := range out {
				out[i] = button(fmt.Sprint("a", i), "b", "")
			}
			return out
		}(), ",") + `]}`), "no more than 25 items allowed"},
		{"duplicate block_id", blockkit.Message, list(`{"type":"divider","block_id":"a"}`, `{"type":"divider","block_id":"a"}`), `duplicate block_id "a"`},
		{"block_id over 255", blockkit.Message, list(`{"type":"divider","block_id":"` + x(256) + `"}`), "must be 1 to 255 characters"},
		{"unknown block type", blockkit.Message, list(`{"type":"banner"}`), "invalid block type"},
		{"block without type", blockkit.Message, list(`{"text":` + mrkdwn("x") + `}`), "invalid block type"},
		{"text object of another type", blockkit.Message, list(`{"type":"section","text":{"type":"markdown","text":"x"}}`), "must be plain_text or mrkdwn"},
		{"emoji on mrkdwn", blockkit.Message, list(`{"type":"section","text":{"type":"mrkdwn","text":"x","emoji":true}}`), "emoji is only allowed on plain_text"},
		{"input without element", blockkit.Modal, list(`{"type":"input","label":` + plain("L") + `}`), "missing required field: element"},
		{"not an array", blockkit.Message, []byte(`{"type":"section"}`), "must be an array"},
		{"not JSON", blockkit.Message, []byte(`[{"type":`), "must be a JSON array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := blockkit.CheckBlocks(tt.surface, tt.blocks)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			var e *blockkit.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, blockkit.CodeInvalidBlocks, e.Code)
			assert.Contains(t, strings.Join(e.Problems, "\n"), tt.want)
		})
	}
}

func TestCheckMessage(t *testing.T) {
	t.Parallel()
	big := func(n int) []byte { // n sections of 2,000 characters
		return list(repeat(section(strings.Repeat("x", 2000)), n)...)
	}
	tests := []struct {
		name     string
		text     string
		blocks   []byte
		wantCode string
	}{
		{name: "text at 40,000", text: strings.Repeat("x", 40000)},
		{name: "text over 40,000", text: strings.Repeat("x", 40001), wantCode: blockkit.CodeMsgTooLong},
		{name: "10,000 characters of blocks", text: "x", blocks: big(5)},
		{name: "more than 10,000 characters of blocks", text: "x", blocks: big(6), wantCode: blockkit.CodeBlocksTooLong},
		{name: "invalid blocks", text: "x", blocks: list(section("")), wantCode: blockkit.CodeInvalidBlocks},
		{name: "no blocks", text: "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := blockkit.CheckMessage(tt.text, tt.blocks)
			if tt.wantCode == "" {
				require.NoError(t, err)
				return
			}
			var e *blockkit.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.wantCode, e.Code)
		})
	}
}

func TestLenCountsUTF16(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 3, blockkit.Len("a•b"))
	assert.Equal(t, 2, blockkit.Len("😀"))
}
