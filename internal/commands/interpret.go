package commands

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
)

// Interpreter reads a request written in plain words, which Parse rejected,
// such as "pull <@U1> and <@U2> into 914083136 as hosts". It only reads: its
// answer is checked by CheckInterpretation and confirmed by the user before
// anything happens. An implementation sends the text to a language model.
type Interpreter interface {
	Interpret(ctx context.Context, text string) (Request, error)
}

// ErrNotUnderstood is returned when a text could not be read into a request.
var ErrNotUnderstood = errors.New("commands: request not understood")

// CheckInterpretation checks what an interpreter read from text against the
// text itself: a valid meeting ID that appears in it, and only people,
// groups and channels mentioned in it. Nothing may be invented, however the
// text tried to persuade the interpreter; any violation rejects it all.
func CheckInterpretation(req Request, text string) (Request, error) {
	mentioned := parseLoose(text)
	id, ok := NormalizeConferenceID(req.ConferenceID)
	if !ok || !slices.Contains(mentioned.ids, id) {
		return Request{}, fmt.Errorf("%w: meeting ID %q is not in the text", ErrNotUnderstood, req.ConferenceID)
	}
	// Host rights only when the text itself asks for them: a model talked
	// into "as host" by the rest of the text is not listened to.
	out := Request{ConferenceID: id, Host: req.Host && asksForHosts(text), LinkDigest: mentioned.links[id]}
	for _, c := range []struct {
		got, allowed []string
		dst          *[]string
		what         string
	}{
		{req.UserIDs, mentioned.users, &out.UserIDs, "person"},
		{req.GroupIDs, mentioned.groups, &out.GroupIDs, "group"},
		{req.ChannelIDs, mentioned.channels, &out.ChannelIDs, "channel"},
	} {
		for _, v := range c.got {
			if !slices.Contains(c.allowed, v) {
				return Request{}, fmt.Errorf("%w: %s %q is not mentioned in the text", ErrNotUnderstood, c.what, v)
			}
			if !slices.Contains(*c.dst, v) {
				*c.dst = append(*c.dst, v)
			}
		}
	}
	if len(req.Phones) > 0 || len(req.Emails) > 0 {
		return Request{}, fmt.Errorf("%w: numbers and addresses are not taken from plain words", ErrNotUnderstood)
	}
	if out.Empty() {
		return Request{}, fmt.Errorf("%w: nobody to invite", ErrNotUnderstood)
	}
	return out, nil
}

// hostWords are the words by which a text asks for host rights: host,
// hosts, co-host, cohost, chair, chairs, chairperson, chairman,
// chairwoman, chairing, moderator(s), as whole words in any case.
var hostWords = regexp.MustCompile(`(?i)\b(co-?)?(hosts?|chair(s|person|man|woman|ing)?|moderators?)\b`)

// asksForHosts reports whether the text, outside its mentions, asks for
// host rights.
func asksForHosts(text string) bool {
	return hostWords.MatchString(mentionRe.ReplaceAllString(text, " "))
}

// mentionRe is any Slack mention or link, <…>, whose label is a name.
var mentionRe = regexp.MustCompile(`<[^<>]*>`)

// mentions is everything a text names that an interpretation may use.
type mentions struct {
	ids, users, groups, channels []string
	links                        map[string]string // meeting ID → SecretDigest of a link's key
}

// parseLoose collects the mentions, meeting-ID-like numbers (also written
// in groups, "914 083 136") and meeting links in any text.
func parseLoose(text string) mentions {
	m := mentions{links: map[string]string{}}
	for _, tok := range tokens(text) {
		switch {
		case userRe.MatchString(tok):
			m.users = append(m.users, userRe.FindStringSubmatch(tok)[1])
		case groupRe.MatchString(tok):
			m.groups = append(m.groups, groupRe.FindStringSubmatch(tok)[1])
		case chanRe.MatchString(tok):
			m.channels = append(m.channels, chanRe.FindStringSubmatch(tok)[1])
		default:
			if link, ok := ParseMeetingLink(trimPunct(tok)); ok {
				if id, ok := NormalizeConferenceID(link.ID); ok {
					m.ids = append(m.ids, id)
					if d := SecretDigest(link.Secret); d != "" {
						m.links[id] = d
					}
				}
			} else if id, ok := NormalizeConferenceID(trimPunct(tok)); ok {
				m.ids = append(m.ids, id)
			}
		}
	}
	return m
}

func trimPunct(s string) string {
	for len(s) > 0 && (s[len(s)-1] == ',' || s[len(s)-1] == '.' || s[len(s)-1] == '!' || s[len(s)-1] == '?' || s[len(s)-1] == ':') {
		s = s[:len(s)-1]
	}
	return s
}
