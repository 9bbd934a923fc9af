package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// Block and action IDs of the invite modal. Validation errors are keyed by
// the block IDs.
const (
	blockMeeting  = "meeting_block"
	actionMeeting = "meeting_id"
	blockPeople   = "invitees_block"
	actionPeople  = "invitees"
	blockRole     = "role_block"
	actionRole    = "as_host"
	blockPassword = "password_block"
	actionPass    = "host_password"
	roleHostValue = "host"
)

// modalMeta travels in the modal's private_metadata: the view_submission
// payload carries no channel, so where to report goes along with the form.
// It is signed (trust.go) and names whom the form was opened for: the
// channel reported to is where the request came from, never a field a
// client could change.
type modalMeta struct {
	UserID      string   `json:"u,omitempty"` // whom the form was opened for
	ChannelID   string   `json:"c,omitempty"` // "" = report to the invoker directly
	ResponseURL string   `json:"r,omitempty"`
	GroupIDs    []string `json:"g,omitempty"` // user groups named in the command, invited too
	ChannelIDs  []string `json:"h,omitempty"` // channels named, whose members are invited too
	Lang        string   `json:"l,omitempty"` // the form's language, for its errors: its opener's
}

func (m modalMeta) encode() string {
	b, _ := json.Marshal(m)
	return string(b)
}

// meetingChoice is what the form's meeting picker holds: a meeting to
// start, or a meeting by its number, with the digest of a pasted link's
// key (commands.Request.LinkDigest), so that a host link is refused. It
// travels as an option's value: "now", "<id>" or "<id>:<digest>" (at most
// 20 + 1 + 64 characters, within an option value's 150).
type meetingChoice struct {
	start  bool
	id     string
	digest string
}

const startValue = "now"

func (m meetingChoice) value() string {
	switch {
	case m.start:
		return startValue
	case m.digest != "":
		return m.id + ":" + m.digest
	}
	return m.id
}

// readChoice reads a picker's value back. It comes from the client, so it
// is checked as typed text would be: a valid meeting ID, a SHA-256 digest.
func readChoice(v string) (meetingChoice, bool) {
	if v == startValue {
		return meetingChoice{start: true}, true
	}
	id, digest, _ := strings.Cut(v, ":")
	if !commands.ValidConferenceID(id) || digest != "" && (len(digest) != 64 || strings.Trim(digest, "0123456789abcdef") != "") {
		return meetingChoice{}, false
	}
	return meetingChoice{id: id, digest: digest}, true
}

// choiceOf is the picker's choice for what a command or a button named.
func choiceOf(inv commands.Invitation) meetingChoice {
	return meetingChoice{start: inv.Start, id: inv.ConferenceID, digest: inv.LinkDigest}
}

// option shows the choice in the picker, in l; ok is false for no choice.
func (m meetingChoice) option(l *lang) (*slack.OptionBlockObject, bool) {
	switch {
	case m.start:
		return slack.NewOptionBlockObject(startValue, plain(l.t("picker.start_now")), plain(l.t("picker.start_now_detail"))), true
	case m.id != "":
		return slack.NewOptionBlockObject(m.value(), plain(pickerTyped(l, m.id)), nil), true
	}
	return nil, false
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

// inviteModal is the form, in l: the meeting (picked from the running
// ones, typed, or to be started), people, role, and an optional host
// password, prefilled with whatever the user already gave.
func inviteModal(l *lang, meta modalMeta, choice meetingChoice, userIDs []string, host bool) slack.ModalViewRequest {
	txt := func(id string) *slack.TextBlockObject { return plain(l.t(id)) }
	meta.Lang = l.tag.String()

	// An external select: Slack asks the app for options as the user types
	// (block_suggestion, handleSuggestion), from the first character on.
	picker := slack.NewOptionsSelectBlockElement(slack.OptTypeExternal, txt("picker.placeholder"), actionMeeting)
	fromFirst := 0
	picker.MinQueryLength = &fromFirst
	if o, ok := choice.option(l); ok {
		picker.InitialOption = o
	}
	meetingBlock := slack.NewInputBlock(blockMeeting, txt("modal.meeting_label"), txt("modal.meeting_hint"), picker)

	people := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, txt("modal.people_placeholder"), actionPeople)
	people.InitialUsers = userIDs
	peopleBlock := slack.NewInputBlock(blockPeople, txt("modal.people_label"), nil, people)
	peopleBlock.Optional = true // nobody, to start a meeting alone: readSubmission asks for someone otherwise
	hostOpt := slack.NewOptionBlockObject(roleHostValue, txt("modal.host_option"), txt("modal.host_description"))
	roleBox := slack.NewCheckboxGroupsBlockElement(actionRole, hostOpt)
	if host {
		roleBox.InitialOptions = []*slack.OptionBlockObject{hostOpt}
	}
	roleBlock := slack.NewInputBlock(blockRole, txt("modal.role_label"), nil, roleBox)
	roleBlock.Optional = true

	pw := slack.NewPlainTextInputBlockElement(txt("modal.password_placeholder"), actionPass)
	pw.MaxLength = 32
	passwordBlock := slack.NewInputBlock(blockPassword, txt("modal.password_label"), txt("modal.password_hint"), pw)
	passwordBlock.Optional = true

	blocks := []slack.Block{meetingBlock, peopleBlock}
	if len(meta.GroupIDs) > 0 || len(meta.ChannelIDs) > 0 {
		var groups []string
		for _, g := range meta.GroupIDs {
			groups = append(groups, "<!subteam^"+g+">")
		}
		for _, c := range meta.ChannelIDs {
			groups = append(groups, "<#"+c+">")
		}
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(modalGroupsNote(l, strings.Join(groups, l.t("post.list_separator"))))))
	}
	blocks = append(blocks, roleBlock, passwordBlock)

	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackModal,
		Title:           txt("modal.title"),
		Submit:          txt("modal.submit"),
		Close:           txt("modal.close"),
		Blocks:          slack.Blocks{BlockSet: blocks},
		PrivateMetadata: meta.encode(),
	}
}

