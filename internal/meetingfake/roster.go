package meetingfake

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Participant states, as Huawei reports them (realTimeInfo "state",
// pinfoMap "STATE").
const (
	ParticipantInMeeting   = 0
	ParticipantBeingCalled = 1
)

// Invite results pushed in InviteResultNotify (meeting_21_1518): "0" is
// "call succeeded", anything else "call failed". Huawei lists no failure
// values there; the fake sends the client SDK's codes for them (the global
// error-code table: 111076007 offline, 111076008 busy, 111076009 rejected,
// 111076012 PSTN not enabled, 111076014 SIP call timeout) in the 8-digit
// form of the leave reasons that page does list (11076002, 11076010), which
// is our inference. The client accepts both forms.
const (
	inviteAnswered   = "0"
	resultOffline    = "11076007"
	resultBusy       = "11076008"
	resultDeclined   = "11076009"
	resultNoPSTN     = "11076012"
	resultNoAnswer   = "11076014"
	defaultRingLimit = 60 * time.Second
	defaultFailAfter = 200 * time.Millisecond
	// defaultAttendeeType is what a missing attendee type becomes: "the
	// default value is defined by the server" (meeting_21_0030); ours is
	// the soft client.
	defaultAttendeeType = "normal"
)

// CallOutcome is how a callee answers a call from the meeting, see
// [Server.SetCallOutcome] and Config.CallOutcomes.
type CallOutcome int

const (
	// CallAnswers: answered after Config.AnswerAfter, or by [Server.Answer];
	// unanswered calls time out after Config.RingTimeout (11076014).
	CallAnswers  CallOutcome = iota
	CallBusy                 // busy on another call: fails after Config.FailAfter (11076008)
	CallDeclines             // rings, then is declined after Config.FailAfter (11076009)
	CallNoAnswer             // rings until Config.RingTimeout (11076014), whatever AnswerAfter says
	CallFails                // cannot be reached (offline): fails after Config.FailAfter (11076007)
)

// SetCallOutcome sets how calls to number end from now on (CallAnswers
// restores the default).
func (s *Server) SetCallOutcome(number string, o CallOutcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o == CallAnswers {
		delete(s.outcomes, number)
		return
	}
	s.outcomes[number] = o
}

// Participant is someone online in a meeting: in it, or being called into it.
type Participant struct {
	PID    string // assigned by the fake when empty
	Name   string
	Number string // call number: SIP number or +digits phone, as Huawei shows it
	State  int    // ParticipantInMeeting or ParticipantBeingCalled
	Role   int    // 1 host, 0 participant
}

// change is one roster change, as pushed in ParticipantsNotify.
type change struct {
	pid     string
	removed bool
	info    map[string]string
}

func fullInfo(p Participant) map[string]string {
	return map[string]string{
		"NAME": p.Name, "TEL": p.Number, "ROLE": strconv.Itoa(p.Role), "STATE": strconv.Itoa(p.State),
	}
}

// Join puts p online in a conference as if they had joined on their own
// (State becomes ParticipantInMeeting). It returns the PID, or "" for an
// unknown conference.
func (s *Server) Join(conferenceID string, p Participant) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, ok := s.confs[conferenceID]
	if !ok {
		return ""
	}
	p.State = ParticipantInMeeting
	pid, c := s.addOnlineLocked(cs, p)
	s.notifyParticipantsLocked(cs, c)
	return pid
}

// Leave takes the participant with that PID offline. It reports whether
// there was one.
func (s *Server) Leave(conferenceID, pid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, ok := s.confs[conferenceID]
	if !ok {
		return false
	}
	c, ok := removeOnlineLocked(cs, pid)
	if ok {
		s.notifyParticipantsLocked(cs, c)
	}
	return ok
}

// Answer moves a participant being called with that number into the
// meeting. It reports whether one was ringing.
func (s *Server) Answer(conferenceID, number string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, ok := s.confs[conferenceID]
	if !ok {
		return false
	}
	for _, p := range cs.online {
		if p.Number == number && p.State == ParticipantBeingCalled {
			s.answerLocked(cs, p.PID)
			return true
		}
	}
	return false
}

// Participants returns a copy of the conference's online participants, in
// join order.
func (s *Server) Participants(conferenceID string) []Participant {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, ok := s.confs[conferenceID]
	if !ok || len(cs.online) == 0 {
		return nil
	}
	return append([]Participant(nil), cs.online...)
}

// addOnlineLocked puts p online and returns its PID and the change to push.
func (s *Server) addOnlineLocked(cs *confState, p Participant) (string, change) {
	if p.PID == "" {
		s.nextPID++
		p.PID = "pid-" + strconv.Itoa(s.nextPID)
	}
	cs.online = append(cs.online, p)
	return p.PID, change{pid: p.PID, info: fullInfo(p)}
}

// removeOnlineLocked takes pid offline and returns the change to push.
func removeOnlineLocked(cs *confState, pid string) (change, bool) {
	for i, p := range cs.online {
		if p.PID == pid {
			cs.online = append(cs.online[:i], cs.online[i+1:]...)
			return change{pid: pid, removed: true}, true
		}
	}
	return change{}, false
}

func (s *Server) answerLocked(cs *confState, pid string) {
	for i := range cs.online {
		p := &cs.online[i]
		if p.PID == pid && p.State == ParticipantBeingCalled {
			p.State = ParticipantInMeeting
			s.notifyParticipantsLocked(cs, change{pid: pid, info: map[string]string{"STATE": strconv.Itoa(p.State)}})
			s.notifyInviteResultLocked(cs, p.Number, inviteAnswered)
			return
		}
	}
}

