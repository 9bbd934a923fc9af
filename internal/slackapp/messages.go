package slackapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/meeting"
)

// This file is the catalogue of everything the bot says. Every sentence a
// user can see is here, in English, so that a second language is one more
// file of the same shape.

const usage = "*Usage:* `/meet-invite <meeting-id> @person [@person …] [@group …]`\n" +
	"*Example:* `/meet-invite 914083136 @alice @bob`\n" +
	"Everyone mentioned is called into the running meeting: in their Huawei Cloud Meeting app when the " +
	"meeting directory knows them, otherwise on the phone number or email in their Slack profile."

const helpText = "*meet-invite* pulls colleagues into a Huawei Cloud Meeting that is running, or starts one for them.\n\n" +
	usage + "\n\n" +
	"• The meeting ID is the number shown in the meeting (`914 083 136` and `914-083-136` work too).\n" +
	"• Instead of the ID you can paste the meeting's guest link (never the host's: it gives away host rights).\n" +
	"• Mention people with `@name` or whole user groups with `@team`.\n" +
	"• `/meet-invite now @alice @bob` starts a meeting with you as its host and calls them in; `/meet-invite now` only starts it.\n" +
	"• `/meet-invite` alone opens a form where you can pick one of your running meetings, type a meeting's number, or start one.\n" +
	"• The channel sees who was invited; only you see who could not be invited and why.\n" +
	"• `/meet-invite whoami` shows how I would reach you.\n" +
	"• `/meet-invite help` shows this message."

const lookingYouUp = "Checking how I would reach you…"

// reachText answers whoami: how an invitation would reach the person (see
// reachSentence), and that nobody was called.
func reachText(iv commands.Invitee, skip *commands.Skipped) string {
	return reachSentence(iv, skip) + "\nNobody was called. `/meet-invite help` shows how to invite."
}

// reachSentence says how an invitation would reach the person, with their
// number masked, or why it could not and what would fix it.
func reachSentence(iv commands.Invitee, skip *commands.Skipped) string {
	if skip != nil {
		switch skip.Reason {
		case commands.SkipNoContact:
			return "I couldn't reach you: your Slack profile has no email or phone number, and the meeting directory doesn't know you. " +
				"Add a phone number with its country code (like +44 20 7946 0123) to your Slack profile."
		case commands.SkipBadPhone:
			return "I couldn't reach you: the phone number in your Slack profile has no country code. " +
				"Write it with one, like +44 20 7946 0123."
		case commands.SkipLookupFailed:
			return "I couldn't look you up just now. Try again in a moment."
		}
		return "I couldn't reach you: " + skipReason(skip.Reason)
	}
	switch iv.Via {
	case commands.ViaApp:
		return "I'd ring you in the Huawei Cloud Meeting app, on meeting number " + clip(commands.MaskPhone(iv.Address), maxNameLen) +
			": the meeting directory knows your Slack email."
	case commands.ViaPhone:
		if p, ok := commands.NormalizePhone(iv.Person.Phone); ok && p == iv.Address {
			return "I'd call your phone, " + clip(commands.MaskPhone(iv.Address), maxNameLen) + ", the number in your Slack profile" +
				" (the meeting directory has no meeting number for you)."
		}
		return "I'd call your phone, " + clip(commands.MaskPhone(iv.Address), maxNameLen) +
			", the mobile number the meeting directory has for your Slack email."
	}
	return "I only know your email address, " + clip(commands.MaskEmail(iv.Address), 2*maxNameLen) + ", and Huawei can't ring an email: " +
		"I'd send you the meeting's join link in a direct message instead. " +
		"To be called, add a phone number with its country code to your Slack profile, or ask an admin to add your email " +
		"to the Huawei Cloud Meeting directory."
}

