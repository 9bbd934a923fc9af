package slackapp

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// This file turns what happened into words: each function picks the
// message for a case and fills it in, in the language l. The words
// themselves are in the catalogues (locales/*.toml, lang.go), English the
// source. Values put into a message are escaped here or by the caller
// (clip, code, escape).

func usage(l *lang) string    { return l.t("help.usage") }
func helpText(l *lang) string { return l.t("help.text", "Usage", usage(l)) }

func lookingYouUp(l *lang) string { return l.t("whoami.looking_you_up") }

// reachText answers whoami: how an invitation would reach the person (see
// reachSentence), and that nobody was called.
func reachText(l *lang, iv commands.Invitee, skip *commands.Skipped) string {
	return reachSentence(l, iv, skip) + "\n" + l.t("whoami.footer")
}

// reachSentence says how an invitation would reach the person, with their
// number masked, or why it could not and what would fix it.
func reachSentence(l *lang, iv commands.Invitee, skip *commands.Skipped) string {
	if skip != nil {
		switch skip.Reason {
		case commands.SkipNoContact:
			return l.t("whoami.no_contact")
		case commands.SkipBadPhone:
			return l.t("whoami.bad_phone")
		case commands.SkipLookupFailed:
			return l.t("whoami.lookup_failed")
		}
		return l.t("whoami.skipped", "Reason", skipReason(l, skip.Reason))
	}
	number := maskedNumber(l, iv.Address)
	switch iv.Via {
	case commands.ViaApp:
		return l.t("whoami.app", "Number", number)
	case commands.ViaPhone:
		if p, ok := commands.NormalizePhone(iv.Person.Phone); ok && p == iv.Address {
			return l.t("whoami.profile_phone", "Number", number)
		}
		return l.t("whoami.directory_phone", "Number", number)
	}
	return l.t("whoami.email", "Email", clip(commands.MaskEmail(iv.Address), 2*maxNameLen))
}

// maskedNumber names a phone or meeting number by its last four digits
// ("number ending in 0249"): a row of bullets is spelt out by screen
// readers.
func maskedNumber(l *lang, number string) string {
	if digits := commands.PhoneEnding(number); digits != "" {
		return l.t("number.ending", "Digits", digits)
	}
	return l.t("number.hidden")
}

// parseProblem explains a command the parser rejected, in one line.
func parseProblem(l *lang, err error) string {
	var pe *commands.ParseError
	if !errors.As(err, &pe) {
		return l.t("parse.unreadable")
	}
	switch pe.Code {
	case commands.CodeNoText:
		return l.t("parse.no_text")
	case commands.CodeNoConferenceID:
		return l.t("parse.no_conference_id")
	case commands.CodeBadConferenceID:
		return l.t("parse.bad_conference_id", "Token", code(pe.Token),
			"Min", commands.MinConferenceIDLen, "Max", commands.MaxConferenceIDLen)
	case commands.CodeTwoConferences:
		return l.t("parse.two_conferences")
	case commands.CodeNoPeople:
		return l.t("parse.no_people")
	case commands.CodeUnescapedName:
		return l.t("parse.unescaped_name", "Token", code(pe.Token))
	case commands.CodeBadPhone:
		return l.t("parse.bad_phone", "Token", code(pe.Token))
	case commands.CodeUnknownToken:
		return l.t("parse.unknown_token", "Token", code(pe.Token))
	case commands.CodeStartWithMeeting:
		return l.t("parse.start_with_meeting")
	case commands.CodeHostLink:
		return l.t("parse.host_link")
	}
	return l.t("parse.unreadable")
}

func inviting(l *lang, n int, conferenceID string) string {
	return l.n("progress.inviting", n, "ID", conferenceID)
}

func invitingGroups(l *lang, conferenceID string) string {
	return l.t("progress.looking_up_people", "ID", conferenceID)
}

// skipReason says why someone was left out, as the end of a sentence:
// the message named after the reason (skip.deactivated).
func skipReason(l *lang, r commands.SkipReason) string { return l.t("skip." + r.String()) }