// callLocked rings the invited attendees: each is online as being called
// until the call ends as its number's CallOutcome says. A mobile number
// (type "mobile") without Config.PSTNEnabled is accepted and then fails
// with 11076012, as if busy. Someone online with that number already is
// left as they are. The new calls are pushed as one increment.
func (s *Server) callLocked(cs *confState, atts []Attendee) {
	var changes []change
	for _, a := range atts {
		if slices.ContainsFunc(cs.online, func(p Participant) bool { return p.Number == a.Phone }) {
			continue
		}
		role := 0
		if a.Role != nil {
			role = *a.Role
		}
		pid, c := s.addOnlineLocked(cs, Participant{Name: a.Name, Number: a.Phone, State: ParticipantBeingCalled, Role: role})
		changes = append(changes, c)
		outcome, failure := s.outcomes[a.Phone], ""
		switch {
		case a.Type == "mobile" && !s.cfg.PSTNEnabled:
			failure = resultNoPSTN
		case outcome == CallBusy:
			failure = resultBusy
		case outcome == CallDeclines:
			failure = resultDeclined
		case outcome == CallFails:
			failure = resultOffline
		}
		s.ringLocked(cs.conf.ID, pid, outcome, failure)
	}
	if len(changes) > 0 {
		s.notifyParticipantsLocked(cs, changes...)
	}
}

// ringLocked schedules the end of a call: failed after FailAfter when
// failure is set; else answered after AnswerAfter (when set, and the
// callee answers), and dropped after RingTimeout if still ringing.
func (s *Server) ringLocked(confID, pid string, outcome CallOutcome, failure string) {
	drop := func(code string) func() {
		return func() {
			cs, ok := s.confs[confID]
			if !ok {
				return
			}
			for _, p := range cs.online {
				if p.PID == pid && p.State == ParticipantBeingCalled {
					c, _ := removeOnlineLocked(cs, pid)
					s.notifyParticipantsLocked(cs, c)
					s.notifyInviteResultLocked(cs, p.Number, code)
					return
				}
			}
		}
	}
	if failure != "" {
		s.afterLocked(s.cfg.FailAfter, drop(failure))
		return
	}
	if d := s.cfg.AnswerAfter; d > 0 && outcome == CallAnswers {
		s.afterLocked(d, func() {
			if cs, ok := s.confs[confID]; ok {
				s.answerLocked(cs, pid)
			}
		})
	}
	s.afterLocked(s.cfg.RingTimeout, drop(resultNoAnswer))
}

// afterLocked runs fn with s.mu held after d, unless the server has closed.
func (s *Server) afterLocked(d time.Duration, fn func()) {
	if s.timersStopped {
		return
	}
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.timers, t)
		if !s.timersStopped {
			fn()
		}
	})
	s.timers[t] = struct{}{}
}

// stopTimers cancels every pending ring transition.
func (s *Server) stopTimers() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timersStopped = true
	for t := range s.timers {
		t.Stop()
	}
	clear(s.timers)
}

type onlineAttendee struct {
	ParticipantID string `json:"participant_id"`
	Name          string `json:"name"`
	CallNumber    string `json:"call_number"`
	Role          int    `json:"role"`
	ThirdAccount  string `json:"third_account"`
	Account       string `json:"account"`
	UserID        string `json:"user_id"`
}

type onlineAttendeesResponse struct {
	Data   []onlineAttendee `json:"data"`
	Offset int              `json:"offset"`
	Limit  int              `json:"limit"`
	Count  int              `json:"count"`
}

// handleOnlineAttendees serves GET
// /v1/mmc/management/conferences/online/conf-attendee (ListOnlineConfAttendee):
// everyone online, in the meeting or being called, paged.
func (s *Server) handleOnlineAttendees(w http.ResponseWriter, r *http.Request, rid string) {
	if !s.checkAccessToken(w, r, rid) {
		return
	}
	q := r.URL.Query()
	confID := q.Get("conf_id")
	if confID == "" {
		writeError(w, http.StatusBadRequest, codeParam, "conf_id is required", rid)
		return
	}
	offset, limit, ok := pageParams(r, defaultDetailLimit, 500)
	if !ok {
		writeError(w, http.StatusBadRequest, codeParam, "offset and limit must be non-negative integers", rid)
		return
	}
	key := strings.ToLower(q.Get("search_key"))

	s.mu.Lock()
	cs, found := s.confs[confID]
	if !found {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, codeNotFound, "CONF_DATA_NOT_FOUND", rid)
		return
	}
	if code, msg := stateError(cs.conf.State); code != "" {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, code, msg, rid)
		return
	}
	var all []onlineAttendee
	for _, p := range cs.online {
		if key != "" && !strings.Contains(strings.ToLower(p.Name), key) && !strings.Contains(strings.ToLower(p.Number), key) {
			continue
		}
		all = append(all, onlineAttendee{ParticipantID: p.PID, Name: p.Name, CallNumber: p.Number, Role: p.Role})
	}
	s.mu.Unlock()

	offset, lo, hi := page(len(all), offset, limit)
	data := all[lo:hi]
	if data == nil {
		data = []onlineAttendee{}
	}
	writeJSON(w, http.StatusOK, onlineAttendeesResponse{Data: data, Offset: offset, Limit: limit, Count: len(all)})
}
