package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
	"github.com/meet-invite/meet-invite/internal/store"
)

// Answers from the people called. While they are being called, each
// Slack user invited gets a direct message (RingingDMs) with Join, Joining
// in 5 min, Can't make it and, when they were rung in the app and have a
// phone, Call my phone instead; their missed-call message offers the same.
// Their answer shows on the channel post next to their name and is told
// to the invoker privately, once: a post's answers are rows of its calls in
// the store, each taken once ("" → the answer) by whichever replica the
// press reached. Only the person called answers for themselves.

// answer is what someone called said from their direct message.
type answer string

const (
	answerJoining answer = "joining" // Joining in 5 min
	answerCannot  answer = "cannot"  // Can't make it
)

// reply is what a post says of one invitee besides how their call went.
type reply struct {
	answer answer
	phoned bool // their phone was rung after the app: asked for, or escalated
}

// The answer buttons (the Join button is actionJoin's link).
const (
	actionJoining = "answer_joining"
	actionCannot  = "answer_cannot"
	actionPhone   = "answer_phone"
)

// answerValue is the value of an answer button, signed (signAnswer): which
// post, which of its invitees, and who that is (only they may answer).
type answerValue struct {
	ConferenceID string `json:"c"`
	Post         string `json:"p"` // the post's key in the store: channel/ts
	Index        int    `json:"i"`
	User         string `json:"u"`
}

// answerChoices are the answers a direct message offers; zero: none.
type answerChoices struct {
	value answerValue
	phone bool // Call my phone instead
}

// choicesFor are the answers offered to invitee i of post: none to
// whoever is not a Slack user called (or is the invoker), the phone to
// whoever was rung in the app and has a phone whose phone was not rung yet.
func choicesFor(post *postRecord, i int) (answerChoices, bool) {
	iv := post.rep.Invited[i]
	if !answerable(post.inv, iv) {
		return answerChoices{}, false
	}
	_, phone := commands.OnPhone(iv)
	v := answerValue{ConferenceID: post.rep.ConferenceID, Post: post.key(), Index: i, User: iv.Person.ID}
	return answerChoices{value: v, phone: phone && !post.replyOf(i).phoned}, true
}

// answerable reports whether an invitee may answer: a Slack user called,
// not the invoker.
func answerable(inv commands.Invitation, iv commands.Invitee) bool {
	return iv.Person.ID != "" && iv.Via != commands.ViaLink && iv.Person.ID != inv.Invoker
}

// ringingMessage is the direct message to someone being called, in l.
func ringingMessage(l *lang, invoker string, rep commands.Report, choices answerChoices) message {
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(":telephone_receiver: "+callingYou(l, invoker, meetingTitle(l, rep))), nil, nil)}
	if b, ok := dmButtons(l, rep, choices); ok {
		blocks = append(blocks, b)
	}
	return message{text: callingYou(l, invoker, plainTitle(l, rep)), blocks: blocks, lang: l}
}

