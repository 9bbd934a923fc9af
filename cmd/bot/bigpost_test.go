package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// withMix adds a public channel #mix with the invoker, Alice (known to the
// meeting directory: rung in the app), phones people with a phone number,
// emails people with only an email address, noContact people with
// neither, and a bot.
func withMix(phones, emails, noContact int) option {
	return withSlack(func(c *slackfake.Config) {
		members := []string{"UCAROL", "UALICE", "UROBOT"}
		add := func(id string, u slackfake.User) {
			u.ID, u.Name = id, strings.ToLower(id)
			c.Users = append(c.Users, u)
			members = append(members, id)
		}
		for i := range phones {
			add(fmt.Sprintf("UPHONE%04d", i), slackfake.User{Phone: fmt.Sprintf("+4420794%05d", i)})
		}
		for i := range emails {
			add(fmt.Sprintf("UMAIL%04d", i), slackfake.User{Email: fmt.Sprintf("mail%04d@example.com", i)})
		}
		for i := range noContact {
			add(fmt.Sprintf("UNOC%04d", i), slackfake.User{})
		}
		c.Channels = append(c.Channels, slackfake.Channel{ID: "CMIX", Name: "mix", Members: members, BotIsMember: true})
	})
}

// TestBigInvitationsArePostedAndUpdated runs invitations of every mix (app,
// phone, email, typed numbers and addresses, people without contact
// details) at the default size and at the largest allowed, against the fake
// Slack's Block Kit limits: the post, the private note naming everyone
// skipped and the post's update must all be accepted.
func TestBigInvitationsArePostedAndUpdated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                      string
		max                       string
		phones, emails, noContact int
	}{
		{name: "default maximum", max: "50", phones: 20, emails: 15, noContact: 9},
		{name: "largest maximum", max: "200", phones: 100, emails: 60, noContact: 34},
	}
	const typed = " +442079461111 +442079462222 <mailto:x1@example.com|x1@example.com> <mailto:x2@example.com|x2@example.com>"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := startBot(t, withMix(tt.phones, tt.emails, tt.noContact),
				withEnv("INVITE_MAX_PEOPLE", tt.max), withEnv("INVITE_CONFIRM_ABOVE", tt.max), withEnv("ALLOW_DIRECT_INVITES", "true"))
			// Alice, the Slack users with a number or address, the typed numbers
			// (the bot counts towards the maximum, then is left out; the typed
			// addresses can't be rung or messaged: the invoker is to share the link).
			invited := 1 + tt.phones + tt.emails + 2

			b.command(t, "CMIX", running+" <#CMIX|mix>"+typed)
			post := b.waitMatch(t, "the post", func(m slackfake.Message) bool {
				return m.Kind == "post" && m.Channel == "CMIX" && m.ThreadTS == ""
			})
			note := b.waitMatch(t, "the private note", func(m slackfake.Message) bool { return m.Kind != "post" && m.Kind != "update" })
			assert.Contains(t, post.Text, fmt.Sprintf("invited %d people", invited))
			if more := invited - 50; more > 0 {
				assert.Contains(t, blocksText(t, post.Blocks), fmt.Sprintf("…and %d more.", more))
			}
			assert.Contains(t, blocksText(t, note.Blocks), "share it with them", "the typed addresses")
			for i := range tt.noContact {
				assert.Contains(t, blocksText(t, note.Blocks), fmt.Sprintf("<@UNOC%04d>", i), "every skipped person reaches the invoker")
			}

			require.Eventually(t, func() bool { return b.meet.Subscribers(running) == 1 }, 5*time.Second, 10*time.Millisecond,
				"the bot follows the meeting")
			require.True(t, b.meet.Answer(running, "+442079400000"), "the first phone rings")
			update := b.waitMatch(t, "the post's update", func(m slackfake.Message) bool { return m.Kind == "update" })
			assert.Contains(t, blocksText(t, update.Blocks), ":white_check_mark: <@UPHONE0000> joined", "the post's update is accepted")
			b.settle(t)
			var listed strings.Builder
			links := 0
			for _, m := range b.slack.Messages() {
				if m.TS == post.TS || m.ThreadTS == post.TS {
					listed.WriteString(blocksText(t, m.Blocks))
				}
				if m.Kind == "post" && strings.Contains(m.Text, "Huawei can't ring you") {
					links++
				}
			}
			assert.Equal(t, tt.emails, links, "every email-only person is sent the link")
			for i := range tt.phones {
				assert.Contains(t, listed.String(), fmt.Sprintf("<@UPHONE%04d>", i), "everyone invited is named in the post or its thread")
			}
		})
	}
}
