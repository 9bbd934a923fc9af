package commands_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/meet-invite/meet-invite/internal/commands"
)

func TestMeetingIDsIn(t *testing.T) {
	t.Parallel()
	for text, want := range map[string][]string{
		"Starting 914083136 now":                         {"914083136"},
		"Starting 914 083 136 now.":                      {"914083136"},
		"join 914-083-136, or 986030665 if that's full!": {"914083136", "986030665"},
		"link: <https://c.meeting.huaweicloud.com/#/j/914083136/9505dc3349228b1ce0db8165590cc977bcff89785130fe0d|Join> (914083136)": {"914083136"},
		"call me on +44 20 7946 0000 or <tel:+442079460000|+44 20 7946 0000>":                                                       nil,
		"my number is 020 7946 0000":                        nil,
		"the meeting is 12345, ID too short":                nil,
		"see https://example.com/#/j/914083136 for details": nil,
		"(914083136)": {"914083136"},
		"":            nil,
	} {
		assert.Equal(t, want, commands.MeetingIDsIn(text), "text %q", text)
	}
}
