package meetingfake

import (
	"bytes"
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	codeParam          = "MMC.111071061" // parameter check failed
	codeEmptyBody      = "MMC.111072057"
	codeNotFound       = "MMC.111070005"
	codeTokenNull      = "MMC.111070111"
	codeHostAuth       = "MMC.111072065"
	codeControlLocked  = "MMC.111072064"
	codeNotStarted     = "MMC.111072005"
	codeStarting       = "MMC.111072004"
	codeEnded          = "MMC.111072006"
	codeNumberEmpty    = "MMC.111072031"
	codeNumberTooLong  = "MMC.111072032"
	codeNumberFormat   = "MMC.111072033"
	codeNameTooLong    = "MMC.111072034"
	codeRole           = "MMC.111072035"
	codeEmailTooLong   = "MMC.111072036"
	codeSMSTooLong     = "MMC.111072037"
	codeNameEmpty      = "MMC.111072046"
	codeEmailInvalid   = "MMC.111071024"
	codeFull           = "MMC.111072101"
	defaultDetailLimit = 20
)

// confState is a conference and everything that happened to it.
type confState struct {
	conf          Conference
	failedLogins  int
	invitedKeys   map[string]struct{} // distinct phone/email/sms already invited
	invited       []Attendee          // one per distinct key, in order
	invitations   []Invitation
	online        []Participant // in the meeting or being called, in join order
	version       int64         // of the last increment pushed, any type
	repeatVersion bool          // the next increment repeats version
	createdBy     string        // the access token's user that created it (CreateMeeting), else ""
}

type controlToken struct {
	confID  string
	expires time.Time
}

func newConfState(c Conference) *confState {
	if c.State == "" {
		c.State = StateCreated
	}
	return &confState{conf: c, invitedKeys: make(map[string]struct{})}
}

