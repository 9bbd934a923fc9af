package meeting

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"unicode/utf8"
)

// Media types of a new meeting (CreateMeeting's mediaTypes: "Voice: voice
// meeting, HDVideo: video meeting", meeting_21_0014 and the SDK's
// RestScheduleConfDto).
const (
	MediaVoice   = "Voice"
	MediaHDVideo = "HDVideo"
)

// Limits of CreateMeeting's body (meeting_21_0014).
const (
	MinMeetingLength     = 15   // minutes
	MaxMeetingLength     = 1440 // minutes (24 hours)
	DefaultMeetingLength = 30   // minutes, when length is left out
	MaxSubjectLen        = 128  // characters
)

// CreateMeetingRequest is the body of POST v1/mmc/management/conferences
// (CreateMeeting): https://support.huaweicloud.com/api-meeting/meeting_21_0014.html,
// https://support.huaweicloud.com/intl/en-us/api-meeting/meeting_21_0014.html,
// SDK model RestScheduleConfDto. Only the fields the bot may use are here.
//
// Without StartTime the meeting starts at once ("if no start time is given,
// or an empty string, the meeting starts immediately"): an instant meeting,
// confType IMMEDIATELY. Who is host: the account the bot signs in as
// schedules the meeting and is given the host and guest passwords ("when a
// meeting is created, the host and guest passwords are returned"); an
// attendee with role 1 is called in as host when the meeting starts. With
// App ID authentication an attendee needs accountId (the third-party user
// ID) and appId, which the bot does not know for Slack users: it creates the
// meeting with no attendees and then invites people as into any running
// meeting.
type CreateMeetingRequest struct {
	StartTime  string `json:"startTime,omitempty"` // UTC "yyyy-MM-dd HH:mm"; empty: now
	Length     int    `json:"length,omitempty"`    // minutes, 15–1440; 0: Huawei's default, 30
	Subject    string `json:"subject,omitempty"`   // at most 128 characters
	MediaTypes string `json:"mediaTypes"`          // MediaVoice or MediaHDVideo; required
	// Language of the notification e-mail or SMS: "zh-CN" (Huawei's
	// default) or "en-US".
	Language       string          `json:"language,omitempty"`
	ConfConfigInfo *ConfConfigInfo `json:"confConfigInfo,omitempty"`
}

// ConfConfigInfo holds the meeting settings of CreateMeeting the bot may
// set (meeting_21_0014, table ConfConfigInfo). Unset fields take the
// enterprise's defaults.
type ConfConfigInfo struct {
	IsSendNotify   *bool `json:"isSendNotify,omitempty"`   // e-mail notification
	IsSendSms      *bool `json:"isSendSms,omitempty"`      // reserved
	IsSendCalendar *bool `json:"isSendCalendar,omitempty"` // calendar e-mail
	// CallInRestriction: who may join: 0 anyone, 2 the enterprise's users,
	// 3 invited users.
	CallInRestriction *int `json:"callInRestriction,omitempty"`
	// AllowGuestStartConf: guests may start the meeting (random IDs only).
	AllowGuestStartConf *bool `json:"allowGuestStartConf,omitempty"`
}

// CreatedMeeting is a meeting CreateMeeting made. The host link and both
// passwords are secrets: String, GoString and LogValue leave them out, and
// they are never to be posted where others see them.
type CreatedMeeting struct {
	Conference           // ID, subject, state (Created for an instant meeting), times, guest link
	ChairJoinURI  string // the host's link: for the host only, privately
	HostPassword  string
	GuestPassword string
	MediaTypes    string
}

// String leaves the host link and the passwords out.
func (m CreatedMeeting) String() string {
	return fmt.Sprintf("{ID:%s Subject:%q State:%s GuestJoinURI:%s}", m.ID, m.Subject, m.State, m.GuestJoinURI)
}

// GoString leaves the secrets out of %#v too.
func (m CreatedMeeting) GoString() string { return "meeting.CreatedMeeting" + m.String() }

// LogValue leaves the secrets out of logs.
func (m CreatedMeeting) LogValue() slog.Value {
	return slog.GroupValue(slog.String("conference_id", m.ID), slog.String("state", m.State))
}

// validate checks a CreateMeetingRequest against the documented limits.
func (r CreateMeetingRequest) validate() error {
	switch {
	case r.MediaTypes != MediaVoice && r.MediaTypes != MediaHDVideo:
		return fmt.Errorf("media type %q: want %s or %s", r.MediaTypes, MediaVoice, MediaHDVideo)
	case r.Length != 0 && (r.Length < MinMeetingLength || r.Length > MaxMeetingLength):
		return fmt.Errorf("length %d minutes: want %d to %d", r.Length, MinMeetingLength, MaxMeetingLength)
	case utf8.RuneCountInString(r.Subject) > MaxSubjectLen:
		return fmt.Errorf("subject longer than %d characters", MaxSubjectLen)
	case r.Language != "" && r.Language != "zh-CN" && r.Language != "en-US":
		return fmt.Errorf("language %q: want zh-CN or en-US", r.Language)
	}
	return nil
}

