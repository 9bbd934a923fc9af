package meetingfake

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/json"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CreateMeeting (POST /v1/mmc/management/conferences), from
// https://support.huaweicloud.com/api-meeting/meeting_21_0014.html (and
// intl/en-us), the SDK's RestScheduleConfDto, RestAttendeeDto and
// CreateMeetingResponse (an array of ConferenceInfo):
//
//   - X-Access-Token is required (401 USG.000000004 otherwise).
//   - mediaTypes is required: "Voice" (voice meeting) or "HDVideo" (video
//     meeting), or both separated by a comma. The answer's mediaTypes adds
//     "Data", as the page's example answers "Data,Voice,HDVideo" to
//     "HDVideo" (for "Voice", "Data,Voice": our inference).
//   - length: minutes, 15 to 1440, default 30. subject: at most 128
//     characters; without one the meeting is called "<scheduler>'s meeting"
//     (the confDetail example's "user01的会议"). language: zh-CN or en-US.
//   - startTime: UTC "yyyy-MM-dd HH:mm"; empty or absent, the meeting
//     starts at once: conferenceState "Created", confType "IMMEDIATELY"
//     (as confDetail's example shows an instant meeting). A start time
//     makes a "Schedule" meeting, confType "FUTURE" (the page's example); a
//     start time in the past is refused (our inference).
//   - attendees: each needs one of phone, email or sms (RestAttendeeDto);
//     with App ID authentication also accountId and appId ("App ID
//     scenario: required"); name at most 96 characters; role 0 or 1; type
//     as the invite's. confConfigInfo: guestPwd 4 to 16 digits,
//     callInRestriction 0, 2 or 3, prolongLength 0 to 60.
//   - The answer holds the host and guest passwords in plain text ("when a
//     meeting is created, the host and guest passwords are returned";
//     PasswordEntry.password is "明文", plain text), both join links, and
//     a new 9-digit meeting ID.
//
// Not modelled, and answered 400 MMC.111071061 so that nobody relies on
// them: recurring meetings (cycleParams), meetings in a cloud meeting room
// (vmrFlag 1, vmrID), recording and live streaming (recordType > 0). An
// instant meeting's attendees are recorded as invited but not called
// (auto-invite depends on the enterprise's settings).
type createMeetingBody struct {
	StartTime   *string           `json:"startTime"`
	Length      *int              `json:"length"`
	Subject     *string           `json:"subject"`
	MediaTypes  *string           `json:"mediaTypes"`
	Language    *string           `json:"language"`
	Attendees   []createAttendee  `json:"attendees"`
	ConfConfig  *createConfConfig `json:"confConfigInfo"`
	CycleParams json.RawMessage   `json:"cycleParams"`
	VmrFlag     *int              `json:"vmrFlag"`
	VmrID       *string           `json:"vmrID"`
	RecordType  *int              `json:"recordType"`
}

type createAttendee struct {
	Attendee
	AppID string `json:"appId,omitempty"`
}

type createConfConfig struct {
	GuestPwd          *string `json:"guestPwd"`
	CallInRestriction *int    `json:"callInRestriction"`
	ProlongLength     *int    `json:"prolongLength"`
}

const createdTimeLayout = "2006-01-02 15:04"

// checkCreate validates a CreateMeeting body; code is "" when it is valid.
func checkCreate(b createMeetingBody, appAuth bool, now time.Time) (code, msg string) {
	switch {
	case b.MediaTypes == nil || *b.MediaTypes == "":
		return codeParam, "mediaTypes is required"
	case !validMediaTypes(*b.MediaTypes):
		return codeParam, "mediaTypes must be Voice or HDVideo"
	case b.Length != nil && (*b.Length < 15 || *b.Length > 1440):
		return codeParam, "length must be 15 to 1440 minutes"
	case b.Subject != nil && utf8.RuneCountInString(*b.Subject) > 128:
		return codeParam, "subject is longer than 128 characters"
	case b.Language != nil && *b.Language != "zh-CN" && *b.Language != "en-US":
		return codeParam, "language must be zh-CN or en-US"
	case len(b.CycleParams) > 0 && string(b.CycleParams) != "null",
		b.VmrFlag != nil && *b.VmrFlag != 0, b.VmrID != nil && *b.VmrID != "",
		b.RecordType != nil && *b.RecordType != 0:
		return codeParam, "recurring, cloud-room and recorded meetings are not modelled by the fake"
	}
	if b.StartTime != nil && *b.StartTime != "" {
		t, err := time.Parse(createdTimeLayout, *b.StartTime)
		if err != nil {
			return codeParam, "startTime must be yyyy-MM-dd HH:mm"
		}
		if t.Before(now.UTC().Truncate(time.Minute)) {
			return codeParam, "startTime is in the past"
		}
	}
	if c := b.ConfConfig; c != nil {
		switch {
		case c.GuestPwd != nil && *c.GuestPwd != "" && (len(*c.GuestPwd) < 4 || len(*c.GuestPwd) > 16 || strings.Trim(*c.GuestPwd, "0123456789") != ""):
			return codeParam, "guestPwd must be 4 to 16 digits"
		case c.CallInRestriction != nil && *c.CallInRestriction != 0 && *c.CallInRestriction != 2 && *c.CallInRestriction != 3:
			return codeParam, "callInRestriction must be 0, 2 or 3"
		case c.ProlongLength != nil && (*c.ProlongLength < 0 || *c.ProlongLength > 60):
			return codeParam, "prolongLength must be 0 to 60"
		}
	}
	for i, a := range b.Attendees {
		if code, msg := checkCreateAttendee(a, appAuth); code != "" {
			return code, "attendees[" + strconv.Itoa(i) + "]: " + msg
		}
	}
	return "", ""
}