// openModal opens the form with a trigger, in the language of whom it is
// for. It must run right after the ack: a trigger ID expires three seconds
// after the user acted, so their language is waited for a second at most.
func (a *App) openModal(ctx context.Context, log *slog.Logger, triggerID string, meta modalMeta, choice meetingChoice, userIDs []string, host bool) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	lctx, lcancel := context.WithTimeout(ctx, time.Second)
	l := a.langOf(lctx, meta.UserID)
	lcancel()
	view := inviteModal(l, meta, choice, userIDs, host)
	view.PrivateMetadata = a.signer.sign(signModal, view.PrivateMetadata)
	if _, err := a.sm.OpenViewContext(ctx, triggerID, view); err != nil {
		log.Error("could not open the invite form", "err", err)
	}
}

// submission is a validated modal.
type submission struct {
	choice       meetingChoice
	userIDs      []string
	role         meeting.Role
	hostPassword string
}

// readSubmission validates the form. On failure it returns the errors to
// show, keyed by block ID, in l.
func (a *App) readSubmission(l *lang, v slack.View, meta modalMeta) (submission, map[string]string) {
	var values map[string]map[string]slack.BlockAction
	if v.State != nil { // a payload without state is as good as an empty form
		values = v.State.Values
	}
	errs := map[string]string{}
	var s submission

	choice, ok := readChoice(values[blockMeeting][actionMeeting].SelectedOption.Value)
	if !ok {
		errs[blockMeeting] = l.t("modal.bad_meeting")
	}
	s.choice = choice

	s.userIDs = values[blockPeople][actionPeople].SelectedUsers
	switch {
	case len(s.userIDs) == 0 && len(meta.GroupIDs) == 0 && len(meta.ChannelIDs) == 0 && !choice.start:
		errs[blockPeople] = l.t("modal.nobody")
	case a.cfg.MaxPeople > 0 && len(s.userIDs) > a.cfg.MaxPeople:
		errs[blockPeople] = modalTooManyText(l, commands.TooManyError{Count: len(s.userIDs), Max: a.cfg.MaxPeople})
	}

	for _, o := range values[blockRole][actionRole].SelectedOptions {
		if o.Value == roleHostValue {
			s.role = meeting.RoleHost
		}
	}
	s.hostPassword = strings.TrimSpace(values[blockPassword][actionPass].Value)
	if len(errs) > 0 {
		return submission{}, errs
	}
	return s, nil
}

// handleModalSubmit validates the form in the ack (errors show next to the
// fields) and, when it is valid, closes it and hands the request to the
// intake: the same steps and rules as a command, the confirmation card for
// groups and channels included.
func (a *App) handleModalSubmit(lt lifetimes) socketmode.SocketmodeHandlerFunc {
	return func(evt *socketmode.Event, c *socketmode.Client) {
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		log := a.log.With("envelope_id", evt.Request.EnvelopeID, "slack_user", cb.User.ID)
		var meta modalMeta
		plain, signed := a.signer.open(signModal, cb.View.PrivateMetadata)
		if err := json.Unmarshal([]byte(plain), &meta); !signed || err != nil || meta.UserID != cb.User.ID {
			log.Warn("form with unsigned or someone else's metadata", "signed", signed, "err", err)
			a.ack(c, evt.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{blockMeeting: a.ackLang(cb.User.ID).t("modal.stale")}))
			return
		}
		l, ok := matchLang(meta.Lang)
		if !ok {
			l = a.ackLang(cb.User.ID)
		}
		sub, errs := a.readSubmission(l, cb.View, meta)
		if errs != nil {
			a.ack(c, evt.Request, slack.NewErrorsViewSubmissionResponse(errs))
			return
		}
		t := target{channelID: meta.ChannelID, userID: cb.User.ID, responseURL: a.hook(meta.ResponseURL), kind: "modal", start: time.Now()}
		if t.channelID == "" {
			t.channelID = cb.User.ID // from a global shortcut: report in a direct message
		}
		r := request{t: t, log: log, envelope: evt.Request.EnvelopeID, inv: commands.WithHost(commands.Invitation{
			ConferenceID: sub.choice.id,
			Invoker:      cb.User.ID,
			Channel:      meta.ChannelID,
			UserIDs:      sub.userIDs,
			GroupIDs:     meta.GroupIDs,
			ChannelIDs:   meta.ChannelIDs,
			HostPassword: sub.hostPassword,
			LinkDigest:   sub.choice.digest,
			Role:         sub.role,
			Start:        sub.choice.start,
		})}
		var tooMany *commands.TooManyError
		if errors.As(a.tooBig(r.inv), &tooMany) { // the host of a meeting it starts counted
			a.ack(c, evt.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{blockPeople: modalTooManyText(l, *tooMany)}))
			return
		}
		r.named = !r.inv.Expands()
		if !a.submit(lt, r, func() { a.ack(c, evt.Request, nil) }) {
			a.ack(c, evt.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{blockMeeting: shuttingDown(l)}))
		}
	}
}
