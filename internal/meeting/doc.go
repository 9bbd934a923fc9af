// Package meeting is a small typed client for the Huawei Cloud Meeting REST API:
// the handful of calls meet-invite needs to invite people into a running conference.
//
// It authenticates (App ID + App Key, or account + password) and caches the access
// token, reads a conference's details (finding the meeting running in a fixed-ID room
// when the number typed is the room's, with SearchOnlineMeetings), obtains and caches
// the conference control token with the host password, invites attendees (each needs
// a phone: Huawei cannot call an email), and searches the corporate directory.
// It also tells who is online in a meeting: by asking (RealTimeInfo with a control
// token, else OnlineParticipants), or live over the meeting's control WebSocket
// (Watch), and Presence combines them; the watch also hears how each call ended
// (CallResult: busy, declined, not answered, no PSTN...).
// It starts instant meetings (CreateMeeting), lists the meetings running now for a
// picker (RunningMeetings), and tells whether a secret pasted by a user is a meeting's
// host link or host password (IsHostSecret, on SecretDigest digests).
// Failures are returned as *APIError values that match the package's sentinel errors
// (ErrNotStarted, ErrEnded, ErrHostAuth, ...) with errors.Is; codes not in the
// package's table are logged and reported (APIError.Known, WithUnknownCode).
//
// Boundary: the package knows nothing of Slack or of how errors are shown to users.
// It never puts secrets (App Key, passwords, tokens) in errors or log lines.
// A Client is safe for concurrent use.
package meeting