func checkCreateAttendee(a createAttendee, appAuth bool) (code, msg string) {
	switch {
	case a.Phone == "" && a.Email == "" && a.SMS == "":
		return codeNumberEmpty, "one of phone, email or sms is required"
	case appAuth && (a.AccountID == "" || a.AppID == ""):
		return codeParam, "accountId and appId are required with App ID authentication"
	case utf8.RuneCountInString(a.Name) > 96:
		return codeNameTooLong, "name is longer than 96 characters"
	case a.Role != nil && *a.Role != 0 && *a.Role != 1:
		return codeRole, "role must be 0 or 1"
	case a.Type != "" && !attendeeTypes[a.Type]:
		return codeParam, "unknown attendee type"
	}
	return "", ""
}

func validMediaTypes(s string) bool {
	for _, m := range strings.Split(s, ",") {
		if m != "Voice" && m != "HDVideo" {
			return false
		}
	}
	return true
}

// handleCreateMeeting serves POST /v1/mmc/management/conferences.
func (s *Server) handleCreateMeeting(w http.ResponseWriter, r *http.Request, rid string) {
	if !s.checkAccessToken(w, r, rid) {
		return
	}
	user := s.tokens.user(r.Header.Get("X-Access-Token"))
	body, ok := readBody(r)
	if !ok {
		writeError(w, http.StatusBadRequest, codeParam, "request body too large", rid)
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		writeError(w, http.StatusBadRequest, codeEmptyBody, "request body is empty", rid)
		return
	}
	var b createMeetingBody
	if err := json.Unmarshal(body, &b); err != nil {
		writeError(w, http.StatusBadRequest, codeParam, "malformed request body", rid)
		return
	}
	now := s.now()
	if code, msg := checkCreate(b, strings.HasPrefix(user, "app:"), now); code != "" {
		writeError(w, http.StatusBadRequest, code, msg, rid)
		return
	}
	c := s.newMeeting(b, user, now)

	s.mu.Lock()
	c.ID = s.freeMeetingIDLocked()
	cs := newConfState(c)
	cs.createdBy = user
	for _, a := range b.Attendees {
		if k := attendeeKey(a.Attendee); !isIn(cs.invitedKeys, k) {
			cs.invitedKeys[k] = struct{}{}
			cs.invited = append(cs.invited, a.Attendee)
		}
	}
	s.confs[c.ID] = cs
	s.mu.Unlock()

	d := s.confData(c, false)
	d.MediaTypes = "Data," + *b.MediaTypes
	d.Size = len(b.Attendees)
	d.ConfType = "FUTURE"
	if c.State == StateCreated {
		d.ConfType = "IMMEDIATELY"
	}
	d.Language = cmp.Or(ptrString(b.Language), "zh-CN")
	writeJSON(w, http.StatusOK, []conferenceData{d})
}

// newMeeting is the meeting a valid CreateMeeting body asks for, without
// its ID.
func (s *Server) newMeeting(b createMeetingBody, user string, now time.Time) Conference {
	length := 30
	if b.Length != nil {
		length = *b.Length
	}
	start, state := now.UTC(), StateCreated
	if st := ptrString(b.StartTime); st != "" {
		start, _ = time.Parse(createdTimeLayout, st) // checked by checkCreate
		state = StateSchedule
	}
	scheduler := strings.TrimPrefix(strings.TrimPrefix(user, "app:"), "account:")
	if scheduler == "" {
		scheduler = "Enterprise Admin" // App ID sign-in without a userId: the enterprise's default administrator
	}
	guest := randDigits(6)
	if b.ConfConfig != nil && ptrString(b.ConfConfig.GuestPwd) != "" {
		guest = *b.ConfConfig.GuestPwd
	}
	return Conference{
		Subject:       cmp.Or(ptrString(b.Subject), scheduler+"'s meeting"),
		State:         state,
		ChairPassword: randDigits(6),
		GuestPassword: guest,
		StartTime:     start.Format(createdTimeLayout),
		EndTime:       start.Add(time.Duration(length) * time.Minute).Format(createdTimeLayout),
		Scheduler:     scheduler,
	}
}

// freeMeetingIDLocked draws a 9-digit meeting ID starting with 9, as in
// every doc example, that no meeting or room has. s.mu must be held.
func (s *Server) freeMeetingIDLocked() string {
	for {
		id := "9" + randDigits(8)
		if _, taken := s.confs[id]; taken {
			continue
		}
		clash := false
		for _, cs := range s.confs {
			clash = clash || cs.conf.RoomID == id
		}
		if !clash {
			return id
		}
	}
}

func randDigits(n int) string {
	var b strings.Builder
	for range n {
		d, _ := rand.Int(rand.Reader, big.NewInt(10)) // never fails since Go 1.24
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String()
}

func ptrString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
