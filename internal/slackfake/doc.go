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
// conversations.info, conversations.replies, views.open, views.update, views.push,
// views.publish, chat.postMessage, chat.postEphemeral, chat.update and the
// Calls API (calls.add, calls.info, calls.update, calls.end,
// calls.participants.add and .remove; calls.go), plus the response_url
// endpoints it mints for commands and interactions; OpenHome sends the
// app_home_opened event in an events_api envelope (home.go). Everything posted is
// recorded as a Message. A message shortcut's payload carries "the full
// structure of the message" (https://api.slack.com/reference/interaction-payloads/shortcuts):
// for a thread's parent its reply_count, reply_users and reply_users_count,
// for a reply its thread_ts and parent_user_id, as conversations.replies
// shows them; the fake does not cap reply_users. Suggest sends the
// block_suggestion payload of a user typing into an external select of an
// open view and reads the options its ack carries, held to Slack's limits
// and to min_query_length (suggest.go, with the pages); a submission may
// choose only an option so offered, or the menu's initial_option.
//
// What it checks, the way Slack does, answering with Slack's error shape
// {"ok":false,"error":"..."} (the error is never empty):
//   - tokens: the bot token for Web API methods, the app-level token for
//     apps.connections.open only (invalid_auth, not_authed,
//     not_allowed_token_type, and token_revoked after RevokeBotToken), in the form
//     body or an Authorization: Bearer header; Web API answers to the bot token
//     carry its granted scopes in the X-OAuth-Scopes header, comma-separated;
//   - bot scopes (missing_scope with needed and provided);
//   - arguments (invalid_arguments, no_text, invalid_cursor, invalid_limit);
//   - Block Kit, with internal/blockkit, the same checker the bot's message
//     builders are tested against: invalid_blocks (with Slack's
//     "[ERROR] … [json-pointer:…]" problem list) for blocks over the documented
//     limits, msg_too_long for top-level text over 40,000 characters,
//     msg_blocks_too_long past 10,000 characters of block text. The limits
//     and their pages: text objects 1–3,000 characters
//     (https://docs.slack.dev/reference/block-kit/composition-objects/text-object);
//     50 blocks in a message, 100 in a modal
//     (https://docs.slack.dev/reference/block-kit/blocks); section text
//     3,000, at most 10 fields of 2,000
//     (https://docs.slack.dev/reference/block-kit/blocks/section-block); at
//     most 10 context elements
//     (https://docs.slack.dev/reference/block-kit/blocks/context-block); at
//     most 25 actions, action_ids unique in a block
//     (https://docs.slack.dev/reference/block-kit/blocks/actions-block);
//     header text 150 (https://docs.slack.dev/reference/block-kit/blocks/header-block);
//     button text 75, value 2,000, url 3,000
//     (https://docs.slack.dev/reference/block-kit/block-elements/button-element);
//     unique block_ids of at most 255 characters; message text
//     (https://docs.slack.dev/reference/methods/chat.postMessage,
//     https://api.slack.com/changelog/2018-04-truncating-really-long-messages);
//     the undocumented block-text total (https://github.com/slackapi/bolt-js/issues/2509,
//     https://github.com/slackapi/bolt-js/issues/2867). See package blockkit;
//   - archived channels (is_archived, chat.postMessage and chat.postEphemeral)
//     and announcement-only channels (restricted_action, chat.postMessage),
//     as the methods' reference pages list them;
//   - rate limits, when Config.RateLimits is set: tiered methods allow their
//     tier's per-minute floor in any 60-second window (Tier 2 20, Tier 3 50,
//     Tier 4 100), chat.postMessage one message per second per channel with
//     bursts of 3, answered with HTTP 429, Retry-After and
//     {"ok":false,"error":"ratelimited"}
//     (https://docs.slack.dev/apis/web-api/rate-limits). Off by default, so
//     tests that do not ask for them keep their pace;
//   - the Calls API (https://api.slack.com/apis/calls): scope calls:write
//     (calls:read for calls.info), required arguments, invalid_call_id,
//     inactive_call, user_not_found, invalid_created_by, a unique
//     external_unique_id, and the pages' {"ok":true,"error":"bad_users"}
//     for a participant added twice or removed when absent (the whole
//     request then changes nothing: the pages do not say, and the fake is
//     strict); a call block
//     needs its call_id and is allowed in messages only
//     (https://api.slack.com/reference/block-kit/blocks#call);
//   - views.publish (https://api.slack.com/methods/views.publish): a view
//     of type home, 100 blocks at most, 250 kB (view_too_large), a known
//     user_id, hash_conflict, and not_enabled with Config.HomeTabDisabled;
//     app_home_opened is sent only to an app that subscribes to it
//     (Config.BotEvents) and, for the Home tab, has it on;
//   - Socket Mode tickets are single use; trigger IDs are single use and expire
//     after Config.TriggerTTL (invalid_trigger_id, exchanged_trigger_id,
//     expired_trigger_id); modals are validated a little like Slack does;
//   - channel membership: not_in_channel, channel_not_found (private channels
//     the bot is not in are invisible), user_not_in_channel;
//   - response_url: at most 5 uses within 30 minutes (HTTP 404 used_url,
//     expired_url, no_service);
//   - organisations: users.info gives each user's team_id,
//     enterprise_user.enterprise_id (Enterprise Grid) and is_stranger
//     (another organisation's user met through Slack Connect), as the user
//     object documents them (https://docs.slack.dev/reference/objects/user-object);
//     auth.test gives the installing team_id and, on Enterprise Grid,
//     enterprise_id (https://docs.slack.dev/reference/methods/auth.test);
//   - conversations.info (scope channels:read, groups:read or im:read by the
//     conversation's kind) answers a direct message with is_im and the other
//     user (https://docs.slack.dev/reference/objects/im-object) and a DM
//     between two people, which the bot is not in, with channel_not_found, as
//     any conversation the bot cannot see
//     (https://docs.slack.dev/reference/methods/conversations.info).
//   - several Socket Mode connections of the app (every process's): up to
//     MaxConnections (10) open at once, each envelope sent over one of
//     them, in turn (Slack does not say how it picks), and one more closed
//     at once with a disconnect frame, reason too_many_websockets
//     (https://api.slack.com/apis/connections/socket-implement, "Using
//     multiple connections"; https://github.com/slackapi/node-slack-sdk/issues/1654).
//   - on Linux, connections carry the internet's TCP segments, not
//     loopback's much larger ones (listen_linux.go says why).
//
// Conversations.members lists the bot itself when Channel.BotIsMember is set,
// and the bot user (Config.BotUserID) is part of the user directory, as in
// Slack. Scripted failures (FailNext) cover rate limits (429 + Retry-After),
// Slack errors, HTTP errors, raw bodies and slow responses; Config.Latency slows
// every Web API and response_url answer.
//
// What it does not model: chat.postMessage's unpublished workspace-wide
// limit, archived channels for response_url posts and chat.update, events_api
// envelopes other than app_home_opened, app-token scopes, ticket expiry, Slack's own schedule for
// re-delivering un-acked envelopes (Config.RedeliverAfter picks one; or call
// Redeliver), dead-peer
// detection by missed PONGs, the modal stack beyond one view per submission,
// message edits by anyone but the bot, and workspace settings.
//
// The Server is safe for concurrent use, holds no package-level state and has
// no dependency on testing: it serves tests, the sandbox and benchmarks alike.
// Close stops the listener, every socket and every goroutine it started.
package slackfake
