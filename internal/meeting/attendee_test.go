package meeting_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

func TestAttendeeValidate(t *testing.T) {
	t.Parallel()
	// Multi-byte characters, so that limits counted in bytes would fail.
	runes := func(n int) string { return strings.Repeat("é", n) }
	sip := func(n int) string { return strings.Repeat("a", n-len("@sip.example.com")) + "@sip.example.com" }
	base := meeting.Attendee{Name: "Alice", Phone: "+8613800000000", Type: meeting.TypeMobile}
	with := func(edit func(a *meeting.Attendee)) meeting.Attendee {
		a := base
		edit(&a)
		return a
	}
	tests := []struct {
		name      string
		attendee  meeting.Attendee
		wantField string // "" = valid
	}{
		{name: "minimal", attendee: base},
		{name: "name of 96 characters", attendee: with(func(a *meeting.Attendee) { a.Name = runes(96) })},
		{name: "name of 97 characters", attendee: with(func(a *meeting.Attendee) { a.Name = runes(97) }), wantField: "name"},
		{name: "empty name", attendee: with(func(a *meeting.Attendee) { a.Name = "" }), wantField: "name"},
		{name: "blank name", attendee: with(func(a *meeting.Attendee) { a.Name = " \t" }), wantField: "name"},
		{name: "name not UTF-8", attendee: with(func(a *meeting.Attendee) { a.Name = "\xff" }), wantField: "name"},
		{name: "host role", attendee: with(func(a *meeting.Attendee) { a.Role = meeting.RoleHost })},
		{name: "reserved role 2", attendee: with(func(a *meeting.Attendee) { a.Role = 2 }), wantField: "role"},
		{name: "negative role", attendee: with(func(a *meeting.Attendee) { a.Role = -1 }), wantField: "role"},
		{name: "empty type", attendee: with(func(a *meeting.Attendee) { a.Type = "" }), wantField: "type"},
		{name: "unknown type", attendee: with(func(a *meeting.Attendee) { a.Type = "fax" }), wantField: "type"},
		{name: "no phone, email or sms", attendee: with(func(a *meeting.Attendee) { a.Phone = "" }), wantField: "phone"},
		// phone is mandatory (meeting_21_0030, SDK Attendee.Phone): an email
		// or SMS alone is never sent.
		{name: "email only", attendee: with(func(a *meeting.Attendee) { a.Phone, a.Email = "", "a@example.com" }), wantField: "phone"},
		{name: "sms only", attendee: with(func(a *meeting.Attendee) { a.Phone, a.SMS = "", "+8613800000000" }), wantField: "phone"},
		{name: "SIP number", attendee: with(func(a *meeting.Attendee) { a.Phone = "2001" })},
		{name: "+ and 6 digits", attendee: with(func(a *meeting.Attendee) { a.Phone = "+123456" })},
		{name: "+ and 5 digits", attendee: with(func(a *meeting.Attendee) { a.Phone = "+12345" }), wantField: "phone"},
		{name: "+ and 20 digits", attendee: with(func(a *meeting.Attendee) { a.Phone = "+" + strings.Repeat("1", 20) })},
		{name: "+ and 21 digits", attendee: with(func(a *meeting.Attendee) { a.Phone = "+" + strings.Repeat("1", 21) }), wantField: "phone"},
		{name: "phone with spaces", attendee: with(func(a *meeting.Attendee) { a.Phone = "+86 138 0000 0000" }), wantField: "phone"},
		{name: "phone with letters", attendee: with(func(a *meeting.Attendee) { a.Phone = "call-me" }), wantField: "phone"},
		{name: "SIP address", attendee: with(func(a *meeting.Attendee) { a.Phone = "alice@10.0.0.1:5060" })},
		{name: "SIP address without user", attendee: with(func(a *meeting.Attendee) { a.Phone = "@sip.example.com" }), wantField: "phone"},
		{name: "phone of 127 characters", attendee: with(func(a *meeting.Attendee) { a.Phone = sip(127) })},
		{name: "phone of 128 characters", attendee: with(func(a *meeting.Attendee) { a.Phone = sip(128) }), wantField: "phone"},
		{name: "phone2 of 128 characters", attendee: with(func(a *meeting.Attendee) { a.Phone2 = sip(128) }), wantField: "phone2"},
		{name: "phone3 badly formed", attendee: with(func(a *meeting.Attendee) { a.Phone3 = "+1" }), wantField: "phone3"},
		{name: "email of 255 characters", attendee: with(func(a *meeting.Attendee) { a.Email = runes(255) })},
		{name: "email of 256 characters", attendee: with(func(a *meeting.Attendee) { a.Email = runes(256) }), wantField: "email"},
		{name: "sms of 32 characters", attendee: with(func(a *meeting.Attendee) { a.SMS = runes(32) })},
		{name: "sms of 33 characters", attendee: with(func(a *meeting.Attendee) { a.SMS = runes(33) }), wantField: "sms"},
		{name: "deptUUID of 64 characters", attendee: with(func(a *meeting.Attendee) { a.DeptUUID = runes(64) })},
		{name: "deptUUID of 65 characters", attendee: with(func(a *meeting.Attendee) { a.DeptUUID = runes(65) }), wantField: "deptUUID"},
		{name: "deptName of 128 characters", attendee: with(func(a *meeting.Attendee) { a.DeptName = runes(128) })},
		{name: "deptName of 129 characters", attendee: with(func(a *meeting.Attendee) { a.DeptName = runes(129) }), wantField: "deptName"},
	}
	for _, typ := range []meeting.AttendeeType{
		meeting.TypeNormal, meeting.TypeTelepresence, meeting.TypeTerminal, meeting.TypeOutside, meeting.TypeMobile,
		meeting.TypeTelephone, meeting.TypeIdeaHub, meeting.TypeBoard, meeting.TypeHWVision,
	} {
		tests = append(tests, struct {
			name      string
			attendee  meeting.Attendee
			wantField string
		}{name: "type " + string(typ), attendee: with(func(a *meeting.Attendee) { a.Type = typ })})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.attendee.Validate()
			if tt.wantField == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, meeting.ErrInvalidAttendee)
			assert.True(t, strings.HasPrefix(err.Error(), tt.wantField+" "), "names the field: %v", err)
			if tt.attendee.Phone != "" {
				assert.NotContains(t, err.Error(), tt.attendee.Phone, "no phone number in errors")
			}
		})
	}
}