// inviteeVia names an invitee with how they are reached.
func inviteeVia(l *lang, name string, v commands.Via) string {
	switch v {
	case commands.ViaApp:
		return l.t("via.app", "Name", name)
	case commands.ViaPhone:
		return l.t("via.phone", "Name", name)
	case commands.ViaLink:
		return l.t("via.link", "Name", name)
	}
	return name
}

// sentinelMessages gives the user's message for each kind of failure the
// meeting client reports, by sentinel: every documented Huawei code maps to
// one (meeting.APIError.Is), so each code gets a sentence. Its {{.ID}} is
// the meeting ID, {{.Name}} the invitee (when one), {{.Ref}} the request
// ID.
var sentinelMessages = []struct {
	err error
	id  string
}{
	{meeting.ErrNoHostPassword, "err.no_host_password"},
	{meeting.ErrInvalidAttendee, "err.invalid_attendee"},
	{meeting.ErrNotFound, "err.not_found"},
	{meeting.ErrNotStarted, "err.not_started"},
	{meeting.ErrStarting, "err.starting"},
	{meeting.ErrEnded, "err.ended"},
	{meeting.ErrHostAuth, "err.host_auth"},
	{meeting.ErrControlLocked, "err.control_locked"},
	{meeting.ErrForbidden, "err.forbidden"},
	{meeting.ErrInternal, "err.internal"},
	{meeting.ErrBadInvitee, "err.bad_invitee"},
	{meeting.ErrFull, "err.full"},
	{meeting.ErrCapacity, "err.capacity"},
	{meeting.ErrMeetingLocked, "err.meeting_locked"},
	{meeting.ErrInviteFailed, "err.invite_failed"},
	{meeting.ErrPSTNDisabled, "err.pstn_disabled"},
	{meeting.ErrCallFailed, "err.call_failed"},
	{meeting.ErrUnauthorized, "err.unauthorized"},
	{meeting.ErrRateLimited, "err.rate_limited"},
	{meeting.ErrUnavailable, "err.unavailable"},
}

// codeMessages overrides the sentinel's message for the codes that say
// something more precise than their kind of failure.
var codeMessages = map[string]string{
	"MMC.111081002": "code.MMC_111081002",
	"MMC.111070004": "code.MMC_111070004",
	"MMC.111072003": "code.MMC_111072003",
	"MMC.111071072": "code.MMC_111071072",
	"MMC.111072031": "code.MMC_111072031",
	"MMC.111072032": "code.MMC_111072032",
	"MMC.111072033": "code.MMC_111072033",
	"MMC.111072036": "code.MMC_111072036",
	"MMC.111072037": "code.MMC_111072037",
	"MMC.111071024": "code.MMC_111071024",
	"MMC.111071025": "code.MMC_111071025",
	"MMC.111071066": "code.MMC_111071066",
	"MMC.111076003": "code.MMC_111076003",
	"MMC.111076006": "code.MMC_111076006",
	"MMC.111076007": "code.MMC_111076007",
	"MMC.111076008": "code.MMC_111076008",
	"MMC.111076009": "code.MMC_111076009",
	"MMC.111076014": "code.MMC_111076014",
	"USG.201040000": "code.USG_201040000",
	"USG.201040001": "err.internal", // "user already exists": never expected from an invitation
}

// failure explains why an invitation failed as a whole. name is the
// invitee's name when there was exactly one, for per-person codes.
func failure(l *lang, err error, conferenceID, name string) string {
	if msg, ok := requestFailure(l, err); ok {
		return msg
	}
	var apiErr *meeting.APIError
	ref := ""
	if errors.As(err, &apiErr) {
		ref = apiErr.RequestID
	}
	id := "err.unknown"
	if apiErr != nil && codeMessages[apiErr.Code] != "" {
		id = codeMessages[apiErr.Code]
	} else {
		for _, s := range sentinelMessages {
			if errors.Is(err, s.err) {
				id = s.id
				break
			}
		}
	}
	if id == "err.unknown" && errors.Is(err, context.DeadlineExceeded) {
		// An invitation that ran out of INVITE_TIMEOUT on the bot's side:
		// waiting for a slot, or for Slack's rate limits.
		return l.t("err.timed_out")
	}
	if name == "" {
		name = l.t("err.someone")
	}
	name, ref = clip(name, maxNameLen), clip(ref, 80) // the request ID comes from Huawei
	if ref == "" {
		ref = l.t("err.ref_none")
	}
	msg := l.t(id, "ID", conferenceID, "Name", name, "Ref", ref)
	if ref != l.t("err.ref_none") && !strings.Contains(msg, ref) {
		msg = l.sentences(msg, l.t("err.ref", "Ref", ref))
	}
	return msg
}

