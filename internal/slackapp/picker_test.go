package slackapp

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/blockkit"
	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// TestPickerOptionsFitSlacksLimits: however many running meetings, and
// however long their subjects and schedulers' names, the picker's answer
// is one Slack takes (at most 100 options, texts within their limits), the
// typed meeting and the user's own first.
func TestPickerOptionsFitSlacksLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("🎉 Quarterly business review with every region ", 5)
	var own, others []meeting.RunningMeeting
	for i := range 150 {
		m := meeting.RunningMeeting{ID: fmt.Sprint(900000000 + i), DisplayID: fmt.Sprint(900000000 + i), Subject: long,
			Scheduler: strings.Repeat("Maximiliane ", 10), StartTime: "2026-11-29 09:30"}
		if i < 20 {
			own = append(own, m)
		} else {
			others = append(others, m)
		}
	}
	typed, search := typedChoice("900 000 005")
	answer, err := json.Marshal(pickerOptions(en, typed, search, own, others))
	require.NoError(t, err)
	require.NoError(t, blockkit.CheckOptions(answer))

	var got struct {
		Groups []struct {
			Label   struct{ Text string }
			Options []struct{ Value string }
		} `json:"option_groups"`
	}
	require.NoError(t, json.Unmarshal(answer, &got))
	var labels []string
	n := 0
	for _, g := range got.Groups {
		labels = append(labels, g.Label.Text)
		n += len(g.Options)
		for _, o := range g.Options {
			if g.Label.Text != en.t("picker.group_typed") {
				assert.NotEqual(t, "900000005", o.Value, "the typed meeting is not listed twice")
			}
		}
	}
	assert.Equal(t, []string{en.t("picker.group_typed"), en.t("picker.group_yours"), en.t("picker.group_running")}, labels)
	assert.Equal(t, blockkit.MaxOptions, n)
	assert.Equal(t, "900000005", typed.value())
}

// TestTypedChoice: what is typed into the picker names a meeting as the
// command would read it; a link's key is kept only as its digest.
func TestTypedChoice(t *testing.T) {
	t.Parallel()
	key := "9505dc3349228b1ce0db8165590cc977bcff89785130fe0d"
	for _, tt := range []struct {
		typed, value, search string
	}{
		{"914 083 136", "914083136", "914 083 136"},
		{" 914-083-136 ", "914083136", "914-083-136"},
		{"https://c.meeting.huaweicloud.com/#/j/914083136/" + key, "914083136:" + commands.SecretDigest(key), "914083136"},
		{"<https://meeting.huaweicloud.com/#/j/914083136|join>", "914083136", "914083136"},
		{"weekly", "", "weekly"},
		{"12345", "", "12345"},
	} {
		c, search := typedChoice(tt.typed)
		got := ""
		if c.id != "" {
			got = c.value()
		}
		assert.Equal(t, tt.value, got, tt.typed)
		assert.Equal(t, tt.search, search, tt.typed)
		back, ok := readChoice(c.value())
		assert.Equal(t, c.id != "", ok, tt.typed)
		if ok {
			assert.Equal(t, c, back, "read back as written: %s", tt.typed)
		}
		assert.NotContains(t, c.value(), key, "the key itself never travels")
	}
}

// TestAnEmptyPickerAnswerIsAnEmptyList: with nothing to offer the answer is
// {"options":[]}, which Slack takes, not the {} slack-go would send.
func TestAnEmptyPickerAnswerIsAnEmptyList(t *testing.T) {
	t.Parallel()
	typed, search := typedChoice("nothing matches this")
	answer, err := json.Marshal(suggestionAnswer(pickerOptions(en, typed, search, nil, nil)))
	require.NoError(t, err)
	assert.JSONEq(t, `{"options":[]}`, string(answer))
	require.NoError(t, blockkit.CheckOptions(answer))
}
