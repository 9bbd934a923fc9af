package slackapp

import (
	"context"
	"encoding/json"
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

// inviteModal is the form, in l: meeting ID, people, role, and an
// optional host password, prefilled with whatever the user already gave.
func inviteModal(l *lang, meta modalMeta, conferenceID string, userIDs []string, host bool) slack.ModalViewRequest {
	txt := func(id string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, l.t(id), false, false)
	}
	meta.Lang = l.tag.String()

	idInput := slack.NewPlainTextInputBlockElement(slack.NewTextBlockObject(slack.PlainTextType, "914083136", false, false), actionMeeting)
	idInput.InitialValue = conferenceID
	idInput.MaxLength = 30
	meetingBlock := slack.NewInputBlock(blockMeeting, txt("modal.meeting_label"), txt("modal.meeting_hint"), idInput)

	people := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, txt("modal.people_placeholder"), actionPeople)
	people.InitialUsers = userIDs
	peopleBlock := slack.NewInputBlock(blockPeople, txt("modal.people_label"), nil, people)
	if len(meta.GroupIDs) > 0 || len(meta.ChannelIDs) > 0 {
		peopleBlock.Optional = true
	}

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
func (a *App) openModal(ctx context.Context, log *slog.Logger, triggerID string, meta modalMeta, conferenceID string, userIDs []string, host bool) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	lctx, lcancel := context.WithTimeout(ctx, time.Second)
	l := a.langOf(lctx, meta.UserID)
	lcancel()
	view := inviteModal(l, meta, conferenceID, userIDs, host)
	view.PrivateMetadata = a.signer.sign(signModal, view.PrivateMetadata)
	if _, err := a.sm.OpenViewContext(ctx, triggerID, view); err != nil {
		log.Error("could not open the invite form", "err", err)
	}
}

// submission is a validated modal.
type submission struct {
	conferenceID string
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

	id, ok := commands.NormalizeConferenceID(values[blockMeeting][actionMeeting].Value)
	if !ok {
		errs[blockMeeting] = l.t("modal.bad_meeting")
	}
	s.conferenceID = id

	s.userIDs = values[blockPeople][actionPeople].SelectedUsers
	switch {
	case len(s.userIDs) == 0 && len(meta.GroupIDs) == 0 && len(meta.ChannelIDs) == 0:
		errs[blockPeople] = l.t("modal.nobody")
	case a.cfg.MaxPeople > 0 && len(s.userIDs) > a.cfg.MaxPeople:
		errs[blockPeople] = l.n("modal.too_many", a.cfg.MaxPeople, "Chosen", len(s.userIDs))
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
		r := request{t: t, log: log, envelope: evt.Request.EnvelopeID, inv: commands.Invitation{
			ConferenceID: sub.conferenceID,
			Invoker:      cb.User.ID,
			Channel:      meta.ChannelID,
			UserIDs:      sub.userIDs,
			GroupIDs:     meta.GroupIDs,
			ChannelIDs:   meta.ChannelIDs,
			HostPassword: sub.hostPassword,
			Role:         sub.role,
		}}
		r.named = !r.inv.Expands()
		if !a.submit(lt, r, func() { a.ack(c, evt.Request, nil) }) {
			a.ack(c, evt.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{blockMeeting: shuttingDown(l)}))
		}
	}
}