// AddConference adds c, or replaces the settings of the conference with the
// same ID (its invitations, tokens and failed host logins are kept).
func (s *Server) AddConference(c Conference) {
	if c.State == "" {
		c.State = StateCreated
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs, ok := s.confs[c.ID]; ok {
		cs.conf = c
		return
	}
	s.confs[c.ID] = newConfState(c)
}

// Conferences returns every conference, seeded or created
// (CreateMeeting), with its current state, by ID.
func (s *Server) Conferences() []Conference {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Conference, 0, len(s.confs))
	for _, cs := range s.confs {
		out = append(out, cs.conf)
	}
	slices.SortFunc(out, func(a, b Conference) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// SetState moves a conference to state ("Schedule", "Creating", "Created",
// "Destroyed"; empty means "Created"). Unknown conferences are ignored;
// unknown states make control calls answer MMC.111072005.
func (s *Server) SetState(conferenceID, state string) {
	if state == "" {
		state = StateCreated
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs, ok := s.confs[conferenceID]; ok {
		cs.conf.State = state
		if state == StateDestroyed {
			s.endMeetingLocked(cs)
		}
	}
}

// ExpireControlTokens revokes every control token issued so far: each now
// answers 401. Tokens issued afterwards work.
func (s *Server) ExpireControlTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.controlTokens)
}

// Invitations returns copies of the accepted invite calls for a conference,
// in order.
func (s *Server) Invitations(conferenceID string) []Invitation {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, ok := s.confs[conferenceID]
	if !ok || len(cs.invitations) == 0 {
		return nil
	}
	out := make([]Invitation, len(cs.invitations))
	for i, inv := range cs.invitations {
		inv.Attendees = cloneAttendees(inv.Attendees)
		out[i] = inv
	}
	return out
}

func cloneAttendees(in []Attendee) []Attendee {
	out := slices.Clone(in)
	for i := range out {
		if out[i].Role != nil {
			role := *out[i].Role
			out[i].Role = &role
		}
	}
	return out
}

// stateError is the error a control call answers in state, or "" when running.
func stateError(state string) (code, msg string) {
	switch state {
	case StateCreated:
		return "", ""
	case StateCreating:
		return codeStarting, "CONF_IS_STARTING"
	case StateDestroyed:
		return codeEnded, "CONF_IS_CLOSED"
	default:
		return codeNotStarted, "CONF_NOT_STARTED"
	}
}

// parseControlAuth accepts "<token>" and "Basic <base64(token)>".
func parseControlAuth(h string) (string, bool) {
	if enc, ok := strings.CutPrefix(h, "Basic "); ok {
		raw, err := base64.StdEncoding.DecodeString(enc)
		if err != nil || len(raw) == 0 {
			return "", false
		}
		return string(raw), true
	}
	return h, h != ""
}

// checkControlLocked validates X-Conference-Authorization for confID and the
// meeting's state. s.mu must be held. On failure it returns the error to write.
func (s *Server) checkControlLocked(h, confID string, now time.Time) (cs *confState, status int, code, msg string) {
	if h == "" {
		return nil, http.StatusUnauthorized, codeTokenNull, "REQUEST_TOKEN_IS_NULL"
	}
	tok, ok := parseControlAuth(h)
	if !ok {
		return nil, http.StatusUnauthorized, codeUnauthorized, "control token is malformed"
	}
	ct, ok := s.controlTokens[tok]
	if !ok || !now.Before(ct.expires) {
		delete(s.controlTokens, tok)
		return nil, http.StatusUnauthorized, codeUnauthorized, "control token is invalid or expired"
	}
	if ct.confID != confID {
		return nil, http.StatusUnauthorized, codeUnauthorized, "control token belongs to another conference"
	}
	cs, ok = s.confs[confID]
	if !ok {
		return nil, http.StatusBadRequest, codeNotFound, "CONF_DATA_NOT_FOUND"
	}
	if code, msg := stateError(cs.conf.State); code != "" {
		return nil, http.StatusBadRequest, code, msg
	}
	return cs, 0, "", ""
}

// lockControl takes s.mu and checks the request's control token for confID
// and the meeting's state. On success it returns the conference with s.mu
// still held; otherwise it has answered the error and released s.mu.
func (s *Server) lockControl(w http.ResponseWriter, r *http.Request, confID, rid string) *confState {
	s.mu.Lock()
	cs, status, code, msg := s.checkControlLocked(r.Header.Get("X-Conference-Authorization"), confID, s.now())
	if cs == nil {
		s.mu.Unlock()
		writeError(w, status, code, msg, rid)
	}
	return cs
}

type controlTokenData struct {
	Token               string   `json:"token"`
	TmpWsToken          string   `json:"tmpWsToken"`
	WsURL               string   `json:"wsURL"`
	Role                int      `json:"role"`
	ExpireTime          int64    `json:"expireTime"`
	ConfTokenExpireTime int64    `json:"confTokenExpireTime"`
	UserID              string   `json:"userID"`
	OrgID               string   `json:"orgID"`
	VmrCurrentConfID    string   `json:"vmrCurrentConfID"`
	SupportNotifyType   []string `json:"supportNotifyType"`
}

type controlTokenResponse struct {
	Data           controlTokenData `json:"data"`
	AddressToken   string           `json:"addressToken"`
	GloablPublicIP string           `json:"gloablPublicIP"` // sic, Huawei's spelling
}

func (s *Server) writeControlToken(w http.ResponseWriter, confID, tok string, expires time.Time) {
	s.mu.Lock()
	wsTok := s.registerWsTokenLocked(confID, s.now())
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, controlTokenResponse{
		Data: controlTokenData{
			Token:               tok,
			TmpWsToken:          wsTok,
			WsURL:               s.wsURL,
			Role:                1,
			ExpireTime:          expires.UnixMilli(),
			ConfTokenExpireTime: int64(s.cfg.ControlTokenTTL / time.Second),
			UserID:              "fake-scheduler-uuid",
			OrgID:               "fake-org",
			SupportNotifyType:   []string{"ConfBasicInfoNotify", "ConfDynamicInfoNotify", "ParticipantsNotify", "InviteResultNotify"},
		},
		AddressToken:   randHex(16),
		GloablPublicIP: "127.0.0.1",
	})
}