// parseProblem explains a command the parser rejected, in one line.
func parseProblem(err error) string {
	var pe *commands.ParseError
	if !errors.As(err, &pe) {
		return "I couldn't read that command."
	}
	switch pe.Code {
	case commands.CodeNoText:
		return "Tell me which meeting and whom to invite."
	case commands.CodeNoConferenceID:
		return "I need the meeting ID: the number shown in the meeting, e.g. `914083136`."
	case commands.CodeBadConferenceID:
		return fmt.Sprintf("`%s` isn't a meeting ID: it should be %d to %d digits.",
			code(pe.Token), commands.MinConferenceIDLen, commands.MaxConferenceIDLen)
	case commands.CodeTwoConferences:
		return "That names more than one meeting ID. Invite people to one meeting at a time."
	case commands.CodeNoPeople:
		return "Mention at least one person (`@name`) or user group (`@team`) to invite."
	case commands.CodeUnescapedName:
		return fmt.Sprintf("I can't tell who `%s` is. Pick the person from Slack's @-mention list so the mention turns blue.",
			code(pe.Token))
	case commands.CodeBadPhone:
		return fmt.Sprintf("`%s` isn't a phone number I can call: write it with the country code, e.g. +44 20 7946 0000 without spaces.", code(pe.Token))
	case commands.CodeUnknownToken:
		return fmt.Sprintf("I don't understand `%s`.", code(pe.Token))
	case commands.CodeStartWithMeeting:
		return "`now` starts a new meeting, so leave the meeting ID out. To bring people into a running meeting, " +
			"write `/meet-invite <meeting-id> @person`."
	case commands.CodeHostLink:
		return ":warning: That is the meeting's *host* link: whoever has it can run the meeting. I didn't call anyone. " +
			"Use the meeting ID or the guest link instead, and if you pasted the host link where others can see it, delete that message."
	}
	return "I couldn't read that command."
}

func inviting(n int, conferenceID string) string {
	return fmt.Sprintf("Inviting %s to meeting %s…", plural(n, "person", "people"), conferenceID)
}

func invitingGroups(conferenceID string) string {
	return fmt.Sprintf("Looking up the people to invite to meeting %s…", conferenceID)
}

// skipReason says why someone was left out, as the end of a sentence.
func skipReason(r commands.SkipReason) string {
	switch r {
	case commands.SkipDeactivated:
		return "their Slack account is deactivated."
	case commands.SkipBot:
		return "bots can't join meetings."
	case commands.SkipNoContact:
		return "their Slack profile has no email or phone number, and the meeting directory doesn't know them."
	case commands.SkipBadPhone:
		return "the phone number in their Slack profile has no country code (it should look like +44 20 7946 0000)."
	case commands.SkipNotFound:
		return "I couldn't find this user in Slack."
	case commands.SkipLookupFailed:
		return "I couldn't look them up just now. Try again in a moment."
	case commands.SkipUnknownGroup:
		return "I couldn't find this user group."
	case commands.SkipEmptyGroup:
		return "this user group has nobody in it."
	case commands.SkipDuplicate:
		return "they share a number with someone else in this invitation, who is being called."
	case commands.SkipUnknownChannel:
		return "I can't see this channel. Add me to it first (`/invite @meet-invite`)."
	case commands.SkipDirectNotAllowed:
		return "calling numbers or addresses typed in a command isn't enabled here."
	case commands.SkipRecentlyInvited:
		return "they were called into this meeting moments ago, so I didn't call them again."
	case commands.SkipInMeeting:
		return "they're already in the meeting."
	case commands.SkipBeingCalled:
		return "they're being called into the meeting right now."
	case commands.SkipShareLink:
		return "Huawei can't ring an email address, and I couldn't send them the join link: share it with them."
	case commands.SkipExternal:
		return "they belong to another organisation, and calling people outside ours isn't enabled here."
	}
	return "I couldn't invite them."
}

func viaText(v commands.Via) string {
	switch v {
	case commands.ViaApp:
		return "in the Huawei Cloud Meeting app"
	case commands.ViaPhone:
		return "by phone"
	case commands.ViaLink:
		return "sent the join link (no meeting number or phone on file, so Huawei can't ring them)"
	}
	return ""
}

