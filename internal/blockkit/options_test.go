package blockkit_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/blockkit"
)

func option(text, value string) string {
	return fmt.Sprintf(`{"text":%s,"value":%q}`, plain(text), value)
}

func options(opts ...string) []byte { return []byte(`{"options":[` + strings.Join(opts, ",") + `]}`) }

// TestCheckOptions walks the limits of a block_suggestion answer at their
// edges.
func TestCheckOptions(t *testing.T) {
	t.Parallel()
	group := func(label string, opts ...string) string {
		return fmt.Sprintf(`{"label":%s,"options":[%s]}`, plain(label), strings.Join(opts, ","))
	}
	ok := option("Weekly sync · 914 083 136", "914083136")
	tests := []struct {
		name    string
		payload []byte
		problem string // "" when it passes
	}{
		{name: "no options", payload: []byte(`{"options":[]}`)},
		{name: "100 options", payload: options(repeat(ok, 100)...)},
		{name: "101 options", payload: options(repeat(ok, 101)...), problem: "no more than 100 items allowed [json-pointer:/options]"},
		{name: "text of 75", payload: options(option(strings.Repeat("x", 75), "1"))},
		{name: "text of 76", payload: options(option(strings.Repeat("x", 76), "1")), problem: "must be less than 76 characters [json-pointer:/options/0/text/text]"},
		{name: "mrkdwn text", payload: options(fmt.Sprintf(`{"text":%s,"value":"1"}`, mrkdwn("x"))), problem: "must be plain_text [json-pointer:/options/0/text/type]"},
		{name: "value of 150", payload: options(option("x", strings.Repeat("9", 150)))},
		{name: "value of 151", payload: options(option("x", strings.Repeat("9", 151))), problem: "must be less than 151 characters [json-pointer:/options/0/value]"},
		{name: "no value", payload: options(fmt.Sprintf(`{"text":%s}`, plain("x"))), problem: "missing required field: value [json-pointer:/options/0/value]"},
		{name: "description of 76", payload: options(fmt.Sprintf(`{"text":%s,"value":"1","description":%s}`, plain("x"), plain(strings.Repeat("d", 76)))),
			problem: "must be less than 76 characters [json-pointer:/options/0/description/text]"},
		{name: "groups", payload: []byte(`{"option_groups":[` + group("Yours", ok) + `,` + group("Running", ok, ok) + `]}`)},
		{name: "group label of 76", payload: []byte(`{"option_groups":[` + group(strings.Repeat("l", 76), ok) + `]}`),
			problem: "must be less than 76 characters [json-pointer:/option_groups/0/label/text]"},
		{name: "101 groups", payload: []byte(`{"option_groups":[` + strings.Join(repeat(group("g", ok), 101), ",") + `]}`),
			problem: "no more than 100 items allowed [json-pointer:/option_groups]"},
		{name: "an empty group", payload: []byte(`{"option_groups":[{"label":` + plain("g") + `,"options":[]}]}`),
			problem: "must be a non-empty array [json-pointer:/option_groups/0/options]"},
		{name: "both", payload: []byte(`{"options":[],"option_groups":[]}`), problem: "must provide either options or option_groups, not both [json-pointer:/]"},
		{name: "not an object", payload: []byte(`[]`), problem: "must be a JSON object [json-pointer:/]"},
		{name: "neither", payload: []byte(`{}`), problem: "must provide either options or option_groups [json-pointer:/]"},
		{name: "no groups", payload: []byte(`{"option_groups":[]}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := blockkit.CheckOptions(tt.payload)
			if tt.problem == "" {
				require.NoError(t, err)
				return
			}
			var e *blockkit.Error
			require.ErrorAs(t, err, &e)
			assert.Contains(t, e.Problems, tt.problem)
		})
	}
}

// TestCheckBlocksExternalSelect checks the external_select element in an
// input block of a modal.
func TestCheckBlocksExternalSelect(t *testing.T) {
	t.Parallel()
	input := func(el string) []byte {
		return list(`{"type":"input","block_id":"b","label":` + plain("Meeting") + `,"element":` + el + `}`)
	}
	assert.NoError(t, blockkit.CheckBlocks(blockkit.Modal, input(`{"type":"external_select","action_id":"m","placeholder":`+
		plain(strings.Repeat("p", 150))+`,"min_query_length":0,"initial_option":`+option("Meeting 914 083 136", "914083136")+`}`)))
	for _, tt := range []struct{ el, problem string }{
		{`{"type":"external_select","action_id":"m","placeholder":` + plain(strings.Repeat("p", 151)) + `}`,
			"must be less than 151 characters [json-pointer:/blocks/0/element/placeholder/text]"},
		{`{"type":"external_select","action_id":"m","min_query_length":-1}`,
			"must be a non-negative integer [json-pointer:/blocks/0/element/min_query_length]"},
		{`{"type":"external_select","action_id":"m","initial_option":` + option(strings.Repeat("t", 76), "1") + `}`,
			"must be less than 76 characters [json-pointer:/blocks/0/element/initial_option/text/text]"},
	} {
		var e *blockkit.Error
		require.ErrorAs(t, blockkit.CheckBlocks(blockkit.Modal, input(tt.el)), &e, tt.el)
		assert.Contains(t, e.Problems, tt.problem)
	}
}