// handleControlToken serves GET /v1/mmc/control/conferences/token.
func (s *Server) handleControlToken(w http.ResponseWriter, r *http.Request, rid string) {
	confID := r.URL.Query().Get("conferenceID")
	if confID == "" {
		writeError(w, http.StatusBadRequest, codeParam, "conferenceID is required", rid)
		return
	}
	if r.Header.Get("X-Login-Type") != "1" {
		writeError(w, http.StatusBadRequest, codeParam, "X-Login-Type must be 1", rid)
		return
	}
	now := s.now()
	ttl := s.cfg.ControlTokenTTL

	s.mu.Lock()
	// Keep-alive: a live token for this conference is extended; the password
	// is not checked. A dead one falls through to password authentication.
	if h := r.Header.Get("X-Conference-Authorization"); h != "" {
		if tok, ok := parseControlAuth(h); ok {
			if ct, ok := s.controlTokens[tok]; ok && ct.confID == confID && now.Before(ct.expires) {
				cs := s.confs[confID]
				if code, msg := stateError(cs.conf.State); code != "" {
					s.mu.Unlock()
					writeError(w, http.StatusBadRequest, code, msg, rid)
					return
				}
				ct.expires = now.Add(ttl)
				s.controlTokens[tok] = ct
				s.mu.Unlock()
				s.writeControlToken(w, confID, tok, ct.expires)
				return
			}
		}
	}
	password := r.Header.Get("X-Password")
	if password == "" {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, codeParam, "X-Password is required", rid)
		return
	}
	cs, ok := s.confs[confID]
	if !ok {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, codeHostAuth, "CONF_NOT_FOUND_OR_AUTH_FAILED", rid)
		return
	}
	if cs.failedLogins >= s.cfg.LockAfter {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, codeControlLocked, "CONF_CONTROL_LOGIN_LOCKED", rid)
		return
	}
	chair := cs.conf.ChairPassword
	if chair == "" || subtle.ConstantTimeCompare([]byte(password), []byte(chair)) != 1 {
		cs.failedLogins++
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, codeHostAuth, "CONF_NOT_FOUND_OR_AUTH_FAILED", rid)
		return
	}
	cs.failedLogins = 0
	if code, msg := stateError(cs.conf.State); code != "" {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, code, msg, rid)
		return
	}
	tok := "stb" + randHex(24)
	expires := now.Add(ttl)
	s.controlTokens[tok] = controlToken{confID: confID, expires: expires}
	s.issuedCtl++
	if s.issuedCtl%1024 == 0 {
		for t, ct := range s.controlTokens {
			if !now.Before(ct.expires) {
				delete(s.controlTokens, t)
			}
		}
	}
	s.mu.Unlock()
	s.writeControlToken(w, confID, tok, expires)
}

// attendeeKey identifies an invitee for MaxParticipants: the number
// called (every accepted attendee has one).
func attendeeKey(a Attendee) string { return a.Phone }

var attendeeTypes = map[string]bool{
	"normal": true, "telepresence": true, "terminal": true, "outside": true, "mobile": true,
	"telephone": true, "ideahub": true, "board": true, "hwvision": true,
}

// validPhone accepts "+digits", "digits" and a SIP "user@domain" form.
func validPhone(p string) bool {
	digits := strings.TrimPrefix(p, "+")
	if digits != "" && strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) < 0 {
		return true
	}
	user, domain, ok := strings.Cut(p, "@")
	return ok && user != "" && domain != "" && !strings.Contains(domain, "@") &&
		!strings.ContainsFunc(p, func(r rune) bool { return r <= ' ' || r == 0x7f })
}

// validateAttendee returns the code and message of the first problem, or "".
func validateAttendee(a Attendee) (code, msg string) {
	runes := utf8.RuneCountInString
	switch {
	case strings.TrimSpace(a.Name) == "":
		return codeNameEmpty, "participant name is empty"
	case runes(a.Name) > 96:
		return codeNameTooLong, "participant name is longer than 96 characters"
	case a.Phone == "":
		// meeting_21_0030 (en, 2025) marks phone mandatory and the SDK's
		// Attendee.Phone has no omitempty; an email or SMS alone is not enough.
		return codeNumberEmpty, "phone is required"
	}
	for _, p := range []string{a.Phone, a.Phone2, a.Phone3} {
		if p == "" {
			continue
		}
		if runes(p) > 127 {
			return codeNumberTooLong, "participant number is longer than 127 characters"
		}
		if !validPhone(p) {
			return codeNumberFormat, "participant number must be user@domain or country code + number"
		}
	}
	if a.Email != "" {
		if runes(a.Email) > 255 {
			return codeEmailTooLong, "email is longer than 255 characters"
		}
		user, domain, _ := strings.Cut(a.Email, "@")
		if strings.Count(a.Email, "@") != 1 || user == "" || domain == "" {
			return codeEmailInvalid, "invalid email"
		}
	}
	switch {
	case runes(a.SMS) > 32:
		return codeSMSTooLong, "sms number is longer than 32 characters"
	case a.Role != nil && *a.Role != 0 && *a.Role != 1:
		return codeRole, "role must be 0 or 1"
	case a.Type != "" && !attendeeTypes[a.Type]:
		return codeParam, "unknown attendee type"
	case runes(a.DeptUUID) > 64:
		return codeParam, "deptUUID is longer than 64 characters"
	case runes(a.DeptName) > 128:
		return codeParam, "deptName is longer than 128 characters"
	}
	return "", ""
}

