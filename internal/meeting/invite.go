package meeting

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Role is an attendee's role in the conference.
type Role int

// Roles. The bot invites participants; inviting as host hands over control.
const (
	RoleParticipant Role = 0
	RoleHost        Role = 1
)

// AttendeeType tells Huawei what kind of endpoint to call.
type AttendeeType string

// Attendee types (the older and the current documented enumerations).
const (
	TypeNormal       AttendeeType = "normal"       // soft client (SIP number)
	TypeTelepresence AttendeeType = "telepresence" // reserved
	TypeTerminal     AttendeeType = "terminal"     // meeting room or hardware terminal
	TypeOutside      AttendeeType = "outside"      // external participant
	TypeMobile       AttendeeType = "mobile"       // mobile number (needs PSTN)
	TypeTelephone    AttendeeType = "telephone"    // reserved
	TypeIdeaHub      AttendeeType = "ideahub"
	TypeBoard        AttendeeType = "board"
	TypeHWVision     AttendeeType = "hwvision"
)

// Attendee is one person or device to call, with Huawei's JSON names.
type Attendee struct {
	UserUUID  string       `json:"userUUID,omitempty"`
	AccountID string       `json:"accountId,omitempty"`
	Name      string       `json:"name"`  // 1..96 characters
	Role      Role         `json:"role"`  // always sent
	Phone     string       `json:"phone"` // required: SIP number or +<country code><digits>, <= 127
	Phone2    string       `json:"phone2,omitempty"`
	Phone3    string       `json:"phone3,omitempty"`
	Email     string       `json:"email,omitempty"`    // <= 255
	SMS       string       `json:"sms,omitempty"`      // <= 32
	Type      AttendeeType `json:"type"`               // always sent
	DeptUUID  string       `json:"deptUUID,omitempty"` // <= 64
	DeptName  string       `json:"deptName,omitempty"` // <= 128
}

// Validate checks the attendee against the documented limits (counted in characters,
// not bytes). The error wraps ErrInvalidAttendee and names the field, never its value.
func (a Attendee) Validate() error {
	switch {
	case strings.TrimSpace(a.Name) == "":
		return invalid("name", "is empty")
	case !utf8.ValidString(a.Name):
		return invalid("name", "is not valid UTF-8")
	case a.Role != RoleParticipant && a.Role != RoleHost:
		return invalid("role", "is not 0 or 1")
	case !a.Type.valid():
		return invalid("type", "is not a documented attendee type")
	case a.Phone == "":
		// Mandatory on meeting_21_0030 (en) and in the SDK model; an email
		// or SMS alone rings nobody and gets no notice in a running meeting.
		return invalid("phone", "is empty")
	}
	limits := []struct {
		field, value string
		max          int
	}{
		{"name", a.Name, 96},
		{"phone", a.Phone, 127},
		{"phone2", a.Phone2, 127},
		{"phone3", a.Phone3, 127},
		{"email", a.Email, 255},
		{"sms", a.SMS, 32},
		{"deptUUID", a.DeptUUID, 64},
		{"deptName", a.DeptName, 128},
	}
	for _, l := range limits {
		if utf8.RuneCountInString(l.value) > l.max {
			return invalid(l.field, fmt.Sprintf("is longer than %d characters", l.max))
		}
	}
	for _, p := range []struct{ field, value string }{{"phone", a.Phone}, {"phone2", a.Phone2}, {"phone3", a.Phone3}} {
		if p.value != "" && !validPhone(p.value) {
			return invalid(p.field, "is neither +<6-20 digits> nor a SIP number or address")
		}
	}
	return nil
}

func invalid(field, problem string) error {
	return fmt.Errorf("%s %s: %w", field, problem, ErrInvalidAttendee)
}

func (t AttendeeType) valid() bool {
	switch t {
	case TypeNormal, TypeTelepresence, TypeTerminal, TypeOutside, TypeMobile,
		TypeTelephone, TypeIdeaHub, TypeBoard, TypeHWVision:
		return true
	}
	return false
}

// validPhone accepts "+" and 6 to 20 digits, a SIP number (digits), or a SIP
// address (user@domain, user@ip:port).
func validPhone(s string) bool {
	if rest, ok := strings.CutPrefix(s, "+"); ok {
		return len(rest) >= 6 && len(rest) <= 20 && allDigits(rest)
	}
	if allDigits(s) {
		return true
	}
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && strings.IndexFunc(s, unicode.IsSpace) < 0
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// validateAttendees checks a non-empty attendee list.
func validateAttendees(attendees []Attendee) error {
	if len(attendees) == 0 {
		return fmt.Errorf("no attendees: %w", ErrInvalidAttendee)
	}
	for i, a := range attendees {
		if err := a.Validate(); err != nil {
			return fmt.Errorf("attendees[%d]: %w", i, err)
		}
	}
	return nil
}

// InviteRequest is the body of POST v1/mmc/control/conferences/participants.
type InviteRequest struct {
	ConferenceID string     `json:"-"` // sent as the conferenceID query parameter
	Attendees    []Attendee `json:"attendees"`
}

func (c *Client) inviteParticipants(ctx context.Context, controlToken string, in InviteRequest) (requestID string, err error) {
	if in.ConferenceID == "" {
		return "", errNoConferenceID
	}
	if err := validateAttendees(in.Attendees); err != nil {
		return "", err
	}
	path := "v1/mmc/control/conferences/participants?" + url.Values{"conferenceID": {in.ConferenceID}}.Encode()
	req, err := c.newRequest(ctx, http.MethodPost, path, in)
	if err != nil {
		return "", err
	}
	req.Header.Set("X-Conference-Authorization", controlToken)
	return c.doID(req, nil)
}

// Invite calls the attendees into a running conference in one request. It validates
// every attendee first (ErrInvalidAttendee, nothing sent), then uses the cached control
// token, preparing the conference first if there is none (as Prepare with no password:
// the chair password, else one that worked before). If the control token is rejected
// (401) it fetches a new one and retries once; it never retries otherwise, since some
// attendees may already be ringing. A nil error means the request was accepted, not
// that anyone answered; requestID is Huawei's ID of the accepted request, for the
// audit trail.
func (c *Client) Invite(ctx context.Context, conferenceID string, attendees []Attendee) (requestID string, err error) {
	requestID, err = c.invite(ctx, conferenceID, attendees)
	if err != nil {
		return "", fmt.Errorf("invite to conference %s: %w", conferenceID, err)
	}
	return requestID, nil
}

func (c *Client) invite(ctx context.Context, conferenceID string, attendees []Attendee) (string, error) {
	if err := validateAttendees(attendees); err != nil {
		return "", err
	}
	conf, tok, err := c.prepare(ctx, conferenceID, "")
	if err != nil {
		return "", err
	}
	// Into Huawei's conferenceID, which for a fixed room ID is not the one typed.
	in := InviteRequest{ConferenceID: conf.ID, Attendees: attendees}
	id, err := c.inviteParticipants(ctx, tok, in)
	if !isUnauthorized(err) {
		return id, err
	}
	c.logger.DebugContext(ctx, "meeting control token rejected; fetching a new one",
		slog.String("conference_id", conferenceID))
	c.dropControlToken(conferenceID, tok)
	if conf, tok, err = c.prepare(ctx, conferenceID, ""); err != nil {
		return "", err
	}
	in.ConferenceID = conf.ID
	return c.inviteParticipants(ctx, tok, in)
}
