package commands

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Request is a parsed /meet-invite command: which conference, and whom to
// bring in. Slack sends mentions escaped (the app manifest sets
// should_escape), so people and groups arrive as IDs, never as names.
type Request struct {
	Action       Action   // what is asked: an invitation unless help, whoami or start
	ConferenceID string   // "" for ActionStart: the meeting is yet to be made
	UserIDs      []string // mentioned users, in order of appearance, without duplicates
	GroupIDs     []string // mentioned user groups (subteams), without duplicates
	ChannelIDs   []string // mentioned channels: their members are invited
	Phones       []string // phone numbers typed directly, normalised to +<digits>
	Emails       []string // email addresses typed directly
	Host         bool     // invite them as hosts (from the form or a natural-language request)
	// LinkDigest is SecretDigest of the key or password in a pasted meeting
	// link, "" without one: the intake checks it against the meeting's host
	// link with HostLinkSecret before anyone is rung.
	LinkDigest string
}

// Empty reports whether the request names nobody at all.
func (r Request) Empty() bool {
	return len(r.UserIDs) == 0 && len(r.GroupIDs) == 0 && len(r.ChannelIDs) == 0 && len(r.Phones) == 0 && len(r.Emails) == 0
}

// Direct reports whether the request names phone numbers or emails directly.
func (r Request) Direct() bool { return len(r.Phones) > 0 || len(r.Emails) > 0 }

// ParseCode says what was wrong with a command's text. The transport turns
// each code into a sentence for the user; this package holds no user text.
type ParseCode int

const (
	CodeNoText           ParseCode = iota + 1 // nothing after the command
	CodeNoConferenceID                        // people given, but no meeting ID
	CodeBadConferenceID                       // an ID-like token that is not a valid meeting ID
	CodeTwoConferences                        // more than one meeting ID
	CodeNoPeople                              // a meeting ID but nobody to invite
	CodeUnescapedName                         // "@alice" typed as plain text: no user ID to go by
	CodeBadPhone                              // "+…" that is not a phone number with a country code
	CodeUnknownToken                          // anything else
	CodeHostLink                              // a meeting link that carries host rights (HostLinkSecret)
	CodeStartWithMeeting                      // "now" with a meeting ID or link: it starts a new meeting
)

// ParseError is returned by Parse for text it cannot turn into a Request.
// Token is the offending piece of text, when there is one.
type ParseError struct {
	Code  ParseCode
	Token string
}

func (e *ParseError) Error() string {
	if e.Token == "" {
		return fmt.Sprintf("parse command: code %d", e.Code)
	}
	return fmt.Sprintf("parse command: code %d at %q", e.Code, e.Token)
}

// Action is what a command asks for.
type Action int

const (
	ActionInvite Action = iota // bring people into a meeting
	ActionHelp                 // "help": how to use the command
	ActionWhoAmI               // "whoami": how an invitation would reach the person asking
	ActionStart                // "now [people…]": start a meeting, and bring the people (if any) into it
)

// startWord is the first word of a command that starts a meeting.
const startWord = "now"

// Conference IDs are digits. Huawei's examples are nine digits long; cloud
// meeting room IDs can be longer, so the range is generous.
const (
	MinConferenceIDLen = 6
	MaxConferenceIDLen = 20
)

var (
	tokenRe = regexp.MustCompile(`<[^<>]*>|[^\s<>]+`)
	userRe  = regexp.MustCompile(`^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$`)
	groupRe = regexp.MustCompile(`^<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>$`)
	chanRe  = regexp.MustCompile(`^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$`)
	// Slack escapes typed emails and phone numbers as links.
	mailtoRe = regexp.MustCompile(`^<mailto:([^|>]+)(?:\|[^>]*)?>$`)
	telRe    = regexp.MustCompile(`^<tel:([^|>]+)(?:\|[^>]*)?>$`)
	emailRe  = regexp.MustCompile(`^[^@\s<>|]+@[^@\s<>|]+\.[^@\s<>|]+$`)
)

// Parse turns the text of a slash command into a Request. It is a pure
// function: it looks nothing up. With CodeNoConferenceID or CodeNoPeople
// the returned Request still holds what was understood, so that a form can
// be prefilled with it. Accepted forms:
//
//	914083136 <@U012ABC|alice> <@U034DEF> <!subteam^S0123|@eng>
//	<@U012ABC> 914-083-136
//	914 083 136 <@U012ABC>
//	<https://meeting.huaweicloud.com/#/j/914083136/…> <@U012ABC>
//	help
//	whoami
//	now [<@U012ABC> …]
//
// "now" starts a new meeting (ActionStart): the people after it, if any,
// are rung into it, and a meeting ID or link with it is refused
// (CodeStartWithMeeting). Otherwise the meeting ID may come anywhere and may be written with spaces, dashes
// or dots between groups of digits, as Huawei's apps display it, or as a
// Huawei meeting link (ParseMeetingLink), whose key is kept as LinkDigest.
func Parse(text string) (Request, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Request{}, &ParseError{Code: CodeNoText}
	}
	if isHelp(text) {
		return Request{Action: ActionHelp}, nil
	}
	if strings.EqualFold(text, "whoami") {
		return Request{Action: ActionWhoAmI}, nil
	}
	if first, rest := firstWord(text); strings.EqualFold(first, startWord) {
		return parseStart(rest)
	}

	var req Request
	seen := map[string]bool{}
	for _, tok := range tokens(text) {
		if err := req.take(tok, seen); err != nil {
			return Request{}, err
		}
	}

	switch {
	case req.ConferenceID == "":
		return req, &ParseError{Code: CodeNoConferenceID}
	case req.Empty():
		return req, &ParseError{Code: CodeNoPeople}
	}
	return req, nil
}

