// Package meetingfake is a faithful fake of the Huawei Cloud Meeting REST API,
// served over real HTTP on 127.0.0.1 so that the bot's meeting client can be
// tested offline, driven from an interactive sandbox, and benchmarked.
//
// It serves the calls the bot makes (see /work/shared/reference/meeting-api.md):
//
//	POST /v2/usg/acs/auth/appauth                   App ID authentication (HMAC-SHA256)
//	POST /v1/usg/acs/auth/account                   account authentication (Basic)
//	GET  /v1/mmc/management/conferences/confDetail  meeting details and passwordEntry (X-Access-Token)
//	GET  /v1/mmc/control/conferences/token          control token (X-Password + X-Login-Type: 1, or keep-alive)
//	POST /v1/mmc/control/conferences/participants   invite (X-Conference-Authorization, plain or "Basic base64")
//	GET  /v1/usg/abs/users                          corporate directory search (X-Access-Token)
//	GET  /v1/mmc/control/conferences/realTimeInfo   invited attendees, and the roster (in the meeting or being called)
//	GET  /v1/mmc/management/conferences/online/conf-attendee   the roster, paged (X-Access-Token)
//	GET  /v1/mmc/control/conferences/wsToken        a one-time token for the control WebSocket
//	GET  /cms/open/websocket/confctl/increment/conn the control WebSocket (Subscribe, HeartBeat; pushes)
//
// The roster is who is online in a meeting: people who joined on their own
// ([Server.Join], [Server.Leave]) and invitees with a phone or SIP number,
// who ring until they answer (Config.AnswerAfter or [Server.Answer]) or the
// call times out (Config.RingTimeout); an invitee with only an email rings
// nobody. Ending a meeting empties it.
//
// The control WebSocket follows Huawei's pages meeting_21_1510 to _1520:
// wsURL in the control-token answer is a prefix ("ws://127.0.0.1:PORT", or
// Config.WsURL, e.g. an address that refuses connections); a
// connection needs a one-time token valid one minute (from wsToken, or the
// control token's tmpWsToken) for the same meeting, and is upgraded then
// closed with 1008 when that fails, as Huawei says it closes the channel.
// The client must Subscribe within Config.SubscribeTimeout of connecting
// (heartbeats do not extend it), with data as an object or as a JSON string
// holding it (Huawei's own sample), a known subscribeType and a live control
// token of the meeting, and then send something at least every
// Config.HeartbeatTimeout (180 s); HeartBeat is echoed; a later Subscribe
// replaces the types. ParticipantsNotify sends the full roster after each
// Subscribe, then increments numbered 1, 2, 3… per connection (an invite's
// new calls, or everyone leaving an ended meeting, make one increment);
// InviteResultNotify says "0" when a call is answered and "11072003" (our
// choice) when it times out, numbered 1, 2, 3… on its own so that it leaves
// no gap between participant increments; ConfDynamicInfoNotify gives the
// state, and "Destroyed" (also on a Subscribe after the end) is followed by
// a normal close. Malformed or unknown frames, and a subscriber whose outbox
// of 64 pushes overflows, are closed with 1008 and a reason (Huawei
// documents no error frame). Which online entries ListOnlineConfAttendee
// lists is our inference: everyone in the roster, in join order, with
// search_key matching name or call number case-insensitively.
//
// What it checks, as the real service does: the exact App ID Authorization
// header and its HMAC over appId:userId:expireTime:nonce (constant-time),
// X-Token-Type: LongTicket, the JSON content type, clientType 72, nonce length
// 32–64, an unexpired expireTime, no corpId, the configured userId; at most 64
// live access tokens per user (the 65th evicts the oldest); access-token expiry
// and revocation; the chair password (constant-time) and X-Login-Type on the
// control-token call, with a lock after Config.LockAfter failures; the meeting
// state; control-token expiry and that a token only controls its own meeting;
// every documented attendee constraint (lengths in runes, phone and email
// forms, role, type, PSTN permission, participant limit, locked meeting),
// rejecting the whole batch on the first error. Every response carries an
// X-Request-Id header (the caller's, when it sent a sensible one) and every
// error uses Huawei's body {"error_code","error_msg","request_id"}: HTTP 400
// for business errors, 401 for token problems, 404 APIGW.0101 for unknown
// paths and wrong methods (as Huawei's API gateway answers).
//
// Error codes chosen where Huawei documents none: malformed authentication
// requests answer 400 USG.000000001; bad credentials, signatures, App IDs,
// userIds, corpId and expired signatures answer 401 USG.000000004; malformed
// meeting requests (missing conferenceID, bad JSON, bad type, department
// lengths, missing X-Login-Type or X-Password) answer 400 MMC.111071061; a
// missing control token answers 401 MMC.111070111 and an unknown, expired or
// foreign one 401 USG.000000004.
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
// participant state 2 (joining), mute, video and hands; busy or rejected
// calls; rate limiting (script 429s with FailNext); region hosts;
// permissions of the token's user beyond HidePasswords; pagination of
// anything but confDetail's attendee list, the online attendees and the
// directory. Attendees with the same phone, email or sms count once toward
// MaxParticipants; the meeting's own participants are not counted.
//
// A Server is safe for concurrent use and holds no package-level state.
package meetingfake
