package slackapp

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// errorTable is the error table of the API reference, vendored.
const errorTable = "testdata/huawei-error-codes.md"

// TestEveryDocumentedCodeHasAMessage reads the error table of the API
// reference and checks that each code gets its own plain-language message.
func TestEveryDocumentedCodeHasAMessage(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(errorTable)
	require.NoError(t, err)
	codes := regexp.MustCompile(`(?m)^\| ((?:MMC|USG)\.\d+) \|`).FindAllStringSubmatch(string(doc), -1)
	require.Greater(t, len(codes), 40, "the table was found")
	for _, l := range langs {
		for _, c := range codes {
			code := c[1]
			err := &meeting.APIError{StatusCode: 400, Code: code, RequestID: "req-42"}
			msg := failure(l, err, "914083136", "Alice")
			assert.NotContains(t, msg, l.t("err.unknown", "Ref", "req-42"), "%s: code %s has no message of its own", l.tag, code)
			assert.NotContains(t, msg, "{", "%s: code %s: placeholder left in %q", l.tag, code, msg)
			assert.NotContains(t, msg, "no value", "%s: code %s: placeholder left in %q", l.tag, code, msg)
			assert.NotContains(t, msg, code, "%s: code %s: codes are not shown to users", l.tag, code)
		}
	}
}

func TestFailureMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{
			name: "documented code, meeting ID filled in",
			err:  fmt.Errorf("prepare: %w", &meeting.APIError{StatusCode: 400, Code: "MMC.111072005", RequestID: "r1"}),
			want: "Meeting 914083136 hasn't started yet, or has already ended. Once the host starts it, run the command again. (ref r1)",
		},
		{
			name: "internal code shows the reference once",
			err:  &meeting.APIError{StatusCode: 400, Code: "MMC.111071061", RequestID: "r2"},
			want: "Something went wrong on my side (ref r2). Please try again.",
		},
		{
			name: "unknown code: general message with the request ID",
			err:  &meeting.APIError{StatusCode: 400, Code: "MMC.999999999", RequestID: "r3"},
			want: "Something went wrong talking to the meeting service (ref r3).",
		},
		{
			name: "per-person code without a single name",
			err:  &meeting.APIError{StatusCode: 400, Code: "MMC.111071025", RequestID: "r4"},
			want: "The mobile number for one of the people isn't valid. Ask them to check it in their Slack profile. (ref r4)",
		},
		{
			name: "no error code: by category",
			err:  fmt.Errorf("invite: %w", meeting.ErrNoHostPassword),
			want: "I can't read the host password of meeting 914083136, so I can't add people to it.",
		},
		{
			name: "too many people",
			err:  &commands.TooManyError{Count: 60, Max: 50},
			want: "That's 60 people; I invite at most 50 at a time.",
		},
		{
			name: "too many people for a meeting started, its host counted",
			err:  &commands.TooManyError{Count: 51, Max: 50, Host: true},
			want: "That's 50 people, and you as host; I call at most 50 at a time, you included.",
		},
		{
			name: "more than too many people for a meeting started",
			err:  &commands.TooManyError{Count: 51, Max: 50, Host: true, AtLeast: true},
			want: "That's more than 49 people, and you as host; I call at most 50 at a time, you included.",
		},
		{
			name: "anything else",
			err:  errors.New("boom"),
			want: "Something went wrong talking to the meeting service (ref none).",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Contains(t, failure(en, tt.err, "914083136", ""), tt.want)
		})
	}
}

func TestEveryParseErrorSkipReasonAndRefusalIsExplained(t *testing.T) {
	t.Parallel()
	for _, l := range langs {
		for c := commands.CodeNoText; c <= commands.CodeStartWithMeeting; c++ {
			msg := parseProblem(l, &commands.ParseError{Code: c, Token: "x"})
			assert.NotEqual(t, l.t("parse.unreadable"), msg, "%s: parse code %d", l.tag, c)
		}
		for r := commands.SkipDeactivated; r.String() != "unknown"; r++ {
			assert.NotEqual(t, l.t("skip.unknown"), skipReason(l, r), "%s: skip reason %d", l.tag, r)
			assert.NotEqual(t, "skip."+r.String(), skipReason(l, r), "%s: skip reason %s has no message", l.tag, r)
		}
		for r := commands.RefusedChannel; r.String() != ""; r++ {
			assert.NotEqual(t, "refused."+r.String(), refusalText(l, r), "%s: refusal %s has no message", l.tag, r)
		}
	}
}