// sentinelMessages gives the user's message for each kind of failure the
// meeting client reports, by sentinel: every documented Huawei code maps to
// one (meeting.APIError.Is), so each code gets a sentence. {id} is the
// meeting ID, {name} the invitee (when one), {ref} the request ID.
var sentinelMessages = []struct {
	err error
	msg string
}{
	{meeting.ErrNoHostPassword, "I can't read the host password of meeting {id}, so I can't add people to it. Ask the host to add them, or ask an admin to give the meeting app access to the meeting."},
	{meeting.ErrInvalidAttendee, "The contact details on file for {name} can't be used by the meeting service."},
	{meeting.ErrNotFound, "I couldn't find meeting {id}. Check the meeting ID and try again."},
	{meeting.ErrNotStarted, "Meeting {id} hasn't started yet, or has already ended. Once the host starts it, run the command again."},
	{meeting.ErrStarting, "Meeting {id} is still starting. Try again in a few seconds."},
	{meeting.ErrEnded, "Meeting {id} has already ended."},
	{meeting.ErrHostAuth, "I couldn't take control of meeting {id}: the meeting ID or host password was rejected. Check the ID, or ask the host."},
	{meeting.ErrControlLocked, "Control of meeting {id} is temporarily locked after too many failed attempts. Try again later or ask the host to add people."},
	{meeting.ErrForbidden, "The meeting app isn't allowed to manage meeting {id}. Ask your Huawei Cloud Meeting admin to check its permissions."},
	{meeting.ErrInternal, "Something went wrong on my side (ref {ref}). Please try again."},
	{meeting.ErrBadInvitee, "The meeting service can't use the contact details on file for {name}."},
	{meeting.ErrFull, "Meeting {id} is full; it has reached its participant limit."},
	{meeting.ErrCapacity, "Your organisation has no meeting capacity left right now. Ask your admin, or try again later."},
	{meeting.ErrMeetingLocked, "Meeting {id} is locked, and Huawei refused the invitation. Ask the host to add people from the meeting."},
	{meeting.ErrInviteFailed, "The meeting service couldn't send the invitation. Try again in a moment."},
	{meeting.ErrPSTNDisabled, "Calling phone numbers isn't enabled for your organisation. Ask your admin to enable PSTN calling."},
	{meeting.ErrCallFailed, "The call to {name} didn't go through."},
	{meeting.ErrUnauthorized, "I can't sign in to Huawei Cloud Meeting. An admin needs to check the app's credentials."},
	{meeting.ErrRateLimited, "The meeting service is busy. Try again in a minute."},
	{meeting.ErrUnavailable, "Huawei Cloud Meeting isn't responding about meeting {id}. I don't know whether anyone is being called: check the meeting before trying again (ref {ref})."},
}

// codeMessages overrides the sentinel's message for the codes that say
// something more precise than their kind of failure.
var codeMessages = map[string]string{
	"MMC.111081002": "Meeting {id} doesn't exist or has already ended.",
	"MMC.111070004": "I couldn't verify meeting {id}. Check the meeting ID.",
	"MMC.111072003": "Meeting {id} is ending, so I can't add anyone.",
	"MMC.111071072": "Meeting {id} ended a moment ago.",
	"MMC.111072031": "I have no number to call for {name}.",
	"MMC.111072032": "The number on file for {name} is too long to call.",
	"MMC.111072033": "The number on file for {name} isn't in a format the meeting service accepts. It needs the country code, e.g. +44…",
	"MMC.111072036": "The email address for {name} is too long for the meeting service.",
	"MMC.111072037": "The SMS number for {name} is too long for the meeting service.",
	"MMC.111071024": "The email address for {name} isn't valid for the meeting service.",
	"MMC.111071025": "The mobile number for {name} isn't valid. Ask them to check it in their Slack profile.",
	"MMC.111071066": "That's more people than meeting {id} allows. Invite fewer people.",
	"MMC.111076003": "Meeting {id}'s room has reached its maximum number of participants.",
	"MMC.111076006": "{name} couldn't be found by the meeting service.",
	"MMC.111076007": "{name} isn't signed in to Huawei Cloud Meeting right now.",
	"MMC.111076008": "{name} is busy on another call.",
	"MMC.111076009": "{name} declined the call.",
	"MMC.111076014": "The call to {name} wasn't answered in time.",
	"USG.201040000": "{name} has no Huawei Cloud Meeting account.",
	"USG.201040001": "Something went wrong on my side (ref {ref}). Please try again.", // "user already exists": never expected from an invitation
}