func FuzzAttendeeValidate(f *testing.F) {
	f.Add("Alice", "+8613800000000", "", "", 0, "mobile")
	f.Add("", "2001", "a@example.com", "", 1, "normal")
	f.Add("Bob", "bob@sip.example.com", "", "+86138", 2, "terminal")
	f.Add(strings.Repeat("é", 97), "+12345", "", "", 0, "fax")
	f.Fuzz(func(t *testing.T, name, phone, email, sms string, role int, typ string) {
		a := meeting.Attendee{Name: name, Phone: phone, Email: email, SMS: sms, Role: meeting.Role(role), Type: meeting.AttendeeType(typ)}
		err := a.Validate()
		if err != nil {
			if !errors.Is(err, meeting.ErrInvalidAttendee) {
				t.Fatalf("error does not wrap ErrInvalidAttendee: %v", err)
			}
			if len(phone) >= 8 && strings.Trim(phone, "+0123456789") == "" && strings.Contains(err.Error(), phone) {
				t.Fatalf("error reveals the phone number: %v", err)
			}
			return
		}
		if n := utf8.RuneCountInString(name); n == 0 || n > 96 {
			t.Fatalf("accepted a name of %d characters", n)
		}
		if phone == "" && email == "" && sms == "" {
			t.Fatal("accepted an attendee with no phone, email or sms")
		}
	})
}
