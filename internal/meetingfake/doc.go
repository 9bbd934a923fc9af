// Package meetingfake is a faithful fake of the Huawei Cloud Meeting REST API,
// served over real HTTP on 127.0.0.1 so that the bot's meeting client can be
// tested offline, driven from an interactive sandbox, and benchmarked.
//
// It serves the calls the bot makes (see /work/shared/reference/meeting-api.md):
//
//	POST /v2/usg/acs/auth/appauth                   App ID authentication (HMAC-SHA256)
//	POST /v1/usg/acs/auth/account                   account authentication (Basic)
//	POST /v1/mmc/management/conferences             create a meeting, instant or scheduled (CreateMeeting)
//	GET  /v1/mmc/management/conferences/confDetail  meeting details and passwordEntry (X-Access-Token)
//	GET  /v1/mmc/management/conferences/online      running meetings, searchKey, queryAll (SearchOnlineMeetings)
//	GET  /v1/mmc/control/conferences/token          control token (X-Password + X-Login-Type: 1, or keep-alive)
//	POST /v1/mmc/control/conferences/participants   invite (X-Conference-Authorization, plain or "Basic base64")
//	GET  /v1/usg/abs/users                          corporate directory search (X-Access-Token)
//	GET  /v1/mmc/control/conferences/realTimeInfo   invited attendees, and the roster (in the meeting or being called)
//	GET  /v1/mmc/management/conferences/online/conf-attendee   the roster, paged (X-Access-Token)
//	GET  /v1/mmc/control/conferences/wsToken        a one-time token for the control WebSocket
//	GET  /cms/open/websocket/confctl/increment/conn the control WebSocket (Subscribe, HeartBeat; pushes)
//
// Each behaviour and the Huawei page it comes from:
//
//   - Invite (meeting_21_0030; the SDK's Attendee model): phone is
//     required (the current English page and the SDK, whose Attendee.Phone
//     has no omitempty): an attendee without one answers 400 MMC.111072031
//     (participant number empty), whatever email or sms it has, since an
//     email "sends no notification to participants invited during a
//     meeting". A missing type takes the server's default ("the default
//     value is defined by the server"; the doc's cURL example leaves it
//     out): ours is "normal". An unknown type answers MMC.111071061.
//   - Locked meetings (meeting_21_0037): a lock does not affect the host's
//     invitations ("主持人邀请来宾不受影响"), and the control token is the
//     host's, so invites into a locked meeting are accepted; realTimeInfo
//     shows the lock.
//   - No PSTN permission (meeting_21_0030: calling a mobile "requires the
//     enterprise's PSTN permission, otherwise the call cannot be made"):
//     with Config.PSTNEnabled false an attendee of type "mobile" is accepted
//     and rings for Config.FailAfter, then the call fails by push
//     (InviteResultNotify 11076012).
//   - Call outcomes: every invitee rings (realTimeInfo state 1, a
//     ParticipantsNotify increment) until the call ends as its number's
//     CallOutcome says (Config.CallOutcomes, [Server.SetCallOutcome]):
//     answered after Config.AnswerAfter or [Server.Answer] ("0"), not
//     answered within Config.RingTimeout (11076014, SIP call timeout), busy
//     (11076008), declined (11076009) or unreachable (11076007) after
//     Config.FailAfter. meeting_21_1518 documents "0" and "any other value:
//     call failed"; the failure values are the client SDK's global error
//     codes (111076008 busy, ...), written in the 8-digit form of the leave
//     reasons that page lists (11076010): our inference. The field is
//     resultCode, as in that page's example (its table says errorCode).
//   - Guest view (SDK ConferenceInfo.passwordEntry: "the scheduler gets the
//     host and guest passwords; the host the host password; a guest the guest
//     password"): Conference.HidePasswords leaves the chair entry out of
//     confDetail rather than masking it.
//   - Fixed room IDs (meeting_21_0027: control calls take "the conferenceID
//     returned at creation, not the vmrConferenceID"; meeting_21_1512:
//     displayID is the room's fixed ID; SDK ConferenceInfo.vmrFlag and
//     vmrConferenceID): a Conference with a RoomID is known to confDetail
//     and every control call by its ID only (the room ID answers
//     MMC.111070005 or MMC.111072065 like any unknown ID), and shows the room
//     ID as vmrConferenceID. SearchOnlineMeetings (meeting_21_0025) lists
//     running meetings oldest first, limit 20 by default and at most 500,
//     searchKey 1 to 128 characters matching subject, scheduler, meeting ID
//     and (our inference) the room ID; without queryAll=true an
//     administrator sees only meetings it scheduled itself, and the fake's
//     are all scheduled by someone else; passwords are masked, as in the
//     page's example.
//   - Join links (meeting_21_0018's response example): chairJoinUri and
//     guestJoinUri have one form, https://c.meeting.huaweicloud.com/#/j/<ID>/<key>,
//     with a 48-hex-digit key that alone tells the host's link from the
//     guests'. The fake's keys are stable per meeting and unguessable
//     ([Server.JoinLink]).
//   - CreateMeeting (meeting_21_0014; SDK RestScheduleConfDto,
//     CreateMeetingResponse): what it checks and answers is listed beside
//     the code, in create.go. An instant meeting runs at once (Created), is
//     scheduled by the caller, who sees it among running meetings even
//     without queryAll, and can be controlled with the host password the
//     answer gives and invited into like any other.
//
// The roster is who is online in a meeting: people who joined on their own
// ([Server.Join], [Server.Leave]) and invitees being called. Ending a
// meeting empties it.
//
// The control WebSocket follows Huawei's pages meeting_21_1510 to _1520:
// wsURL in the control-token answer is a prefix ("ws://127.0.0.1:PORT", or
// Config.WsURL, e.g. an address that refuses connections) to which the
// documented path is added; a connection needs a one-time token
// valid one minute (from wsToken, or the control token's tmpWsToken) for
// the same meeting, and is upgraded then closed with 1008 when that fails,
// as Huawei says it closes the channel. The client must Subscribe within
// Config.SubscribeTimeout of connecting (heartbeats do not extend it), with
// data as an object or as a JSON string holding it (Huawei's own sample),
// and then send something at least every Config.HeartbeatTimeout (180 s);
// HeartBeat is echoed; a later Subscribe replaces the types. Every
// Subscribe is answered (meeting_21_1511) with {"returnCode":0,
// "returnDesc":"SUCCESS"}, or a non-zero returnCode (1, our choice) when
// refused: an unknown subscribeType, another meeting's conferenceID, a
// confToken that is not a live control token of the meeting (plain or
// "Basic <base64>", the form of that page's example), or
// [Server.RefuseSubscriptions]; a refused connection stays open for
// another try. ParticipantsNotify sends the full roster after each
// successful Subscribe (version: a millisecond timestamp), then
// increments. Increments of every type carry "a sequence number in
// ascending order" (meeting_21_1512–1518): one counter per meeting, shared
// by all push types and subscribers, that skips numbers at random, so a
// subscriber sees gaps; [Server.RepeatNextVersion] repeats one, as a
// replayed push would. An invite's new calls, or everyone leaving an ended
// meeting, make one increment. InviteResultNotify reports each call's end;
// ConfDynamicInfoNotify gives the state, and "Destroyed" (also on a
// Subscribe after the end) is followed by a normal close. Malformed or
// unknown frames, and a subscriber whose outbox of 64 pushes overflows, are
// closed with 1008 and a reason (Huawei documents no error frame for them).
// Which online entries ListOnlineConfAttendee lists is our inference:
// everyone in the roster, in join order, with search_key matching name or
// call number case-insensitively.
//
// What it checks, as the real service does: the exact App ID Authorization
// header and its HMAC over appId:userId:expireTime:nonce (constant-time),
// X-Token-Type: LongTicket, the JSON content type, clientType 72, nonce length
// 32–64, an unexpired expireTime, no corpId, the configured userId; at most 64
// live access tokens per user (the 65th evicts the oldest); access-token expiry
// and revocation; the chair password (constant-time) and X-Login-Type on the
// control-token call, with a lock after Config.LockAfter failures; the meeting
// state; control-token expiry and that a token only controls its own meeting;
// every documented attendee constraint (required name and phone, lengths in
// runes, phone and email forms, role, type, participant limit), rejecting
// the whole batch on the first error. Every response carries an
// X-Request-Id header (the caller's, when it sent a sensible one) and every
// error uses Huawei's body {"error_code","error_msg","request_id"}: HTTP 400
// for business errors, 401 for token problems, 404 APIGW.0101 for unknown
// paths and wrong methods (as Huawei's API gateway answers).
//
// Error codes chosen where Huawei documents none: malformed authentication
// requests answer 400 USG.000000001; bad credentials, signatures, App IDs,
// userIds, corpId and expired signatures answer 401 USG.000000004; malformed
// meeting requests (missing conferenceID, bad JSON, bad type, department
// lengths, missing X-Login-Type or X-Password, bad paging or searchKey)
// answer 400 MMC.111071061; a missing control token answers 401
// MMC.111070111 and an unknown, expired or foreign one 401 USG.000000004.
//
// Tests script failures with [Server.FailNext] (served before any validation,
// optionally after a delay that honours the request context), slow the whole
// server with Config.Latency, move meetings between states with
// [Server.SetState], revoke tokens, and inspect what was accepted with
// [Server.Invitations] and [Server.Calls].
//
// What it does not model: token refresh, validation and logout; SP mode
// (corpId); push types other than participants, invite results and the
// meeting's state (other types may be subscribed to but never arrive);
// leave reasons in InviteResultNotify; participant state 2 (joining), mute,
// video and hands; rate limiting (script 429s with FailNext); region hosts;
// permissions of the token's user beyond HidePasswords; pagination of
// anything but confDetail's attendee list, the online meetings and
// attendees, and the directory. Attendees with the same phone count once
// toward MaxParticipants; the meeting's own participants are not counted.
//
// A Server is safe for concurrent use and holds no package-level state.
package meetingfake
