package meeting

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// CallOutcome is how a call made by an invitation ended, as Huawei pushes it
// in InviteResultNotify (meeting_21_1518).
type CallOutcome int

const (
	CallAnswered CallOutcome = iota + 1 // "0": the call succeeded
	CallBusy                            // 111076008: busy on another call
	CallDeclined                        // 111076009: the callee rejected it
	CallNoAnswer                        // 111076014: SIP call timeout, not answered in time
	CallNoPSTN                          // 111076012, 111082008: the enterprise may not call phone numbers
	CallFailed                          // any other non-zero code: offline (111076007), not found, network...
	// CallLeft is not a call result: the same push tells why someone left
	// the meeting (11111001–11111004 network, 11076002 hung up by the host,
	// 11076010 left, 11076016 hung up by the portal).
	CallLeft
)

var outcomeNames = map[CallOutcome]string{
	CallAnswered: "answered", CallBusy: "busy", CallDeclined: "declined", CallNoAnswer: "no_answer",
	CallNoPSTN: "no_pstn", CallFailed: "failed", CallLeft: "left",
}

// String names the outcome for logs and metrics.
func (o CallOutcome) String() string {
	if n, ok := outcomeNames[o]; ok {
		return n
	}
	return "unknown"
}

// Failed reports whether the call did not get through: busy, declined, not
// answered, no PSTN permission, or failed otherwise.
func (o CallOutcome) Failed() bool {
	return o >= CallBusy && o <= CallFailed
}

// CallResult is the outcome of one call, pushed by Huawei on the control
// WebSocket of a watched meeting.
type CallResult struct {
	Number  string // the number called (callNumber), as Huawei writes it; perhaps masked
	Outcome CallOutcome
	Code    string    // Huawei's result code, "0" for success
	At      time.Time // when the watch received it (the client's clock)
}

// callOutcome classifies an InviteResultNotify code. meeting_21_1518 says
// only "0: call succeeded; other values: call failed", and lists the leave
// reasons in an 8-digit form (11076010); the failure reasons are the client
// SDK's global error codes (111076008 busy, …), which the push may carry in
// either form, so both are read, with or without an "MMC." prefix. Which
// form Huawei sends is [Unconfirmed].
func callOutcome(code string) CallOutcome {
	c := strings.TrimPrefix(strings.TrimSpace(code), "MMC.")
	if c == "0" {
		return CallAnswered
	}
	if len(c) == 8 && strings.HasPrefix(c, "11") {
		c = "1" + c // 11076008 → 111076008
	}
	switch c {
	case "111076008":
		return CallBusy
	case "111076009":
		return CallDeclined
	case "111076014":
		return CallNoAnswer
	case "111076012", "111082008":
		return CallNoPSTN
	case "111111001", "111111002", "111111003", "111111004", "111076002", "111076010", "111076016":
		return CallLeft
	}
	return CallFailed
}

// inviteResult is one entry of an InviteResultNotify push. The doc's table
// names the code errorCode, its own example resultCode: both are read.
type inviteResult struct {
	CallNumber string          `json:"callNumber"`
	ResultCode json.RawMessage `json:"resultCode"`
	ErrorCode  json.RawMessage `json:"errorCode"`
}

// record keeps the call results of an InviteResultNotify push. An increment
// whose version is not larger than the last one's is a repeat, and ignored.
func (w *Watch) record(env wsEnvelope) {
	var entries []inviteResult
	if err := json.Unmarshal(env.Data, &entries); err != nil {
		w.notUnderstood("invite results push")
		return
	}
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if env.MsgMode == 1 {
		if last := w.versions[env.Action]; env.Version <= last {
			return
		}
		w.versions[env.Action] = env.Version
	}
	for _, e := range entries {
		code := jsonScalar(e.ResultCode)
		if code == "" {
			code = jsonScalar(e.ErrorCode)
		}
		if e.CallNumber == "" || code == "" {
			continue
		}
		w.results = append(w.results, CallResult{Number: e.CallNumber, Outcome: callOutcome(code), Code: code, At: now})
	}
	if n := len(w.results) - maxResults; n > 0 {
		w.results = append(w.results[:0], w.results[n:]...)
	}
}

// CallResults returns the call results received at or after since, oldest
// first. A watch remembers the last 512.
func (w *Watch) CallResults(since time.Time) []CallResult {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []CallResult
	for _, r := range w.results {
		if !r.At.Before(since) {
			out = append(out, r)
		}
	}
	return out
}

// subscribeAnswer reads the reply to a Subscribe (meeting_21_1511:
// {"returnCode":0,"returnDesc":"SUCCESS"}; the doc's example spells the
// second key "returnDesc " with a space). A non-zero returnCode is a refusal.
func subscribeAnswer(raw json.RawMessage) error {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = json.RawMessage(s) // a JSON string holding the object, as Subscribe's own data
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("%w: unreadable answer", ErrSubscribeRefused)
	}
	var code, desc string
	for k, v := range m {
		switch strings.TrimSpace(k) {
		case "returnCode":
			code = jsonScalar(v)
		case "returnDesc":
			desc = jsonScalar(v)
		}
	}
	if code == "0" {
		return nil
	}
	return fmt.Errorf("%w: returnCode %q %s", ErrSubscribeRefused, code, truncate(desc, maxMessageInError))
}