// requestFailure explains the failures of the request itself (too big,
// refused, a host link, too fast, cut short), as opposed to the meeting
// service's; ok is false for those.
func requestFailure(l *lang, err error) (string, bool) {
	var (
		tooMany       *commands.TooManyError
		tooManyGroups *commands.TooManyGroupsError
		refused       *commands.RefusedError
		parseErr      *commands.ParseError
		slow          *commands.SlowDownError
		unsure        *commands.StartUnsureError
	)
	switch {
	case errors.As(err, &tooMany):
		return tooManyText(l, *tooMany), true
	case errors.As(err, &tooManyGroups):
		return l.n("limit.too_many_groups", tooManyGroups.Count, "Max", tooManyGroups.Max), true
	case errors.As(err, &refused):
		return refusalText(l, refused.Reason), true
	case errors.As(err, &parseErr): // a host link, found out once the meeting was read
		return parseProblem(l, err), true
	case errors.As(err, &slow):
		return l.n("limit.slow_down", slow.PerMinute, "Wait", waitText(l, slow.Wait)), true
	case errors.As(err, &unsure): // before context.Canceled: it may wrap one
		return startUnsure(l, unsure.Subject), true
	case errors.Is(err, context.Canceled):
		// An invite request already sent is let finish (commands.Inviter.send):
		// cancelled work never reached the meeting service.
		return l.t("err.restarting"), true
	}
	return "", false
}

// callLine says how one person's call went, for the updated channel post.
func callLine(l *lang, name string, st commands.CallState) string {
	switch st {
	case commands.CallJoined:
		return ":white_check_mark: " + l.t("call.joined", "Name", name)
	case commands.CallMissed:
		return ":x: " + l.t("call.missed", "Name", name)
	case commands.CallBusy:
		return ":x: " + l.t("call.busy", "Name", name)
	case commands.CallDeclined:
		return ":no_entry_sign: " + l.t("call.declined", "Name", name)
	case commands.CallFailed:
		return ":x: " + l.t("call.failed", "Name", name)
	case commands.CallNoPSTN:
		return ":x: " + l.t("call.no_pstn", "Name", name)
	case commands.CallNone:
		return ":email: " + l.t("call.link", "Name", name)
	}
	return ":bell: " + l.t("call.ringing", "Name", name)
}

// callsSummary ends the channel post once no call rings any more: its
// headline (invitedSummary, startedSummary) with the counts.
func callsSummary(l *lang, head string, counts map[commands.CallState]int) string {
	var parts []string
	for _, c := range []struct {
		states []commands.CallState
		id     string
	}{
		{[]commands.CallState{commands.CallJoined}, "count.joined"},
		{[]commands.CallState{commands.CallMissed}, "count.missed"},
		{[]commands.CallState{commands.CallBusy}, "count.busy"},
		{[]commands.CallState{commands.CallDeclined}, "count.declined"},
		{[]commands.CallState{commands.CallFailed, commands.CallNoPSTN}, "count.failed"},
		{[]commands.CallState{commands.CallNone}, "count.link"},
	} {
		n := 0
		for _, st := range c.states {
			n += counts[st]
		}
		if n > 0 {
			parts = append(parts, l.n(c.id, n))
		}
	}
	head = strings.TrimRight(head, ".。") // the headline's own full stop
	return l.t("post.with_results", "Head", head, "Results", strings.Join(parts, l.t("post.list_separator")))
}

// nobodyToInvite answers a request whose groups and channels hold nobody
// but the invoker and bots.
func nobodyToInvite(l *lang, conferenceID string) string {
	return l.t("note.nobody_to_invite", "ID", conferenceID)
}