// timedOut is the failure of an invitation that ran out of INVITE_TIMEOUT
// on the bot's side: waiting for a slot, or for Slack's rate limits.
const timedOut = "I couldn't finish in time: lots of invitations are running, and Slack or the meeting service is slow. " +
	"Some people may already be ringing: check the meeting before trying again."

const unknownError = "Something went wrong talking to the meeting service (ref {ref})."

// failure explains why an invitation failed as a whole. name is the
// invitee's name when there was exactly one, for per-person codes.
func failure(err error, conferenceID, name string) string {
	if msg, ok := requestFailure(err); ok {
		return msg
	}
	var apiErr *meeting.APIError
	ref := ""
	if errors.As(err, &apiErr) {
		ref = apiErr.RequestID
	}
	msg := unknownError
	if apiErr != nil && codeMessages[apiErr.Code] != "" {
		msg = codeMessages[apiErr.Code]
	} else {
		for _, s := range sentinelMessages {
			if errors.Is(err, s.err) {
				msg = s.msg
				break
			}
		}
	}
	if msg == unknownError && errors.Is(err, context.DeadlineExceeded) {
		return timedOut
	}
	if name == "" {
		name = "one of the people"
	}
	name, ref = clip(name, maxNameLen), clip(ref, 80) // the request ID comes from Huawei
	if ref == "" {
		ref = "none"
	}
	msg = strings.NewReplacer("{id}", conferenceID, "{name}", name, "{ref}", ref).Replace(msg)
	if ref != "none" && !strings.Contains(msg, ref) {
		msg += " (ref " + ref + ")"
	}
	return msg
}

// requestFailure explains the failures of the request itself (too big,
// refused, a host link, too fast, cut short), as opposed to the meeting
// service's; ok is false for those.
func requestFailure(err error) (string, bool) {
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
		return tooManyText(*tooMany), true
	case errors.As(err, &tooManyGroups):
		return fmt.Sprintf("That's %d groups and channels; I look up at most %d in one request. Name fewer, or split them up.",
			tooManyGroups.Count, tooManyGroups.Max), true
	case errors.As(err, &refused):
		return refusalText(refused.Reason), true
	case errors.As(err, &parseErr): // a host link, found out once the meeting was read
		return parseProblem(err), true
	case errors.As(err, &slow):
		return fmt.Sprintf("Slow down: you can have at most %s called a minute, so I called nobody this time. "+
			"Try again in %s.", plural(slow.PerMinute, "person", "people"), waitText(slow.Wait)), true
	case errors.As(err, &unsure): // before context.Canceled: it may wrap one
		return startUnsure(unsure.Subject), true
	case errors.Is(err, context.Canceled):
		// An invite request already sent is let finish (commands.Inviter.send):
		// cancelled work never reached the meeting service.
		return "I had to stop before calling anyone because I'm restarting. Nobody was called: try again in a minute.", true
	}
	return "", false
}

// callLine says how one person's call went, for the updated channel post.
func callLine(name string, st commands.CallState) string {
	switch st {
	case commands.CallJoined:
		return ":white_check_mark: " + name + " joined"
	case commands.CallMissed:
		return ":x: " + name + " didn't answer"
	case commands.CallBusy:
		return ":x: " + name + " was busy"
	case commands.CallDeclined:
		return ":no_entry_sign: " + name + " declined"
	case commands.CallFailed:
		return ":x: " + name + " couldn't be called"
	case commands.CallNoPSTN:
		return ":x: " + name + " couldn't be called: phone calls aren't enabled"
	case commands.CallNone:
		return ":email: " + name + " was sent the join link"
	}
	return ":bell: " + name + " ringing"
}

