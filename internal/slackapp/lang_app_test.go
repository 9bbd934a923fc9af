package slackapp_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/slackapp"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// Someone whose Slack is in es-ES reads what only they see in Spanish,
// while the channel's post stays in DEFAULT_LOCALE, which the channel
// shares. An acknowledgement never waits for Slack: the first, before
// their language is known, is in DEFAULT_LOCALE; the next are in theirs.
func TestPrivateNotesInTheUsersLanguageChannelPostsInTheDefault(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, defaultLocale string
		ack, post           string
	}{
		{"default English", "", "Inviting 2 people to meeting " + running + "…",
			"<@UELENA> invited 1 person to Weekly sync (meeting " + running + ")."},
		{"default Chinese", "zh-CN", "正在邀请 2 人加入会议 " + running + "…",
			"<@UELENA> 邀请了 1 人加入 Weekly sync (会议 " + running + ")。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := startApp(t, slackapp.Config{DefaultLocale: tt.defaultLocale})
			cmd := slackfake.Command{UserID: "UELENA", ChannelID: "CGENERAL", Text: running + " <@UCROWD0001> <@UNOBODY>"}
			_, ack, err := a.slack.SlashCommand(t.Context(), cmd)
			require.NoError(t, err)
			assert.Equal(t, tt.ack, ackText(t, ack), "the first ack, in DEFAULT_LOCALE")

			msgs := a.waitMessages(t, 2)
			assert.Equal(t, "post", msgs[0].Kind)
			assert.Equal(t, "CGENERAL", msgs[0].Channel)
			assert.Contains(t, msgs[0].Text, tt.post, "the channel's post is in DEFAULT_LOCALE")
			assert.NotEqual(t, "post", msgs[1].Kind, "the note is private")
			assert.Equal(t, "No he podido invitar a 1 persona a la reunión "+running+":\n• <@UNOBODY> — no he encontrado a esta persona en Slack.", msgs[1].Text)

			_, ack, err = a.slack.SlashCommand(t.Context(), slackfake.Command{UserID: "UELENA", ChannelID: "CGENERAL", Text: "help"})
			require.NoError(t, err)
			assert.Contains(t, ackText(t, ack), "*meet-invite* trae a tus compañeros a una reunión de Huawei Cloud Meeting",
				"the next ack, in her language")
		})
	}
}

// The form follows whoever opens it: its labels are in their language, and
// so are the errors of its submission.
func TestTheFormIsInItsOpenersLanguage(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{})
	_, ack, err := a.slack.SlashCommand(t.Context(), slackfake.Command{UserID: "UELENA", ChannelID: "CGENERAL", Text: ""})
	require.NoError(t, err)
	require.Nil(t, ack.Payload, "an empty ack, then the form")
	views, err := a.slack.WaitViews(t.Context(), 1)
	require.NoError(t, err)
	assert.Contains(t, string(views[0].JSON), `"text":"Invitar a una reunión"`)
	assert.Contains(t, string(views[0].JSON), `"text":"Reunión"`)

	_, ack, err = a.slack.SubmitView(t.Context(), slackfake.Submission{ViewID: views[0].ID, Values: map[string]map[string]any{
		"meeting_block": {"meeting_id": map[string]any{"type": "plain_text_input", "value": "12"}},
	}})
	require.NoError(t, err)
	assert.Contains(t, string(ack.Payload), "Elige una reunión: escribe su número", "its errors too")
	assert.Contains(t, string(ack.Payload), "Elige al menos a una persona para invitar.")
}

// When Slack will not say someone's language, they are answered in
// DEFAULT_LOCALE, and asked again next time: a failed lookup is not
// remembered.
func TestAnUnknownLanguageIsTheDefault(t *testing.T) {
	t.Parallel()
	a := startApp(t, slackapp.Config{DefaultLocale: "es"})
	a.slack.FailNext("users.info", slackfake.Failure{Error: "fatal_error"})
	help := slackfake.Command{UserID: "UCAROL", ChannelID: "CGENERAL", Text: "help"}
	_, ack, err := a.slack.SlashCommand(t.Context(), help)
	require.NoError(t, err)
	assert.Contains(t, ackText(t, ack), "*Uso:*", "DEFAULT_LOCALE")

	// The failure is not remembered: her language is asked again after each
	// ack until Slack says it, and the acks follow.
	for deadline := time.Now().Add(10 * time.Second); ; {
		_, ack, err := a.slack.SlashCommand(t.Context(), help)
		require.NoError(t, err)
		if strings.Contains(ackText(t, ack), "*Usage:*") {
			break // Carol's en-US, once Slack says it
		}
		require.True(t, time.Now().Before(deadline), "her language was never asked again")
		time.Sleep(20 * time.Millisecond)
	}
	assert.GreaterOrEqual(t, a.slack.Calls("users.info"), 2, "asked again after the failure")
}