// pstnNote tells the invoker that phone calls failed because the
// organisation cannot make them.
func pstnNote(l *lang, names string) string { return l.t("note.pstn", "Names", names) }

// linkSent is the direct message to someone Huawei can't ring: who is
// calling them in, and the way in.
func linkSent(l *lang, invoker, title string) string {
	return l.t("dm.link_sent", "Invoker", invoker, "Title", title)
}

// shareLink ends the invoker's note when they must share the join link.
func shareLink(l *lang, url string) string { return l.t("note.share_link", "URL", escape(url)) }

func invitedSummary(l *lang, invoker string, n int, title string) string {
	return l.n("post.invited_summary", n, "Invoker", invoker, "Title", title)
}

// moreInvited heads a thread reply listing invitees the post left out.
func moreInvited(l *lang, from, to, total int, title string) string {
	return l.n("post.also_invited", total, "From", from, "To", to, "Title", title)
}

func notInvitedHeader(l *lang, n int, conferenceID string) string {
	return l.n("note.not_invited", n, "ID", conferenceID)
}

func addMeHint(l *lang) string { return l.t("note.add_me") }

// waitText says how long to wait, in whole seconds under a minute, else
// in minutes, rounded up.
func waitText(l *lang, d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	if secs < 60 {
		return l.n("limit.seconds", max(secs, 1))
	}
	return l.n("limit.minutes", (secs+59)/60)
}

// code makes user text safe inside an inline code span: no backquote to
// end it, escaped like any mrkdwn (Slack reads <!here> inside code spans
// too), at most 60 characters.
func code(s string) string {
	return clip(strings.ReplaceAll(s, "`", "'"), 60)
}

// escape makes text from elsewhere (a meeting subject, a name) safe in mrkdwn.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func shuttingDown(l *lang) string  { return l.t("progress.shutting_down") }
func simulatedNote(l *lang) string { return l.t("note.simulated") }

// tooManyText refuses an invitation of more people than one request may
// call. The people counted are the ones asked for: the invoker, called in
// as the host of a meeting it starts, is named apart.
func tooManyText(l *lang, e commands.TooManyError) string {
	switch {
	case e.Host && e.AtLeast:
		return l.n("limit.too_many_host_at_least", e.Max-1, "Max", e.Max)
	case e.Host:
		return l.n("limit.too_many_host", e.Count-1, "Max", e.Max)
	case e.AtLeast:
		return l.n("limit.too_many_at_least", e.Max)
	}
	return l.n("limit.too_many", e.Count, "Max", e.Max)
}

// modalTooManyText is tooManyText under the form's people field: how many
// were chosen, and how many may be (one fewer when the invoker is called in
// as host).
func modalTooManyText(l *lang, e commands.TooManyError) string {
	if e.Host {
		return l.n("modal.too_many_host", e.Max-1, "Chosen", e.Count-1)
	}
	return l.n("modal.too_many", e.Max, "Chosen", e.Count)
}

func modalGroupsNote(l *lang, groups string) string {
	return l.t("modal.groups_note", "Groups", groups)
}

func joinButton(l *lang) string       { return l.t("post.join_button") }
func meetingEndedNote(l *lang) string { return ":checkered_flag: " + l.t("post.meeting_ended") }

func missedCall(l *lang, invoker, title string) string {
	return l.t("dm.missed_call", "Invoker", invoker, "Title", title)
}

func retryButton(l *lang) string { return l.t("note.retry_button") }
func retryHint(l *lang) string   { return l.t("note.retry_hint") }

// callAgainLabel is the Call again button's text for n people.
func callAgainLabel(l *lang, n int) string {
	if n == 1 {
		return l.t("post.call_again")
	}
	return l.n("post.call_again_many", n)
}

func directNotAllowed(l *lang) string { return l.t("refused.direct") }

func confirmQuestion(l *lang, n int, conferenceID string) string {
	return l.n("confirm.question", n, "ID", conferenceID)
}

func confirmYes(l *lang) string       { return l.t("confirm.yes") }
func confirmNo(l *lang) string        { return l.t("confirm.no") }
func confirmCancelled(l *lang) string { return l.t("confirm.cancelled") }
func confirmGone(l *lang) string      { return l.t("confirm.gone") }