// parseInvite decodes and validates an invite body, returning the first error.
func parseInvite(body []byte) (atts []Attendee, code, msg string) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, codeEmptyBody, "request body is empty"
	}
	var req struct {
		Attendees json.RawMessage `json:"attendees"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, codeParam, "malformed request body"
	}
	if len(req.Attendees) == 0 || string(req.Attendees) == "null" {
		return nil, codeParam, "attendees is required"
	}
	if err := json.Unmarshal(req.Attendees, &atts); err != nil {
		return nil, codeParam, "attendees must be an array of attendee objects"
	}
	if len(atts) == 0 {
		return nil, codeParam, "attendees is empty"
	}
	for i, a := range atts {
		if code, msg := validateAttendee(a); code != "" {
			return nil, code, "attendees[" + strconv.Itoa(i) + "]: " + msg
		}
		if a.Type == "" {
			// "The default value is defined by the server" (meeting_21_0030);
			// the doc's own cURL example leaves type out.
			atts[i].Type = defaultAttendeeType
		}
	}
	return atts, "", ""
}

// handleInvite serves POST /v1/mmc/control/conferences/participants.
// Order of checks: conferenceID, control token, meeting state, body and each
// attendee, participant limit. A locked meeting takes the host's invitations
// (meeting_21_0037: "主持人邀请来宾不受影响"), and a mobile number without PSTN
// permission is accepted and then fails by push (meeting_21_0030: "otherwise
// the call cannot be made"), as callLocked does.
func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request, rid string) {
	confID := r.URL.Query().Get("conferenceID")
	if confID == "" {
		writeError(w, http.StatusBadRequest, codeParam, "conferenceID is required", rid)
		return
	}
	body, ok := readBody(r)
	var atts []Attendee
	var bodyCode, bodyMsg string
	if ok {
		atts, bodyCode, bodyMsg = parseInvite(body)
	} else {
		bodyCode, bodyMsg = codeParam, "request body too large"
	}
	now := s.now()

	cs := s.lockControl(w, r, confID, rid)
	if cs == nil {
		return
	}
	if bodyCode != "" {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, bodyCode, bodyMsg, rid)
		return
	}
	fresh := make(map[string]struct{}, len(atts))
	for _, a := range atts {
		if k := attendeeKey(a); !isIn(cs.invitedKeys, k) {
			fresh[k] = struct{}{}
		}
	}
	if limit := cs.conf.MaxParticipants; limit > 0 && len(cs.invitedKeys)+len(fresh) > limit {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, codeFull, "EXCEED_CONF_PARTICIPANT_NUM", rid)
		return
	}
	for _, a := range atts {
		k := attendeeKey(a)
		if !isIn(cs.invitedKeys, k) {
			cs.invitedKeys[k] = struct{}{}
			cs.invited = append(cs.invited, a)
		}
	}
	inv := Invitation{ConferenceID: confID, Attendees: atts, RequestID: rid, At: now}
	cs.invitations = append(cs.invitations, inv)
	s.callLocked(cs, atts)
	s.mu.Unlock()

	if fn := s.onInvite.Load(); fn != nil {
		inv.Attendees = cloneAttendees(atts)
		(*fn)(inv)
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

func isIn(m map[string]struct{}, k string) bool {
	_, ok := m[k]
	return ok
}

type passwordEntry struct {
	ConferenceRole string `json:"conferenceRole"`
	Password       string `json:"password"`
}

type conferenceData struct {
	ConferenceID    string          `json:"conferenceID"`
	Subject         string          `json:"subject"`
	Size            int             `json:"size"`
	TimeZoneID      string          `json:"timeZoneID"`
	StartTime       string          `json:"startTime"`
	EndTime         string          `json:"endTime"`
	MediaTypes      string          `json:"mediaTypes"`
	ConferenceState string          `json:"conferenceState"`
	Language        string          `json:"language"`
	PasswordEntry   []passwordEntry `json:"passwordEntry"`
	UserUUID        string          `json:"userUUID"`
	ScheduserName   string          `json:"scheduserName"`
	ConferenceType  int             `json:"conferenceType"`
	ConfType        string          `json:"confType"`
	IsAutoMute      int             `json:"isAutoMute"`
	IsAutoRecord    int             `json:"isAutoRecord"`
	ChairJoinURI    string          `json:"chairJoinUri"`
	GuestJoinURI    string          `json:"guestJoinUri"`
	RecordType      int             `json:"recordType"`
	VmrFlag         int             `json:"vmrFlag"`
	VmrConferenceID string          `json:"vmrConferenceID,omitempty"`
	VmrID           string          `json:"vmrID,omitempty"`
	ConfUUID        string          `json:"confUUID"`
}

type detailParticipant struct {
	ParticipantID string `json:"participantID"`
	Name          string `json:"name"`
	Role          string `json:"role"`
	Address       string `json:"address"`
	AttendeeType  string `json:"attendeeType"`
	AccountID     string `json:"accountId,omitempty"`
	UserUUID      string `json:"userUUID,omitempty"`
	Email         string `json:"email,omitempty"`
	SMS           string `json:"sms,omitempty"`
	DeptName      string `json:"deptName,omitempty"`
}

type detailPage struct {
	Offset int                 `json:"offset"`
	Limit  int                 `json:"limit"`
	Count  int                 `json:"count"`
	Data   []detailParticipant `json:"data"`
}

type confDetailResponse struct {
	ConferenceData conferenceData `json:"conferenceData"`
	Data           detailPage     `json:"data"`
}

// pageParams parses offset and limit; ok is false when either is malformed.
func pageParams(r *http.Request, defLimit, maxLimit int) (offset, limit int, ok bool) {
	q := r.URL.Query()
	offset, limit = 0, defLimit
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, false
		}
		offset = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, false
		}
		if n > 0 {
			limit = min(n, maxLimit)
		}
	}
	return offset, limit, true
}

// page clamps offset to the last page (Huawei returns the last page beyond
// the end) and returns the slice bounds.
func page(count, offset, limit int) (newOffset, lo, hi int) {
	if count > 0 && offset >= count {
		offset = (count - 1) / limit * limit
	}
	lo = min(offset, count)
	hi = min(lo+limit, count)
	return offset, lo, hi
}

func participantRole(a Attendee) string {
	if a.Role != nil && *a.Role == 1 {
		return "chair"
	}
	return "general"
}

// handleConfDetail serves GET /v1/mmc/management/conferences/confDetail.
func (s *Server) handleConfDetail(w http.ResponseWriter, r *http.Request, rid string) {
	if !s.checkAccessToken(w, r, rid) {
		return
	}
	confID := r.URL.Query().Get("conferenceID")
	if confID == "" {
		writeError(w, http.StatusBadRequest, codeParam, "conferenceID is required", rid)
		return
	}
	offset, limit, ok := pageParams(r, defaultDetailLimit, 500)
	if !ok {
		writeError(w, http.StatusBadRequest, codeParam, "offset and limit must be non-negative integers", rid)
		return
	}
	s.mu.Lock()
	cs, found := s.confs[confID]
	if !found {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, codeNotFound, "CONF_DATA_NOT_FOUND", rid)
		return
	}
	c := cs.conf
	offset, lo, hi := page(len(cs.invited), offset, limit)
	parts := make([]detailParticipant, 0, hi-lo)
	for i, a := range cs.invited[lo:hi] {
		parts = append(parts, detailParticipant{
			ParticipantID: "pid-" + strconv.Itoa(lo+i+1),
			Name:          a.Name, Role: participantRole(a), Address: a.Phone, AttendeeType: a.Type,
			AccountID: a.AccountID, UserUUID: a.UserUUID, Email: a.Email, SMS: a.SMS, DeptName: a.DeptName,
		})
	}
	count := len(cs.invited)
	s.mu.Unlock()

	writeJSON(w, http.StatusOK, confDetailResponse{
		ConferenceData: s.confData(c, false),
		Data:           detailPage{Offset: offset, Limit: limit, Count: count, Data: parts},
	})
}

// confData is a conference as confDetail and the online-meeting list show
// it. The SDK's ConferenceInfo.passwordEntry: "the scheduler gets the host
// and guest passwords; a host gets the host password; a guest gets the
// guest password". HidePasswords is the guest's view: no chair entry. The
// list masks passwords as its doc example does (mask).
func (s *Server) confData(c Conference, mask bool) conferenceData {
	var entries []passwordEntry
	show := func(p string) string {
		if mask {
			return "******"
		}
		return p
	}
	if c.ChairPassword != "" && !c.HidePasswords {
		entries = append(entries, passwordEntry{ConferenceRole: "chair", Password: show(c.ChairPassword)})
	}
	if c.GuestPassword != "" {
		entries = append(entries, passwordEntry{ConferenceRole: "general", Password: show(c.GuestPassword)})
	}
	d := conferenceData{
		ConferenceID:    c.ID,
		Subject:         c.Subject,
		Size:            c.MaxParticipants,
		TimeZoneID:      "56",
		StartTime:       c.StartTime,
		EndTime:         c.EndTime,
		MediaTypes:      "Voice,Video,Data",
		ConferenceState: c.State,
		Language:        "en-US",
		PasswordEntry:   entries,
		UserUUID:        "fake-scheduler-uuid",
		ScheduserName:   cmp.Or(c.Scheduler, fakeScheduler),
		ConfType:        "FUTURE",
		ChairJoinURI:    s.JoinLink(c.ID, true),
		GuestJoinURI:    s.JoinLink(c.ID, false),
		ConfUUID:        "conf-uuid-" + c.ID,
	}
	if c.RoomID != "" {
		d.VmrFlag, d.VmrConferenceID, d.VmrID = 1, c.RoomID, "vmr-"+c.RoomID
	}
	return d
}

// JoinLink returns a meeting's join link as confDetail gives it: the host's
// (chairJoinUri) or the guests' (guestJoinUri). Both have the form of
// meeting_21_0018's example, https://c.meeting.huaweicloud.com/#/j/<ID>/<key>
// with a 48-hex-digit key, and differ only in the key, which is stable for
// the meeting and unguessable (an HMAC under a key drawn at Start).
func (s *Server) JoinLink(conferenceID string, host bool) string {
	role := "guest"
	if host {
		role = "chair"
	}
	mac := hmac.New(sha256.New, s.linkKey)
	mac.Write([]byte(role + ":" + conferenceID))
	return "https://c.meeting.huaweicloud.com/#/j/" + conferenceID + "/" + hex.EncodeToString(mac.Sum(nil))[:48]
}

// fakeScheduler is who scheduled every meeting of the fake: not the bot's
// user, so that the online-meeting list shows them only with queryAll.
const fakeScheduler = "Fake Scheduler"

type onlineMeetingsResponse struct {
	Offset int              `json:"offset"`
	Limit  int              `json:"limit"`
	Count  int              `json:"count"`
	Data   []conferenceData `json:"data"`
}

// handleOnlineMeetings serves GET /v1/mmc/management/conferences/online
// (SearchOnlineMeetings, meeting_21_0025): running meetings, oldest first,
// paged (limit default 20, at most 500). searchKey (1–128 characters)
// matches subject, scheduler and meeting ID; that it also matches the
// fixed room ID (vmrConferenceID) is our inference. queryAll=true lists the
// whole enterprise for an administrator (the fake's caller always is one);
// without it only the caller's own meetings, and the fake's are all the
// Fake Scheduler's.
func (s *Server) handleOnlineMeetings(w http.ResponseWriter, r *http.Request, rid string) {
	if !s.checkAccessToken(w, r, rid) {
		return
	}
	q := r.URL.Query()
	offset, limit, ok := pageParams(r, defaultDetailLimit, 500)
	if !ok {
		writeError(w, http.StatusBadRequest, codeParam, "offset and limit must be non-negative integers", rid)
		return
	}
	all, err := strconv.ParseBool(cmp.Or(q.Get("queryAll"), "false"))
	if err != nil {
		writeError(w, http.StatusBadRequest, codeParam, "queryAll must be true or false", rid)
		return
	}
	key, hasKey := q.Get("searchKey"), q.Has("searchKey")
	if hasKey && (key == "" || utf8.RuneCountInString(key) > 128) {
		writeError(w, http.StatusBadRequest, codeParam, "searchKey must be 1 to 128 characters", rid)
		return
	}
	key = strings.ToLower(key)
	caller := s.tokens.user(r.Header.Get("X-Access-Token"))
	s.mu.Lock()
	var found []Conference
	for _, cs := range s.confs {
		c := cs.conf
		if !all && (cs.createdBy == "" || cs.createdBy != caller) || c.State != StateCreated {
			continue
		}
		if hasKey && !slices.ContainsFunc([]string{c.Subject, cmp.Or(c.Scheduler, fakeScheduler), c.ID, c.RoomID}, func(f string) bool {
			return f != "" && strings.Contains(strings.ToLower(f), key)
		}) {
			continue
		}
		found = append(found, c)
	}
	s.mu.Unlock()
	slices.SortFunc(found, func(a, b Conference) int {
		return cmp.Or(cmp.Compare(a.StartTime, b.StartTime), cmp.Compare(a.ID, b.ID))
	})
	offset, lo, hi := page(len(found), offset, limit)
	data := make([]conferenceData, 0, hi-lo)
	for _, c := range found[lo:hi] {
		data = append(data, s.confData(c, true))
	}
	writeJSON(w, http.StatusOK, onlineMeetingsResponse{Offset: offset, Limit: limit, Count: len(found), Data: data})
}

type rtAttendee struct {
	AccountID string `json:"accountID,omitempty"`
	UserUUID  string `json:"userUUID,omitempty"`
	Name      string `json:"name"`
	Phone     string `json:"phone,omitempty"`
	Email     string `json:"email,omitempty"`
	Type      string `json:"type"`
	Role      int    `json:"role"`
}

type rtParticipant struct {
	PID   string `json:"pid"`
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
	State int    `json:"state"` // 1 = being called
	Video int    `json:"video"`
	Mute  int    `json:"mute"`
	Hand  int    `json:"hand"`
	Role  int    `json:"role"`
}

type rtConfInfo struct {
	ConferenceID    string   `json:"conferenceID"`
	Subject         string   `json:"subject"`
	ConferenceState string   `json:"conferenceState"`
	Locked          bool     `json:"lock"`
	ChairID         string   `json:"chairID"`
	CoHosts         []string `json:"coHosts"`
}

type realTimeInfoResponse struct {
	ConfInfo     rtConfInfo      `json:"confInfo"`
	Attendees    []rtAttendee    `json:"attendees"`
	Participants []rtParticipant `json:"participants"`
}

// handleRealTimeInfo serves GET /v1/mmc/control/conferences/realTimeInfo.
// Every distinct invitee is listed as an attendee; the participants are
// the roster: in the meeting (state 0) or being called (state 1).
func (s *Server) handleRealTimeInfo(w http.ResponseWriter, r *http.Request, rid string) {
	confID := r.URL.Query().Get("conferenceID")
	if confID == "" {
		writeError(w, http.StatusBadRequest, codeParam, "conferenceID is required", rid)
		return
	}
	cs := s.lockControl(w, r, confID, rid)
	if cs == nil {
		return
	}
	resp := realTimeInfoResponse{
		ConfInfo: rtConfInfo{
			ConferenceID: cs.conf.ID, Subject: cs.conf.Subject, ConferenceState: cs.conf.State,
			Locked: cs.conf.Locked, CoHosts: []string{},
		},
		Attendees:    make([]rtAttendee, 0, len(cs.invited)),
		Participants: make([]rtParticipant, 0, len(cs.online)),
	}
	for _, a := range cs.invited {
		role := 0
		if a.Role != nil {
			role = *a.Role
		}
		resp.Attendees = append(resp.Attendees, rtAttendee{
			AccountID: a.AccountID, UserUUID: a.UserUUID, Name: a.Name, Phone: a.Phone, Email: a.Email, Type: a.Type, Role: role,
		})
	}
	for _, p := range cs.online {
		resp.Participants = append(resp.Participants, rtParticipant{
			PID: p.PID, Name: p.Name, Phone: p.Number, State: p.State, Mute: 1, Role: p.Role,
		})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
}