// firstWord splits text at its first space.
func firstWord(text string) (first, rest string) {
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		return text[:i], text[i:]
	}
	return text, ""
}

// parseStart reads the people after "now": whom to ring into the meeting
// it starts, perhaps nobody.
func parseStart(text string) (Request, error) {
	req := Request{Action: ActionStart}
	seen := map[string]bool{}
	for _, tok := range tokens(text) {
		if err := req.take(tok, seen); err != nil {
			return Request{Action: ActionStart}, err
		}
	}
	if req.ConferenceID != "" {
		return Request{Action: ActionStart}, &ParseError{Code: CodeStartWithMeeting}
	}
	return req, nil
}

// take adds one token of a command to the request: a mention, an email or
// phone number (perhaps escaped as a link), or the meeting ID. seen holds
// what was added already, so that each value is added once.
func (req *Request) take(tok string, seen map[string]bool) error {
	add := func(list *[]string, v string) {
		if !seen[v] {
			seen[v] = true
			*list = append(*list, v)
		}
	}
	for _, m := range []struct {
		re   *regexp.Regexp
		list *[]string
	}{{userRe, &req.UserIDs}, {groupRe, &req.GroupIDs}, {chanRe, &req.ChannelIDs}} {
		if sub := m.re.FindStringSubmatch(tok); sub != nil {
			add(m.list, sub[1])
			return nil
		}
	}
	if m := mailtoRe.FindStringSubmatch(tok); m != nil {
		tok = m[1]
	} else if m := telRe.FindStringSubmatch(tok); m != nil {
		tok = m[1]
	}
	switch {
	case emailRe.MatchString(tok):
		add(&req.Emails, strings.ToLower(tok))
		return nil
	case strings.HasPrefix(tok, "+"):
		n, ok := NormalizePhone(tok)
		if !ok {
			return &ParseError{Code: CodeBadPhone, Token: tok}
		}
		add(&req.Phones, n)
		return nil
	case strings.HasPrefix(tok, "@") && len(tok) > 1:
		return &ParseError{Code: CodeUnescapedName, Token: tok}
	}
	if link, isLink := ParseMeetingLink(tok); isLink {
		return req.takeLink(link)
	}
	id, ok, err := conferenceID(tok)
	switch {
	case err != nil:
		return err
	case !ok:
		return &ParseError{Code: CodeUnknownToken, Token: tok}
	case req.ConferenceID != "" && req.ConferenceID != id:
		return &ParseError{Code: CodeTwoConferences, Token: tok}
	}
	req.ConferenceID = id
	return nil
}

// takeLink adds the meeting a pasted link names. A bad ID is reported by
// itself, never with the link, whose key may carry host rights.
func (req *Request) takeLink(link MeetingLink) error {
	id, ok := NormalizeConferenceID(link.ID)
	switch {
	case !ok:
		return &ParseError{Code: CodeBadConferenceID, Token: link.ID}
	case req.ConferenceID != "" && req.ConferenceID != id:
		return &ParseError{Code: CodeTwoConferences, Token: id}
	}
	d := SecretDigest(link.Secret)
	if req.LinkDigest != "" && d != "" && d != req.LinkDigest {
		return &ParseError{Code: CodeTwoConferences, Token: id}
	}
	req.ConferenceID = id
	if d != "" {
		req.LinkDigest = d
	}
	return nil
}

// maxGroupLen is the longest run of digits read as one group of a meeting
// ID written with spaces ("914 083 136"); longer runs stand alone, so that
// two IDs side by side are still two.
const maxGroupLen = 4

// tokens splits a command's text into tokens, joining a meeting ID written
// in groups of digits separated by spaces into one token.
func tokens(text string) []string {
	idx := tokenRe.FindAllStringIndex(text, -1)
	var out []string
	for i := 0; i < len(idx); i++ {
		tok := text[idx[i][0]:idx[i][1]]
		j := i
		for isGroup(tok) && j+1 < len(idx) && isGroup(text[idx[j+1][0]:idx[j+1][1]]) &&
			strings.Trim(text[idx[j][1]:idx[j+1][0]], " \u00a0") == "" {
			j++
		}
		if j > i {
			var b strings.Builder
			for k := i; k <= j; k++ {
				b.WriteString(text[idx[k][0]:idx[k][1]])
			}
			tok = b.String()
			i = j
		}
		out = append(out, tok)
	}
	return out
}

func isGroup(tok string) bool {
	if tok == "" || len(tok) > maxGroupLen {
		return false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return false
		}
	}
	return true
}

// ValidConferenceID reports whether id is usable as a meeting ID as it stands
// (digits only, of a plausible length). Modal input goes through
// NormalizeConferenceID first.
func ValidConferenceID(id string) bool {
	if len(id) < MinConferenceIDLen || len(id) > MaxConferenceIDLen {
		return false
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// NormalizeConferenceID removes the separators people copy from meeting
// invitations ("914 083 136", "914-083-136") and validates the rest.
func NormalizeConferenceID(s string) (string, bool) {
	id := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '\u00a0':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	return id, ValidConferenceID(id)
}

// conferenceID reads tok as a meeting ID. ok is false when tok does not look
// like one at all; err is set when it looks like one but is not valid.
func conferenceID(tok string) (id string, ok bool, err error) {
	if strings.Trim(tok, "0123456789-.\u00a0") != "" || strings.Trim(tok, "-.\u00a0") == "" {
		return "", false, nil
	}
	id, valid := NormalizeConferenceID(tok)
	if !valid {
		return "", true, &ParseError{Code: CodeBadConferenceID, Token: tok}
	}
	return id, true, nil
}

func isHelp(text string) bool {
	switch strings.ToLower(text) {
	case "help", "-h", "--help", "?", "usage":
		return true
	}
	return false
}