// refusalText explains why someone may not invite: the message named
// after the refusal (refused.channel).
func refusalText(l *lang, r commands.Refusal) string {
	if r.String() == "" {
		return ""
	}
	return l.t("refused." + r.String())
}

func queuedSuffix(l *lang) string { return l.t("progress.queued_suffix") }
func queuedNote(l *lang) string   { return l.t("progress.queued_note") }

// Plain-words requests.
func reading(l *lang) string       { return l.t("progress.reading") }
func notUnderstood(l *lang) string { return l.t("words.not_understood") }
func editButton(l *lang) string    { return l.t("words.edit_button") }

func understood(l *lang, who string, host bool, conferenceID string, n int) string {
	id := "words.understood"
	if host {
		id = "words.understood_hosts"
	}
	return l.n(id, n, "Who", who, "ID", conferenceID)
}

// threadHint tells the user of the thread shortcut, in a channel the bot
// is not in, that only the people the message itself names were chosen.
func threadHint(l *lang) string { return l.t("note.thread_hint") }

// cutShortText says that a request was cut short, naming whom it was for
// (numbers masked).
func cutShortText(l *lang, inv commands.Invitation) string {
	if inv.Start {
		return cutShortStart(l)
	}
	return l.t("note.cut_short", "Names", nameList(l, invitationNames(l, inv, false)), "ID", inv.ConferenceID)
}

// notPostedNote tells the invoker privately why the outcome, which follows,
// is not in the channel: the calls went out all the same.
func notPostedNote(l *lang, channel string, err error) string {
	in := "<#" + channel + ">"
	switch postError(err) {
	case "not_in_channel", "channel_not_found":
		return addMeHint(l)
	case "is_archived":
		return l.t("note.not_posted_archived", "Channel", in)
	case "restricted_action":
		return l.t("note.not_posted_restricted", "Channel", in)
	case "ratelimited":
		return l.t("note.not_posted_rate_limited", "Channel", in)
	}
	return l.t("note.not_posted_other", "Channel", in)
}

// callTitle names a meeting's call in Slack's call card (plain text, not
// mrkdwn): its subject, else its number.
func callTitle(l *lang, rep commands.Report) string {
	if s := shownSubject(rep); s != "" {
		return s
	}
	return l.t("call_card.title", "ID", rep.ConferenceID)
}

// callingYou is the direct message to someone being called: who is calling
// them into which meeting.
func callingYou(l *lang, invoker, title string) string {
	return l.t("answer.calling_you", "Invoker", invoker, "Title", title)
}

// answerLine ends a call's line on the channel post with what the person
// answered: "🔔 @bob ringing — joining in 5 min".
func answerLine(l *lang, a answer) string {
	switch a {
	case answerJoining:
		return " — " + l.t("answer.joining")
	case answerCannot:
		return " — " + l.t("answer.cannot")
	}
	return ""
}

// replyLine says how one person's call went, for the channel post, with
// what they answered and whether their phone was rung after the app.
func replyLine(l *lang, name string, st commands.CallState, r reply) string {
	switch {
	case st == commands.CallJoined:
		return callLine(l, name, st)
	case r.phoned && st == commands.CallRinging:
		return ":iphone: " + l.t("answer.phone_ringing", "Name", name) + answerLine(l, r.answer)
	case r.phoned:
		return l.sentences(callLine(l, name, st), l.t("answer.phone_too")) + answerLine(l, r.answer)
	}
	return callLine(l, name, st) + answerLine(l, r.answer)
}

// youAnswered replaces the buttons of the direct message someone answered.
func youAnswered(l *lang, a answer, invoker string) string {
	switch a {
	case answerJoining:
		return ":white_check_mark: " + l.t("answer.you_joining", "Invoker", invoker)
	case answerCannot:
		return ":white_check_mark: " + l.t("answer.you_cannot", "Invoker", invoker)
	}
	return ""
}

// ringingYourPhone replaces the buttons of the direct message of someone
// whose phone is being rung at their request; the number by its last
// digits.
func ringingYourPhone(l *lang, number string) string {
	return ":iphone: " + l.t("answer.ringing_your_phone", "Number", maskedNumber(l, number))
}