// dmButtons are a direct message's buttons: Join the meeting, then the
// answers offered.
func dmButtons(l *lang, rep commands.Report, choices answerChoices) (slack.Block, bool) {
	var els []slack.BlockElement
	if join, ok := joinButtonFor(l, rep); ok {
		els = append(els, join)
	}
	if choices.value.Post != "" {
		v, _ := json.Marshal(choices.value) // plain fields: cannot fail
		button := func(action, label string) *slack.ButtonBlockElement {
			return slack.NewButtonBlockElement(action, string(v), slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
		}
		els = append(els, button(actionJoining, l.t("answer.joining_button")), button(actionCannot, l.t("answer.cannot_button")))
		if choices.phone {
			els = append(els, button(actionPhone, l.t("answer.phone_button")))
		}
	}
	if len(els) == 0 {
		return nil, false
	}
	return slack.NewActionBlock("join_block", els...), true
}

// decodeAnswer reads an answer button's value; nothing in it is trusted
// that the signature and these checks do not vouch for.
func decodeAnswer(value string) (answerValue, bool) {
	var v answerValue
	if json.Unmarshal([]byte(value), &v) != nil || !commands.ValidConferenceID(v.ConferenceID) ||
		!userIDRe.MatchString(v.User) || v.Index < 0 || !strings.Contains(v.Post, "/") {
		return answerValue{}, false
	}
	return v, true
}

// sendRingingDMs sends each person being called by post the direct message
// with their answers, at Slack's pace for each conversation.
func (a *App) sendRingingDMs(log *slog.Logger, post *postRecord) {
	for i, iv := range post.rep.Invited {
		choices, ok := choicesFor(post, i)
		if !ok || iv.Via == commands.ViaLink {
			continue
		}
		m := a.mark(ringingMessage(a.langOf(context.Background(), iv.Person.ID), post.inv.Invoker, post.rep, choices))
		if _, err := a.post(iv.Person.ID, m); err != nil {
			log.Warn("could not tell someone they are being called", "slack_user", iv.Person.ID, "err", err)
		}
	}
}

// handleAnswer returns the handler of an answer button: ans, or (ans "")
// Call my phone instead.
func (a *App) handleAnswer(ans answer) buttonFunc {
	return func(lt lifetimes, log *slog.Logger, cb slack.InteractionCallback, value string) {
		ctx, cancel := context.WithTimeout(lt.work, a.cfg.InviteTimeout)
		defer cancel()
		l := a.langOf(ctx, cb.User.ID) // the presser's
		tell := func(text string) {
			t := target{channelID: cb.Channel.ID, userID: cb.User.ID, responseURL: a.hook(cb.ResponseURL)}
			if err := a.postPrivate(ctx, t, a.mark(note(l, text))); err != nil {
				log.Warn("could not answer a press of an answer button", "err", err)
			}
		}
		plain, signed := a.signer.open(signAnswer, value)
		v, ok := decodeAnswer(plain)
		if !signed || !ok {
			// Signed with another key (BUTTON_SECRET changed), or not by this bot.
			log.Warn("unreadable or unsigned answer button", "signed", signed)
			tell(l.t("answer.gone"))
			return
		}
		if cb.User.ID != v.User {
			log.Info("an answer button pressed by someone else than the person called")
			tell(l.t("answer.not_your_call"))
			return
		}
		post, err := a.answeredPost(ctx, v)
		switch {
		case err != nil:
			log.Warn("could not read the post of an answer", "err", err)
			tell(l.t("answer.not_recorded"))
			return
		case post == nil || post.isEnded(): // forgotten, or its meeting ended: nothing to join
			tell(l.t("answer.gone"))
			return
		}
		if ans == "" {
			a.answerPhone(ctx, lt.life, log, cb, post, v.Index, l, tell)
			return
		}
		won, err := a.takeRow(ctx, post, answerRow(v.Index), string(ans))
		switch {
		case err != nil:
			log.Warn("could not record an answer", "err", err)
			tell(l.t("answer.not_recorded"))
			return
		case !won:
			tell(l.t("answer.already_answered"))
			return
		}
		log.Info("someone called answered", "answer", string(ans))
		a.showReply(ctx, log, post, v.Index, func(r *reply) { r.answer = ans })
		a.tellInvoker(ctx, log, post, func(li *lang) string {
			return theyAnswered(li, ans, inviteeName(li, post.rep.Invited[v.Index]), meetingTitle(li, post.rep))
		})
		a.replaceButtons(ctx, log, cb, youAnswered(l, ans, post.inv.Invoker))
	}
}

// answerPhone rings the phone of invitee i of post, who asked for it;
// what they are told is in l. life is the following's lifetime (see
// ringPhone).
func (a *App) answerPhone(ctx, life context.Context, log *slog.Logger, cb slack.InteractionCallback, post *postRecord, i int, l *lang, tell func(string)) {
	if _, ok := commands.OnPhone(post.rep.Invited[i]); !ok {
		tell(l.t("answer.gone")) // not offered for them: a forged or stale value
		return
	}
	rep, err := a.ringPhone(ctx, life, log, post, i, cb.User.ID)
	switch {
	case errors.Is(err, errPhoneTaken):
		tell(l.t("answer.phone_already_rung"))
	case errors.Is(err, errRowUnknown):
		tell(l.t("answer.not_recorded"))
	case err != nil:
		tell(failure(l, err, post.rep.ConferenceID, l.t("answer.your_phone")))
	case len(rep.Invited) == 0:
		tell(phoneNotRung(l, skipOf(rep)))
	default:
		a.tellInvoker(ctx, log, post, func(li *lang) string {
			return theyAnswered(li, "", inviteeName(li, post.rep.Invited[i]), meetingTitle(li, post.rep))
		})
		a.replaceButtons(ctx, log, cb, ringingYourPhone(l, rep.Invited[0].Address))
	}
}

// skipOf is why a report called nobody.
func skipOf(rep commands.Report) commands.SkipReason {
	if len(rep.Skipped) > 0 {
		return rep.Skipped[0].Reason
	}
	return commands.SkipRecentlyInvited
}

// tellInvoker tells the invoker of post something privately, in their
// language: in the post's channel, else by direct message.
func (a *App) tellInvoker(ctx context.Context, log *slog.Logger, post *postRecord, say func(*lang) string) {
	t := target{channelID: post.where.channel, userID: post.inv.Invoker}
	l := a.langOf(ctx, post.inv.Invoker)
	if err := a.postPrivate(ctx, t, a.mark(note(l, say(l)))); err != nil {
		log.Warn("could not tell the invoker of an answer", "err", err)
	}
}

// replaceButtons replaces the answer buttons of the direct message pressed
// with note; its text and Join button stay.
func (a *App) replaceButtons(ctx context.Context, log *slog.Logger, cb slack.InteractionCallback, note string) {
	url := a.hook(cb.ResponseURL)
	if url == "" {
		return
	}
	blocks := mapElements(cb.Message.Blocks.BlockSet, func(el slack.BlockElement) (slack.BlockElement, bool) {
		btn, ok := el.(*slack.ButtonBlockElement)
		return el, ok && btn.ActionID == actionJoin
	})
	blocks = append(blocks, slack.NewContextBlock("", mrkdwn(note)))
	_, _, err := a.sm.PostMessageContext(ctx, "", slack.MsgOptionText(cb.Message.Text, false),
		slack.MsgOptionBlocks(blocks...), slack.MsgOptionReplaceOriginal(url))
	if err != nil {
		log.Warn("could not replace the answered direct message's buttons", "err", err)
	}
}

// Rows of a post's calls in the store besides each call's state: what
// invitee i answered, and whether their phone was rung ("" until then).
func answerRow(i int) string { return "answer/" + strconv.Itoa(i) }
func phoneRow(i int) string  { return "phone/" + strconv.Itoa(i) }

const phoneRung = "rung"

var (
	errPhoneTaken = errors.New("the phone was rung already")
	errRowUnknown = errors.New("the post keeps no such row")
)

// takeRow moves a row of post from "" to value and reports whether this
// call did: of presses racing on any replica, one wins. A post not kept in
// the store (it could not be) takes it in memory.
func (a *App) takeRow(ctx context.Context, post *postRecord, row, value string) (bool, error) {
	if !post.saved.Load() {
		post.mu.Lock()
		defer post.mu.Unlock()
		if post.taken[row] {
			return false, nil
		}
		if post.taken == nil {
			post.taken = map[string]bool{}
		}
		post.taken[row] = true
		return true, nil
	}
	return a.store.SetCallState(ctx, post.key(), row, "", value)
}

// untakeRow gives a row taken by takeRow back, when what it was taken for
// did not happen.
func (a *App) untakeRow(ctx context.Context, post *postRecord, row, value string) {
	if !post.saved.Load() {
		post.mu.Lock()
		defer post.mu.Unlock()
		delete(post.taken, row)
		return
	}
	if _, err := a.store.SetCallState(context.WithoutCancel(ctx), post.key(), row, value, ""); err != nil {
		a.log.Warn("could not give back a post's row", "row", row, "err", err)
	}
}

// answeredPost finds the post an answer is about: this process's own
// (with the answers other replicas recorded, and marked ended if another
// saw its meeting end), else the store's; nil when it is gone. It also
// checks that v names the invitee it says.
func (a *App) answeredPost(ctx context.Context, v answerValue) (*postRecord, error) {
	post := a.localPost(v.ConferenceID, v.Post)
	if post == nil || post.saved.Load() {
		sf, ok, err := a.store.LoadFollow(ctx, v.Post)
		if err != nil || !ok {
			return post, err
		}
		switch {
		case post == nil:
			if post, _, err = a.storedPost(ctx, sf.Follow); err != nil {
				return nil, err
			}
			post.ended, post.elsewhere = sf.Ended, !sf.Finished
		case sf.Ended:
			a.markPostEnded(ctx, post, false) // the process that saw the end edits the post
		default:
			a.catchUp(ctx, sf.Follow)
		}
	}
	if post == nil || v.Index >= len(post.rep.Invited) || post.rep.Invited[v.Index].Person.ID != v.User {
		return nil, nil
	}
	return post, nil
}

// localPost is this process's record of a post, if it has one.
func (a *App) localPost(conferenceID, key string) *postRecord {
	a.postsMu.Lock()
	defer a.postsMu.Unlock()
	rs, _ := a.posts.Get(conferenceID)
	for _, r := range rs {
		if r.key() == key {
			return r
		}
	}
	return nil
}

// showReply changes invitee i's reply on post and shows it: the post is
// redrawn, unless another process follows it (it reads the answer from the
// store within resumeEvery, see catchUp).
func (a *App) showReply(ctx context.Context, log *slog.Logger, post *postRecord, i int, change func(*reply)) {
	post.mu.Lock()
	defer post.mu.Unlock()
	change(&post.ensureReplies()[i])
	if !post.elsewhere {
		a.updatePost(ctx, log, post.where, a.mark(post.message()))
	}
}

// ensureReplies makes the post's replies, one per invitee. post.mu is held.
func (r *postRecord) ensureReplies() []reply {
	if r.replies == nil {
		r.replies = make([]reply, len(r.rep.Invited))
	}
	return r.replies
}

// replyOf is invitee i's reply.
func (r *postRecord) replyOf(i int) reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i < len(r.replies) {
		return r.replies[i]
	}
	return reply{}
}