// callsSummary ends the channel post once no call rings any more: its
// headline (invitedSummary, startedSummary) with the counts.
func callsSummary(head string, counts map[commands.CallState]int) string {
	var parts []string
	for _, c := range []struct {
		states []commands.CallState
		what   string
	}{
		{[]commands.CallState{commands.CallJoined}, "%d joined"},
		{[]commands.CallState{commands.CallMissed}, "%d didn't answer"},
		{[]commands.CallState{commands.CallBusy}, "%d busy"},
		{[]commands.CallState{commands.CallDeclined}, "%d declined"},
		{[]commands.CallState{commands.CallFailed, commands.CallNoPSTN}, "%d couldn't be called"},
		{[]commands.CallState{commands.CallNone}, "%d sent the join link"},
	} {
		n := 0
		for _, st := range c.states {
			n += counts[st]
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf(c.what, n))
		}
	}
	return strings.TrimSuffix(head, ".") + ": " + strings.Join(parts, ", ") + "."
}

// nobodyToInvite answers a request whose groups and channels hold nobody
// but the invoker and bots.
func nobodyToInvite(conferenceID string) string {
	return fmt.Sprintf("There was nobody to invite to meeting %s: the groups and channels you named have nobody in them but you and bots.", conferenceID)
}

// pstnNote tells the invoker that phone calls failed because the
// organisation cannot make them.
func pstnNote(names string) string {
	return "The phone call to " + names + " failed: calling phone numbers isn't enabled for your organisation's " +
		"Huawei Cloud Meeting. Ask your admin to enable PSTN calling."
}

// linkSent is the direct message to someone Huawei can't ring: who is
// calling them in, and the way in.
func linkSent(invoker, title string) string {
	return fmt.Sprintf("<@%s> is bringing people into %s. Huawei can't ring you (there's no meeting number or phone for you), "+
		"so here's the way in.", invoker, title)
}

// shareLink ends the invoker's note when they must share the join link.
func shareLink(url string) string { return "Join link to share: " + escape(url) }

func invitedSummary(invoker string, n int, title string) string {
	return fmt.Sprintf("<@%s> invited %s to %s.", invoker, plural(n, "person", "people"), title)
}

// moreInvited heads a thread reply listing invitees the post left out.
func moreInvited(from, to, total int, title string) string {
	return fmt.Sprintf("Also invited to %s (%d–%d of %d):", title, from, to, total)
}

func notInvitedHeader(n int, conferenceID string) string {
	return fmt.Sprintf("I couldn't invite %s to meeting %s:", plural(n, "person", "people"), conferenceID)
}

const addMeHint = "I'm not in this channel, so I couldn't post the result there. Add me with `/invite @meet-invite` to post results in this channel."