// theyAnswered tells the invoker privately what someone they called answered.
func theyAnswered(l *lang, a answer, who, title string) string {
	switch a {
	case answerJoining:
		return l.t("answer.they_joining", "Who", who, "Title", title)
	case answerCannot:
		return l.t("answer.they_cannot", "Who", who, "Title", title)
	}
	return l.t("answer.they_phone", "Who", who, "Title", title)
}

// phoneNotRung tells someone who asked for their phone to be rung why it
// was not, and what to do.
func phoneNotRung(l *lang, r commands.SkipReason) string {
	switch r {
	case commands.SkipInMeeting:
		return l.t("answer.phone_not_rung_in_meeting")
	case commands.SkipBeingCalled:
		return l.t("answer.phone_not_rung_being_called")
	}
	return l.t("answer.phone_not_rung_recently")
}

// Starting a meeting: /meet-invite now, and "Start a meeting now" in the form.

// startingText is the ack of a request that starts a meeting: others are
// the people named to call into it besides the invoker; groups, whether
// groups or channels are to be looked up.
func startingText(l *lang, others int, groups bool) string {
	switch {
	case groups:
		return l.t("start.starting_groups")
	case others > 0:
		return l.n("start.starting_people", others)
	}
	return l.t("start.starting")
}

// startedSummary heads the channel post of a meeting started from Slack.
func startedSummary(l *lang, invoker string, others int, title string) string {
	if others == 0 {
		return l.t("start.started", "Invoker", invoker, "Title", title)
	}
	return l.n("start.started_invited", others, "Invoker", invoker, "Title", title)
}

// hostNote tells the person who started a meeting, privately, that they
// are its host, with their host link (a button) when there is one.
func hostNote(l *lang, title string, calling, withLink bool) string {
	text := []string{l.t("start.host_note", "Title", title)}
	if calling {
		text = append(text, l.t("start.host_calling"))
	}
	if withLink {
		return l.sentences(append(text, l.t("start.host_link"))...)
	}
	return l.sentences(append(text, l.t("start.host_no_link"))...)
}

func hostButton(l *lang) string { return l.t("start.host_button") }

// startFailed explains why no meeting was started.
func startFailed(l *lang, reason string) string { return l.sentences(l.t("start.failed"), reason) }

// startUnsure says that a meeting may have been started though no answer
// said so, and where the invoker finds it if it was.
func startUnsure(l *lang, subject string) string {
	yours := l.t("picker.group_yours")
	if subject == "" {
		return l.t("start.unsure", "Yours", yours)
	}
	return l.t("start.unsure_subject", "Subject", clip(subject, maxTitle), "Yours", yours)
}

// confirmStartQuestion asks before starting a meeting and calling many
// people into it.
func confirmStartQuestion(l *lang, n int) string { return l.n("start.confirm_question", n) }

// cutShortStart says that a request to start a meeting was cut short.
func cutShortStart(l *lang) string { return l.t("start.cut_short") }

// The subject of a meeting started from Slack, when START_MEETING_SUBJECT
// does not say otherwise: the channel's name, else the invoker's.
func subjectInChannel(l *lang, channel string) string {
	return l.t("start.subject_in_channel", "Channel", channel)
}
func subjectOf(l *lang, name string) string { return l.t("start.subject_of", "Name", name) }
func subjectFromSlack(l *lang) string       { return l.t("start.subject_from_slack") }

// subjectSomeone stands in START_MEETING_SUBJECT for an invoker whose name
// cannot be found.
func subjectSomeone(l *lang) string { return l.t("start.subject_someone") }

// pickerTyped offers a meeting number typed (or read from a link) as it is.
func pickerTyped(l *lang, id string) string { return l.t("picker.typed", "ID", id) }

// pickerDetail describes a running meeting in the picker: who scheduled
// it, and since when.
func pickerDetail(l *lang, scheduler, start string) string {
	switch {
	case scheduler != "" && start != "":
		return l.t("picker.detail", "Scheduler", scheduler, "Start", start)
	case start != "":
		return l.t("picker.since", "Start", start)
	}
	return scheduler
}