// message is the post as it now stands, in its language. post.mu is held.
func (r *postRecord) message() message {
	l := r.lang
	if l == nil {
		l = langs[0]
	}
	if r.ended {
		return withCallBlock(endedMessage(l, r.inv, r.rep, r.states, r.replies), r.callID)
	}
	return withCallBlock(callsMessage(l, r.inv, r.rep, r.base(), r.replies), r.callID)
}

// mergeReplies adds to the post's replies what the store says (others'
// answers) and returns the invitees whose phones were newly rung, and
// whether anything changed. post.mu must not be held.
func (r *postRecord) mergeReplies(stored []reply) (phoned []int, changed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, s := range stored {
		if s == (reply{}) {
			continue
		}
		mine := &r.ensureReplies()[i]
		if mine.answer == "" && s.answer != "" {
			mine.answer, changed = s.answer, true
		}
		if !mine.phoned && s.phoned {
			mine.phoned, changed = true, true
			phoned = append(phoned, i)
		}
	}
	return phoned, changed
}

// repliesFromStore reads the replies of a post's n invitees from its rows
// in the store (nil when there are none).
func repliesFromStore(calls []store.Call, n int) []reply {
	var out []reply
	for _, c := range calls {
		row, value := c.Person, c.State
		kind, index, ok := strings.Cut(row, "/")
		i, err := strconv.Atoi(index)
		if !ok || err != nil || i < 0 || i >= n || value == "" {
			continue
		}
		if out == nil {
			out = make([]reply, n)
		}
		switch kind {
		case "answer":
			out[i].answer = answer(value)
		case "phone":
			out[i].phoned = value == phoneRung
		}
	}
	return out
}

// meetingErrUnknown reports whether a failed call may have gone out all the
// same (no answer from the meeting service).
func meetingErrUnknown(err error) bool { return errors.Is(err, meeting.ErrUnavailable) }
