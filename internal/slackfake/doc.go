// Package slackfake is a faithful, in-process fake of the parts of Slack that
// meet-invite talks to: the Web API (under /api/) and Socket Mode (a WebSocket
// under /link/), both served on 127.0.0.1 with an ephemeral port.
//
// Point slack-go at it with slack.OptionAPIURL(s.APIURL()) and
// slack.OptionAppLevelToken(s.AppToken()); socketmode then opens its socket
// through apps.connections.open exactly as it does against Slack. The fake
// sends hello, PINGs, slash_commands and interactive envelopes, and records
// every ack with its latency. On the Web API it serves auth.test, users.info,
// users.lookupByEmail, usergroups.users.list, conversations.members,
// conversations.replies, views.open, views.update, views.push,
// chat.postMessage, chat.postEphemeral and chat.update, plus the response_url
// endpoints it mints for commands and interactions. Everything posted is
// recorded as a Message.
//
// What it checks, the way Slack does, answering with Slack's error shape
// {"ok":false,"error":"..."} (the error is never empty):
//   - tokens: the bot token for Web API methods, the app-level token for
//     apps.connections.open only (invalid_auth, not_authed,
//     not_allowed_token_type, and token_revoked after RevokeBotToken), in the form
//     body or an Authorization: Bearer header; Web API answers to the bot token
//     carry its granted scopes in the X-OAuth-Scopes header, comma-separated;
//   - bot scopes (missing_scope with needed and provided);
//   - arguments (invalid_arguments, no_text, msg_too_long, invalid_blocks,
//     invalid_cursor, invalid_limit);
//   - Socket Mode tickets are single use; trigger IDs are single use and expire
//     after Config.TriggerTTL (invalid_trigger_id, exchanged_trigger_id,
//     expired_trigger_id); modals are validated a little like Slack does;
//   - channel membership: not_in_channel, channel_not_found (private channels
//     the bot is not in are invisible), user_not_in_channel;
//   - response_url: at most 5 uses within 30 minutes (HTTP 404 used_url,
//     expired_url, no_service).
//
// Conversations.members lists the bot itself when Channel.BotIsMember is set,
// and the bot user (Config.BotUserID) is part of the user directory, as in
// Slack. Scripted failures (FailNext) cover rate limits (429 + Retry-After),
// Slack errors, HTTP errors, raw bodies and slow responses; Config.Latency slows
// every Web API and response_url answer.
//
// What it does not model: rate limits other than scripted ones, events_api
// envelopes, app-token scopes, ticket expiry, more than one Socket Mode
// connection receiving envelopes (the newest live socket gets them), Slack's
// automatic re-delivery of un-acked envelopes (use Redeliver), dead-peer
// detection by missed PONGs, the modal stack beyond one view per submission,
// message edits by anyone but the bot, and workspace settings.
//
// The Server is safe for concurrent use, holds no package-level state and has
// no dependency on testing: it serves tests, the sandbox and benchmarks alike.
// Close stops the listener, every socket and every goroutine it started.
package slackfake
