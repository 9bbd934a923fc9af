package meeting

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinel errors. Callers branch on these with errors.Is, never on message text.
// An *APIError matches at most one of them (see APIError.Is).
var (
	ErrNotFound = errors.New("meeting: not found")
	// ErrNotStarted is MMC.111072005, which Huawei's error centre gives for
	// a meeting that has not started and is also seen for one that has
	// already ended: say both.
	ErrNotStarted    = errors.New("meeting: not started, or already ended")
	ErrStarting      = errors.New("meeting: starting")
	ErrEnded         = errors.New("meeting: ended")
	ErrHostAuth      = errors.New("meeting: meeting ID or host password rejected")
	ErrControlLocked = errors.New("meeting: control login locked")
	ErrForbidden     = errors.New("meeting: forbidden")
	ErrInternal      = errors.New("meeting: request rejected as malformed")
	ErrBadInvitee    = errors.New("meeting: invitee rejected")
	ErrFull          = errors.New("meeting: participant limit reached")
	ErrCapacity      = errors.New("meeting: enterprise capacity exhausted")
	// ErrMeetingLocked is MMC.111072050. A lock keeps people from joining on
	// their own; it does not affect the host's invitations (meeting_21_0037),
	// which is how the bot invites, so an invite should not meet it.
	ErrMeetingLocked = errors.New("meeting: conference locked")
	ErrInviteFailed  = errors.New("meeting: invite failed")
	ErrPSTNDisabled  = errors.New("meeting: PSTN calling not enabled")
	ErrCallFailed    = errors.New("meeting: call failed")
	ErrUnauthorized  = errors.New("meeting: unauthorized")
	ErrRateLimited   = errors.New("meeting: rate limited")
	ErrUnavailable   = errors.New("meeting: service unavailable")

	// Client-side errors: nothing was sent, or the answer did not fit.
	ErrNoHostPassword   = errors.New("meeting: no host password")
	ErrInvalidAttendee  = errors.New("meeting: invalid attendee")
	ErrNoDirectoryMatch = errors.New("meeting: no single directory match")
)

// codeNotFound is confDetail's answer for an ID it does not know.
const codeNotFound = "MMC.111070005"

// errNoConferenceID is returned before sending anything when a conference ID is empty.
var errNoConferenceID = errors.New("meeting: empty conference ID")

// maxMessageInError caps the server message quoted by APIError.Error.
const maxMessageInError = 200

// APIError is returned for every non-2xx response.
type APIError struct {
	StatusCode int
	Code       string        // Huawei's error_code, e.g. "MMC.111072005"
	Message    string        // error_msg, or the trimmed body when it is not JSON; informative only
	RequestID  string        // request_id, else the X-Request-Id response header
	RetryAfter time.Duration // from a Retry-After header, when the service sent one
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "meeting api: status %d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(": " + e.Code)
	}
	if msg := truncate(e.Message, maxMessageInError); msg != "" {
		if e.Code != "" {
			b.WriteString(" " + msg)
		} else {
			b.WriteString(": " + msg)
		}
	}
	if e.RequestID != "" {
		b.WriteString(" (request " + e.RequestID + ")")
	}
	return b.String()
}

// Is maps the error code onto the package sentinels; an unknown or missing code
// falls back to the HTTP status (401, 403, 429, 5xx).
func (e *APIError) Is(target error) bool {
	if s := codeSentinel(e.Code); s != nil {
		return target == s
	}
	s := statusSentinel(e.StatusCode)
	return s != nil && target == s
}

// Known reports whether Huawei's error code is one the package knows
// (reference table, meeting-api.md §9). An unknown code still matches a
// sentinel by HTTP status; the client logs and reports it (WithUnknownCode)
// so that the table can be corrected from real traffic. A response without
// a code is not "unknown": it is reported by status alone.
func (e *APIError) Known() bool {
	return e.Code == "" || codeSentinel(e.Code) != nil || e.Code == "USG.201040001" || e.Code == "APIGW.0101"
}

// codeSentinel returns the sentinel for a documented error code, or nil.
func codeSentinel(code string) error {
	switch code {
	case codeNotFound, "MMC.111081002", "MMC.111070004":
		return ErrNotFound
	case "MMC.111072005":
		return ErrNotStarted
	case "MMC.111072004":
		return ErrStarting
	case "MMC.111072006", "MMC.111072003", "MMC.111071072":
		return ErrEnded
	case "MMC.111072065":
		return ErrHostAuth
	case "MMC.111072064":
		return ErrControlLocked
	case "MMC.111070002":
		return ErrForbidden
	case "MMC.111070111", "MMC.111070001", "MMC.111071061", "MMC.111072057",
		"MMC.111072034", "MMC.111072046", "MMC.111072035":
		return ErrInternal
	case "MMC.111072031", "MMC.111072032", "MMC.111072033", "MMC.111072036", "MMC.111072037",
		"MMC.111071024", "MMC.111071025", "MMC.111076006", "USG.201040000":
		return ErrBadInvitee
	case "MMC.111072101", "MMC.111076015", "MMC.111071066", "MMC.111076003":
		return ErrFull
	case "MMC.111076004":
		return ErrCapacity
	case "MMC.111072050":
		return ErrMeetingLocked
	case "MMC.111072007", "MMC.111070110":
		return ErrInviteFailed
	case "MMC.111076012", "MMC.111082008":
		return ErrPSTNDisabled
	case "MMC.111076007", "MMC.111076008", "MMC.111076009", "MMC.111076014":
		return ErrCallFailed
	case "USG.000000004":
		return ErrUnauthorized
	case "100000429":
		return ErrRateLimited
	}
	return nil
}

// statusSentinel returns the sentinel for a status without a known code, or nil.
func statusSentinel(status int) error {
	switch {
	case status == http.StatusUnauthorized:
		return ErrUnauthorized
	case status == http.StatusForbidden:
		return ErrForbidden
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status >= 500:
		return ErrUnavailable
	}
	return nil
}

// isUnauthorized reports whether err says the token sent was rejected
// (HTTP 401 or USG.000000004), the one case where a call is retried.
func isUnauthorized(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) &&
		(apiErr.StatusCode == http.StatusUnauthorized || apiErr.Code == "USG.000000004")
}

// truncate shortens s to at most n bytes without splitting a rune.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