// waitText says how long to wait, in whole seconds under a minute, else
// in minutes, rounded up.
func waitText(d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	if secs < 60 {
		return plural(max(secs, 1), "second", "seconds")
	}
	return plural((secs+59)/60, "minute", "minutes")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
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

const shuttingDown = "I'm restarting right now and can't take new invitations. Try again in a minute."

const simulatedNote = "🧪 Simulated meeting service: this is a test of the Slack app, and nobody was really called."

// The invite form.
const (
	modalTitle               = "Invite to a meeting"
	modalSubmit              = "Start or invite" // what it does depends on the meeting chosen: one to start, or one running
	modalClose               = "Cancel"
	modalMeetingLabel        = "Meeting"
	modalMeetingHint         = "Running meetings are listed as you type part of a subject, a host's name or a number. A meeting number or guest link you type can be chosen as it is. Or choose Start a meeting now."
	modalPeopleLabel         = "People to invite"
	modalPeoplePlaceholder   = "Choose people"
	modalRoleLabel           = "Role"
	modalHostOption          = "Invite as host"
	modalHostDescription     = "They can manage the meeting: mute, remove and invite others."
	modalPasswordLabel       = "Host password (only if asked)"
	modalPasswordPlaceholder = "Leave empty unless I couldn't read it"
	modalPasswordHint        = "Needed only when my meeting account can't read the meeting's host password. It is used once and never shown or stored."
	modalBadMeeting          = "Choose a meeting: type its number (6 to 20 digits, e.g. 914083136) and choose it, or choose Start a meeting now."
	modalNobody              = "Choose at least one person to invite."
	modalStale               = "This form can't be sent any more (it is from before a restart, or not yours). Close it and open it again."
)

// tooManyText refuses an invitation of more people than one request may
// call. The people counted are the ones asked for: the invoker, called in
// as the host of a meeting it starts, is named apart.
func tooManyText(e commands.TooManyError) string {
	asked := e.Count
	if e.Host {
		asked--
	}
	count := fmt.Sprintf("%d people", asked)
	if e.AtLeast {
		count = fmt.Sprintf("more than %d people", e.Max-(e.Count-asked))
	}
	if e.Host {
		return fmt.Sprintf("That's %s, and you as host; I call at most %d at a time, you included. "+
			"Name fewer people, or split them up.", count, e.Max)
	}
	return fmt.Sprintf("That's %s; I invite at most %d at a time. Invite fewer people, or split them up.", count, e.Max)
}

// modalTooManyText is tooManyText under the form's people field: how many
// were chosen, and how many may be (one fewer when the invoker is called in
// as host).
func modalTooManyText(e commands.TooManyError) string {
	if e.Host {
		return fmt.Sprintf("Choose at most %s: you're called in too, as host (you chose %d).", plural(e.Max-1, "person", "people"), e.Count-1)
	}
	return fmt.Sprintf("Choose at most %s (you chose %d).", plural(e.Max, "person", "people"), e.Count)
}

func modalGroupsNote(groups string) string {
	return "Also inviting everyone in " + groups + "."
}

const joinButton = "Join the meeting"

const meetingEndedNote = ":checkered_flag: This meeting has ended."

func missedCall(invoker, title string) string {
	return fmt.Sprintf("You missed a call from <@%s> into %s. Join whenever you can.", invoker, title)
}

const (
	retryButton   = "Try again"
	callAgainOne  = "Call again"
	callAgainMany = "Call the %d again"
	retryHint     = "Or press *Try again* once the host has started it."
)

const directNotAllowed = "Calling phone numbers or email addresses typed in the command isn't enabled here " +
	"(dialling numbers can cost money). Mention people with `@name` instead, or ask an admin to set ALLOW_DIRECT_INVITES=true."

func confirmQuestion(n int, conferenceID string) string {
	return fmt.Sprintf("That will call up to *%s* into meeting %s (bots and deactivated accounts are left out). Invite them all?",
		plural(n, "person", "people"), conferenceID)
}

const (
	confirmYes       = "Invite"
	confirmNo        = "Cancel"
	confirmCancelled = "Cancelled: nobody was invited."
	confirmGone      = "This confirmation has expired or was already answered. Run the command again if you still want to invite them."
)

// refusalText explains why someone may not invite.
func refusalText(r commands.Refusal) string {
	switch r {
	case commands.RefusedChannel:
		return "Meeting invitations aren't enabled in this channel. Try another channel, or ask an admin."
	case commands.RefusedGuest:
		return "Guest accounts can't invite people to meetings. Ask a member of the workspace to invite them."
	case commands.RefusedUser:
		return "You're not on the list of people who can invite to meetings with meet-invite. Ask an admin to add you."
	case commands.RefusedNoLookup:
		return "I couldn't check whether you can invite people just now. Try again in a moment."
	case commands.RefusedExternal:
		return "People from another organisation can't invite people to meetings here. Ask someone in the workspace's own organisation."
	}
	return ""
}

const queuedSuffix = "(Lots of invitations are running right now; yours is queued and will start in a moment.)"

const queuedNote = "Lots of invitations are running right now; yours is queued and will start in a moment."

// Plain-words requests.
const (
	reading       = "Let me read that…"
	notUnderstood = "I couldn't understand that, so I haven't invited anyone."
	editButton    = "Edit"
)

func understood(who string, host bool, conferenceID string, n int) string {
	as := ""
	if host {
		as = " as hosts"
	}
	return fmt.Sprintf("Invite %s%s to meeting %s (%s)?", who, as, conferenceID, plural(n, "person", "people"))
}

// callTitle names a meeting's call in Slack's call card (plain text, not
// mrkdwn): its subject, else its number.
func callTitle(rep commands.Report) string {
	if s := rep.Conference.Subject; s != "" {
		return s
	}
	return "Huawei Cloud Meeting " + rep.ConferenceID
}

// The Home tab.
const (
	homeReachHeader  = "How I'd reach you"
	homeRecentHeader = "Your recent invitations"
	homeHelpHeader   = "How to use me"
	homeNoHistory    = "You haven't invited anyone lately (I remember the last day, since I last restarted). " +
		"Try `/meet-invite 914083136 @alice` in a channel."
)

// Answers from the people called, and their phones rung instead.
const (
	answerJoiningButton = "Joining in 5 min"
	answerCannotButton  = "Can't make it"
	answerPhoneButton   = "Call my phone instead"
	notYourCall         = "This call isn't yours to answer, so I didn't record anything."
	alreadyAnswered     = "You've already answered this call."
	phoneAlreadyRung    = "Your phone has already been rung for this call."
	answerGone          = "This call can't be answered any more."
	answerNotRecorded   = "I couldn't record your answer just now. Try again in a moment."
	yourPhone           = "your phone" // {name} in the meeting service's failures, for a phone asked for
)

// callingYou is the direct message to someone being called: who is calling
// them into which meeting.
func callingYou(invoker, title string) string {
	return fmt.Sprintf("<@%s> is calling you into %s.", invoker, title)
}

// answerLine ends a call's line on the channel post with what the person
// answered: "🔔 @bob ringing — joining in 5 min".
func answerLine(a answer) string {
	switch a {
	case answerJoining:
		return " — joining in 5 min"
	case answerCannot:
		return " — can't make it"
	}
	return ""
}

// replyLine says how one person's call went, for the channel post, with
// what they answered and whether their phone was rung after the app.
func replyLine(name string, st commands.CallState, r reply) string {
	switch {
	case st == commands.CallJoined:
		return callLine(name, st)
	case r.phoned && st == commands.CallRinging:
		return ":iphone: ringing " + name + "'s phone" + answerLine(r.answer)
	case r.phoned:
		return callLine(name, st) + " (their phone was rung too)" + answerLine(r.answer)
	}
	return callLine(name, st) + answerLine(r.answer)
}

// youAnswered replaces the buttons of the direct message someone answered.
func youAnswered(a answer, invoker string) string {
	switch a {
	case answerJoining:
		return fmt.Sprintf(":white_check_mark: You said you're joining in 5 minutes. I've told <@%s>.", invoker)
	case answerCannot:
		return fmt.Sprintf(":white_check_mark: You said you can't make it. I've told <@%s>.", invoker)
	}
	return ""
}

// ringingYourPhone replaces the buttons of the direct message of someone
// whose phone is being rung at their request; the number is masked.
func ringingYourPhone(number string) string {
	return ":iphone: Ringing your phone " + endingIn(number) + " now."
}

// endingIn shows a phone number as its last four digits only.
func endingIn(number string) string {
	if len(number) <= 4 {
		return "on file"
	}
	return "ending in " + number[len(number)-4:]
}

// theyAnswered tells the invoker privately what someone they called answered.
func theyAnswered(a answer, who, title string) string {
	switch a {
	case answerJoining:
		return fmt.Sprintf("%s is joining %s in about 5 minutes.", who, title)
	case answerCannot:
		return fmt.Sprintf("%s can't make it to %s.", who, title)
	}
	return fmt.Sprintf("%s asked to be called on their phone instead for %s: it's ringing now.", who, title)
}

// phoneNotRung tells someone who asked for their phone to be rung why it
// was not, and what to do.
func phoneNotRung(r commands.SkipReason) string {
	switch r {
	case commands.SkipInMeeting:
		return "I didn't ring your phone: you're already in the meeting."
	case commands.SkipBeingCalled:
		return "I didn't ring your phone: it's being called into the meeting already."
	}
	return "I didn't ring your phone: you were called into this meeting moments ago. Try again in a couple of minutes."
}

// Starting a meeting: /meet-invite now, and "Start a meeting now" in the form.

// startingText is the ack of a request that starts a meeting: others are
// the people named to call into it besides the invoker; groups, whether
// groups or channels are to be looked up.
func startingText(others int, groups bool) string {
	switch {
	case groups:
		return "Starting a meeting, then looking up the people to call into it…"
	case others > 0:
		return fmt.Sprintf("Starting a meeting and calling %s into it…", plural(others, "person", "people"))
	}
	return "Starting a meeting…"
}

// startedSummary heads the channel post of a meeting started from Slack.
func startedSummary(invoker string, others int, title string) string {
	if others == 0 {
		return fmt.Sprintf("<@%s> started %s.", invoker, title)
	}
	return fmt.Sprintf("<@%s> started %s and invited %s.", invoker, title, plural(others, "person", "people"))
}

// hostNote tells the person who started a meeting, privately, that they
// are its host, with their host link (a button) when there is one.
func hostNote(title string, calling, withLink bool) string {
	text := "You started " + title + ", and you're its host."
	if calling {
		text += " I'm calling you in as host."
	}
	if withLink {
		return text + " Your host link is below: it gives host rights, so keep it to yourself."
	}
	return text + " Huawei gave me no host link for it: join from the meeting app, or with the channel's link."
}

const hostButton = "Join as host"

// startFailed explains why no meeting was started.
func startFailed(reason string) string {
	return "I couldn't start a meeting, so nobody was called. " + reason
}

// startUnsure says that a meeting may have been started though no answer
// said so, and where the invoker finds it if it was.
func startUnsure(subject string) string {
	title := "a meeting"
	if subject != "" {
		title = "*" + clip(subject, maxTitle) + "*"
	}
	return "I asked the meeting service to start " + title + ", but no answer came back in time, so I called nobody. " +
		"The meeting may have been started all the same: if it was, it's listed under *Your meetings* in the meeting " +
		"field of the `/meet-invite` form, where you can bring people into it."
}

// confirmStartQuestion asks before starting a meeting and calling many
// people into it.
func confirmStartQuestion(n int) string {
	return fmt.Sprintf("That will start a meeting and call up to *%s* into it (bots and deactivated accounts are left out). Go ahead?",
		plural(n, "person", "people"))
}

// cutShortStart says that a request to start a meeting was cut short.
const cutShortStart = "Your request to start a meeting was cut short: the bot stopped while working on it. " +
	"A meeting may have been started, and people may already be ringing: check before asking again."

// The subject of a meeting started from Slack, when START_MEETING_SUBJECT
// does not say otherwise: the channel's name, else the invoker's.
func subjectInChannel(channel string) string { return "Meeting in #" + channel }
func subjectOf(name string) string           { return name + "'s meeting" }

const subjectFromSlack = "Meeting from Slack"

// subjectSomeone stands in START_MEETING_SUBJECT for an invoker whose name
// cannot be found.
const subjectSomeone = "a colleague"

// The form's meeting picker.
const (
	modalMeetingPlaceholder = "Type a number, or search running meetings"
	pickerStartNow          = "Start a meeting now"
	pickerStartNowDetail    = "A new meeting, with you as its host"
	pickerGroupNew          = "New meeting"
	pickerGroupTyped        = "As typed"
	pickerGroupYours        = "Your meetings"
	pickerGroupRunning      = "Running now"
)

// pickerTyped offers a meeting number typed (or read from a link) as it is.
func pickerTyped(id string) string { return "Meeting " + id }

// pickerDetail describes a running meeting in the picker: who scheduled
// it, and since when.
func pickerDetail(scheduler, start string) string {
	switch {
	case scheduler != "" && start != "":
		return scheduler + " · since " + start + " UTC"
	case start != "":
		return "since " + start + " UTC"
	}
	return scheduler
}
