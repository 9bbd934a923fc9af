package commands

import (
	"regexp"
	"strings"
)

// shownIDRe is a meeting number as Huawei's apps show it: digits alone, or
// groups of three separated by single spaces, dashes or dots (914083136,
// 914 083 136, 914-083-136). Groups of other sizes are left alone in
// prose, where they are more often phone numbers ("+44 20 7946 0000").
var shownIDRe = regexp.MustCompile(`^(?:[0-9]+|[0-9]{3}(?:[ .\-\x{00a0}][0-9]{3})+)$`)

// MeetingIDsIn finds the meetings a message names, in the order written:
// Huawei meeting links (ParseMeetingLink) and meeting numbers as Huawei
// shows them. It is for messages people wrote to each other, such as a
// thread the message shortcut was used on ("Starting 914 083 136 now"),
// so it is stricter than Parse: phone numbers (+…, tel: links) and digits
// in groups other than threes are not meetings. Each ID is listed once.
// Link keys are dropped: only the ID is taken from a thread.
func MeetingIDsIn(text string) []string {
	var out []string
	add := func(id string) {
		for _, have := range out {
			if have == id {
				return
			}
		}
		out = append(out, id)
	}
	fields := tokenRe.FindAllString(text, -1)
	for i := 0; i < len(fields); i++ {
		tok := bare(fields[i])
		if link, ok := ParseMeetingLink(tok); ok {
			if id, ok := NormalizeConferenceID(link.ID); ok {
				add(id)
			}
			continue
		}
		if i > 0 && strings.HasPrefix(fields[i-1], "+") {
			continue // the rest of a phone number written in groups
		}
		// Join "914 083 136", which the tokenizer splits.
		j := i
		for j+1 < len(fields) && len(tok) < 40 && shownIDRe.MatchString(tok+" "+bare(fields[j+1])) &&
			!strings.HasSuffix(fields[j], ",") && !strings.HasSuffix(fields[j], ".") {
			j++
			tok += " " + bare(fields[j])
		}
		if shownIDRe.MatchString(tok) {
			if id, ok := NormalizeConferenceID(tok); ok {
				add(id)
				i = j
			}
		}
	}
	return out
}

// bare strips the brackets, quotes and punctuation prose puts around a word.
func bare(s string) string {
	return strings.Trim(trimPunct(strings.Trim(s, "()[]\"'")), "()[]\"'")
}
