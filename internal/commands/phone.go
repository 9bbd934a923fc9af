package commands

import (
	"strings"
	"unicode/utf8"
)

// NormalizePhone turns a free-text phone number from a profile into the form
// Huawei dials: "+" and the country code, then digits. Spaces, dashes, dots
// and parentheses are dropped and a leading "00" counts as "+". A number
// without a country code is refused rather than guessed.
func NormalizePhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case isSeparator(r):
		default:
			return "", false
		}
	}
	n := b.String()
	// E.164: at most 15 digits after the "+"; fewer than 7 is no phone number.
	if !strings.HasPrefix(n, "+") || len(n) < 8 || len(n) > 16 || n[1] == '0' {
		return "", false
	}
	return n, true
}

// isSeparator reports whether r is one of the characters people put
// between the digits of a number, which mean nothing to the dialler.
func isSeparator(r rune) bool {
	switch r {
	case ' ', '-', '.', '(', ')', '\u00a0':
		return true
	}
	return false
}

// MaskPhone hides all but the last four digits of a number, for logs:
// "+8613800000001" becomes "•••• 0001". Messages say the digits in words
// instead (PhoneEnding), since screen readers spell the bullets out.
func MaskPhone(n string) string {
	return strings.TrimSpace("•••• " + PhoneEnding(n))
}

// PhoneEnding is all a message may show of a number: its last four
// characters, or "" for a number of four or fewer, which shows nothing.
func PhoneEnding(n string) string {
	if len(n) <= 4 {
		return ""
	}
	return n[len(n)-4:]
}

// MaskEmail hides the local part of an address but its first letter:
// "alice@example.com" becomes "a•••@example.com".
func MaskEmail(e string) string {
	at := strings.LastIndexByte(e, '@')
	if at < 1 {
		return "•••"
	}
	_, size := utf8.DecodeRuneInString(e)
	return e[:size] + "•••" + e[at:]
}
