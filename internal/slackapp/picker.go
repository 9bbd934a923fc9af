package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/meet-invite/meet-invite/internal/blockkit"
	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// suggestTimeout bounds the search behind one answer of the picker: Slack
// waits 3 s for the ack that carries the options
// (https://api.slack.com/interactivity/handling#acknowledgment_response).
const suggestTimeout = 2 * time.Second

// handleSuggestion answers the form's meeting picker as the user types in
// it (a block_suggestion payload, acknowledged with the options,
// https://api.slack.com/reference/interaction-payloads/block-suggestion):
// "Start a meeting now", what was typed when it names a meeting (a number,
// grouped or not, or a meeting link), then the running meetings that match
// it, the user's own first. Running meetings are listed only to whoever
// may invite from where the form was opened (its signed metadata).
func (a *App) handleSuggestion() socketmode.SocketmodeHandlerFunc {
	return func(evt *socketmode.Event, c *socketmode.Client) {
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		log := a.log.With("envelope_id", evt.Request.EnvelopeID, "slack_user", cb.User.ID)
		if cb.ActionID != actionMeeting || cb.View.CallbackID != callbackModal {
			log.Warn("options asked for a menu the bot does not have", "action", cb.ActionID)
			a.ack(c, evt.Request, noOptions())
			return
		}
		typed, search := typedChoice(cb.Value)
		var own, others []meeting.RunningMeeting
		meta, ok := a.formMeta(cb)
		l, known := matchLang(meta.Lang) // the form's
		if !known {
			l = a.def
		}
		if channel := meta.ChannelID; ok {
			ctx, cancel := context.WithTimeout(context.Background(), suggestTimeout)
			var err error
			own, others, err = a.inviter.Running(ctx, cb.User.ID, channel, search)
			cancel()
			switch {
			case errors.Is(err, commands.ErrRefused):
				log.Info("running meetings not listed: the user may not invite from here")
			case err != nil:
				log.Warn("could not list the running meetings", "err", err)
			}
		}
		a.ack(c, evt.Request, suggestionAnswer(pickerOptions(l, typed, search, own, others)))
	}
}

// emptyOptions is the answer offering nothing: an empty list, since Slack
// wants options or option_groups in every answer (blockkit.CheckOptions)
// and slack-go's types leave an empty list out ({}).
type emptyOptions struct {
	Options []*slack.OptionBlockObject `json:"options"`
}

func noOptions() emptyOptions { return emptyOptions{Options: []*slack.OptionBlockObject{}} }

// suggestionAnswer is the ack of a block_suggestion: the groups, or an
// empty list of options when there are none.
func suggestionAnswer(groups slack.OptionGroupsResponse) any {
	if len(groups.OptionGroups) == 0 {
		return noOptions()
	}
	return groups
}

// formMeta is the form's signed metadata (the channel it was opened for,
// its language); ok is false when the form is not the user's.
func (a *App) formMeta(cb slack.InteractionCallback) (modalMeta, bool) {
	plain, signed := a.signer.open(signModal, cb.View.PrivateMetadata)
	var meta modalMeta
	if err := json.Unmarshal([]byte(plain), &meta); !signed || err != nil || meta.UserID != cb.User.ID {
		return modalMeta{}, false
	}
	return meta, true
}

// typedChoice reads what was typed into the picker: the meeting it names
// (a number, grouped or not, or a meeting link, whose key's digest is kept),
// if any, and what to search the running meetings for (the number, for a
// link).
func typedChoice(typed string) (choice meetingChoice, search string) {
	typed = strings.TrimSpace(typed)
	if link, ok := commands.ParseMeetingLink(typed); ok {
		if id, ok := commands.NormalizeConferenceID(link.ID); ok {
			return meetingChoice{id: id, digest: commands.SecretDigest(link.Secret)}, id
		}
		return meetingChoice{}, link.ID
	}
	if id, ok := commands.NormalizeConferenceID(typed); ok {
		return meetingChoice{id: id}, typed
	}
	return meetingChoice{}, typed
}

// pickerOptions is the picker's answer, in groups: a new meeting (before
// anything is typed, or as its words are), the meeting typed, the user's running meetings, the
// others; at most blockkit.MaxOptions options in all, within Block Kit's
// limits for their text.
func pickerOptions(l *lang, typed meetingChoice, search string, own, others []meeting.RunningMeeting) slack.OptionGroupsResponse {
	var groups []*slack.OptionGroupBlockObject
	left := blockkit.MaxOptions
	group := func(label string, opts []*slack.OptionBlockObject) {
		opts = opts[:min(len(opts), left)]
		if len(opts) > 0 {
			groups = append(groups, slack.NewOptionGroupBlockElement(plain(label), opts...))
			left -= len(opts)
		}
	}
	if o, ok := typed.option(l); ok {
		group(l.t("picker.group_typed"), []*slack.OptionBlockObject{o})
	} else if offersStart(l, search) {
		o, _ := meetingChoice{start: true}.option(l)
		group(l.t("picker.group_new"), []*slack.OptionBlockObject{o})
	}
	group(l.t("picker.group_yours"), runningOptions(l, own, typed.id))
	group(l.t("picker.group_running"), runningOptions(l, others, typed.id))
	return slack.OptionGroupsResponse{OptionGroups: groups}
}

// offersStart reports whether the picker offers to start a meeting for
// what was typed: nothing yet, or part of the option's words (in l).
func offersStart(l *lang, typed string) bool {
	words := l.t("picker.start_now") + " " + l.t("picker.group_new")
	return strings.Contains(strings.ToLower(words), strings.ToLower(strings.TrimSpace(typed)))
}

// runningOptions shows running meetings in the picker, by the number
// people see, leaving out the one typed.
func runningOptions(l *lang, ms []meeting.RunningMeeting, typed string) []*slack.OptionBlockObject {
	var out []*slack.OptionBlockObject
	for _, m := range ms {
		if m.DisplayID == typed || m.ID == typed {
			continue
		}
		text := m.DisplayID
		if s := strings.TrimSpace(m.Subject); s != "" {
			text = cut(s, blockkit.MaxOptionText-len(m.DisplayID)-3) + " · " + m.DisplayID
		}
		var detail *slack.TextBlockObject
		if d := pickerDetail(l, strings.TrimSpace(m.Scheduler), clockOf(m.StartTime)); d != "" {
			detail = plain(cut(d, blockkit.MaxOptionDescription))
		}
		out = append(out, slack.NewOptionBlockObject(meetingChoice{id: m.DisplayID}.value(), plain(text), detail))
	}
	return out
}

// clockOf is the time of day of Huawei's "yyyy-MM-dd HH:mm", or "".
func clockOf(start string) string {
	if _, clock, ok := strings.Cut(start, " "); ok {
		return clock
	}
	return ""
}

// cut shortens plain text (no escaping: plain_text shows it as it is) to
// at most n characters, ending in "…" when cut.
func cut(s string, n int) string { return shorten(s, n, func(s string) string { return s }) }