// ErrCreateUnanswered is the error of CreateMeeting when its request went
// out and no answer came back that says what became of it (a timeout, a
// connection cut, an answer naming no meeting): a meeting may have been
// created. It is matched with errors.Is; the cause is wrapped too.
var ErrCreateUnanswered = errors.New("meeting: create request sent, outcome unknown")

// CreateMeeting creates a meeting, at once when in.StartTime is empty, and
// returns it with its host link and passwords. Huawei answers an array of
// ConferenceInfo; the first is the meeting. The request is sent once (a
// rejected access token is renewed and the request sent again, as nothing
// was created): creating is not idempotent, so a timeout is not retried.
//
// The client remembers the new meeting's host password and host link, so
// that Prepare finds the password even when confDetail masks it, and
// IsHostSecret knows the host link at once.
func (c *Client) CreateMeeting(ctx context.Context, in CreateMeetingRequest) (CreatedMeeting, error) {
	m, err := c.createMeeting(ctx, in)
	if err != nil {
		return CreatedMeeting{}, fmt.Errorf("create meeting: %w", err)
	}
	return m, nil
}

func (c *Client) createMeeting(ctx context.Context, in CreateMeetingRequest) (CreatedMeeting, error) {
	if err := in.validate(); err != nil {
		return CreatedMeeting{}, err
	}
	send := func(tok string) ([]ConferenceInfo, error) {
		req, err := c.newRequest(ctx, http.MethodPost, "v1/mmc/management/conferences", in)
		if err != nil {
			return nil, err
		}
		req.Header.Set("X-Access-Token", tok)
		var out []ConferenceInfo
		return out, c.do(req, &out)
	}
	tok, err := c.accessToken(ctx, "")
	if err != nil {
		return CreatedMeeting{}, err
	}
	infos, err := send(tok)
	if isUnauthorized(err) {
		c.logger.DebugContext(ctx, "meeting access token rejected; renewing once")
		if tok, err = c.accessToken(ctx, tok); err != nil {
			return CreatedMeeting{}, err
		}
		infos, err = send(tok)
	}
	if err != nil {
		return CreatedMeeting{}, unanswered(err)
	}
	if len(infos) == 0 || infos[0].ConferenceID == "" {
		return CreatedMeeting{}, fmt.Errorf("%w: the answer names no meeting", ErrCreateUnanswered)
	}
	info := infos[0]
	m := CreatedMeeting{
		Conference: Conference{
			ID: info.ConferenceID, DisplayID: info.ConferenceID, Subject: info.Subject, State: info.ConferenceState,
			StartTime: info.StartTime, EndTime: info.EndTime, GuestJoinURI: info.GuestJoinURI,
		},
		ChairJoinURI:  info.ChairJoinURI,
		HostPassword:  chairPassword(info.PasswordEntry),
		GuestPassword: guestPassword(info.PasswordEntry),
		MediaTypes:    info.MediaTypes,
	}
	c.confMu.Lock()
	e := c.entry(m.ID)
	if m.HostPassword != "" {
		e.password = m.HostPassword
	}
	e.host = newHostSecrets(m.ChairJoinURI, m.HostPassword)
	c.confMu.Unlock()
	c.logger.DebugContext(ctx, "meeting created", slog.String("conference_id", m.ID), slog.String("state", m.State))
	return m, nil
}

// unanswered marks the error of a create request whose outcome is unknown
// with ErrCreateUnanswered: any but Huawei's answer (an *APIError: nothing
// was created) or a connection never made (the request did not leave).
func unanswered(err error) error {
	var apiErr *APIError
	var opErr *net.OpError
	if errors.As(err, &apiErr) || errors.As(err, &opErr) && opErr.Op == "dial" {
		return err
	}
	return fmt.Errorf("%w: %w", ErrCreateUnanswered, err)
}

// guestPassword returns the guest password from a password list, or "".
func guestPassword(entries []PasswordEntry) string {
	for _, p := range entries {
		if p.ConferenceRole == "general" && p.Password != "" && !isMasked(p.Password) {
			return p.Password
		}
	}
	return ""
}

func isMasked(s string) bool {
	for _, r := range s {
		if r != '*' {
			return false
		}
	}
	return true
}
