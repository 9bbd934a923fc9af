package commands_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/meet-invite/meet-invite/internal/commands"
)

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"+86 138 0000 0001", "+8613800000001", true},
		{"+44 (20) 7946-0000", "+442079460000", true},
		{"0044 20 7946 0000", "+442079460000", true},
		{"+1.415.555.0100", "+14155550100", true},
		{"\u00a0+8613800000001 ", "+8613800000001", true},
		{"138 0000 0001", "", false},           // no country code
		{"020 7946 0000", "", false},           // national format
		{"+0 123 456 789", "", false},          // country codes do not start with 0
		{"+86 138 0000 0001 ext 2", "", false}, // extensions
		{"+1234567890123456", "", false},       // 16 digits: longer than E.164
		{"+12345", "", false},                  // too short
		{"call me", "", false},
		{"+86+138", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := commands.NormalizePhone(tt.in)
		assert.Equal(t, tt.want, got, "input %q", tt.in)
		assert.Equal(t, tt.wantOK, ok, "input %q", tt.in)
	}
}

func TestMask(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "•••• 0001", commands.MaskPhone("+8613800000001"))
	assert.Equal(t, "••••", commands.MaskPhone("123"))
	assert.Equal(t, "0001", commands.PhoneEnding("+8613800000001"))
	assert.Empty(t, commands.PhoneEnding("1234"), "a number of four digits shows nothing")
	assert.Equal(t, "a•••@example.com", commands.MaskEmail("alice@example.com"))
	assert.Equal(t, "é•••@example.com", commands.MaskEmail("élodie@example.com"))
	assert.Equal(t, "•••", commands.MaskEmail("nobody"))
}
