// Package blockkit checks Block Kit payloads against the limits Slack
// documents, so that the bot's message builders and the fake Slack
// (internal/slackfake) are held to exactly the same rules: the fake rejects
// what Check rejects, and builder tests call the same functions.
//
// Limits, each from its reference page:
//   - blocks: at most 50 in a message, 100 in a modal or Home tab
//     (https://docs.slack.dev/reference/block-kit/blocks);
//     block_id at most 255 characters and unique in the message or view
//     (every block page, e.g. the section block below);
//   - text object: type plain_text or mrkdwn, text 1 to 3,000 characters;
//     emoji only on plain_text, verbatim only on mrkdwn
//     (https://docs.slack.dev/reference/block-kit/composition-objects/text-object);
//   - section: text 1 to 3,000 characters, at most 10 fields of at most 2,000
//     characters each, text or fields required
//     (https://docs.slack.dev/reference/block-kit/blocks/section-block);
//   - context: 1 to 10 elements, image elements or text objects
//     (https://docs.slack.dev/reference/block-kit/blocks/context-block);
//   - actions: 1 to 25 interactive elements; action_id unique among the
//     block's elements (https://docs.slack.dev/reference/block-kit/blocks/actions-block);
//   - header: a plain_text object of at most 150 characters
//     (https://docs.slack.dev/reference/block-kit/blocks/header-block);
//   - button: plain_text text of at most 75 characters, action_id at most 255,
//     url at most 3,000, value at most 2,000, style primary or danger,
//     accessibility_label at most 75
//     (https://docs.slack.dev/reference/block-kit/block-elements/button-element);
//   - input: plain_text label and hint of at most 2,000 characters and an
//     element (https://docs.slack.dev/reference/block-kit/blocks/input-block);
//   - call: a call_id (a call registered with calls.add), in messages only
//     (https://api.slack.com/reference/block-kit/blocks#call);
//   - markdown block: at most 12,000 characters
//     (https://docs.slack.dev/reference/block-kit/blocks/markdown-block);
//   - a message's top-level text: Slack truncates text over 40,000 characters
//     (https://docs.slack.dev/reference/methods/chat.postMessage, "Truncating
//     content"; https://api.slack.com/changelog/2018-04-truncating-really-long-messages)
//     and lists msg_too_long among chat.postMessage's errors: CheckMessage
//     answers msg_too_long rather than truncating silently;
//   - all the text in a message's blocks: Slack answers msg_blocks_too_long
//     for messages well under the per-block limits. The limit is not
//     documented; a Slack engineer put it at "12,000 text characters with a
//     buffer for block containers" (https://github.com/slackapi/bolt-js/issues/2509)
//     and a message with 11,341 characters of block text was rejected
//     (https://github.com/slackapi/bolt-js/issues/2867), so CheckMessage
//     allows at most MaxBlocksText = 10,000.
//
// Problems are reported as Slack words them in invalid_blocks answers:
// "must be less than 3001 characters [json-pointer:/blocks/0/text/text]".
//
// CheckOptions checks the options an app answers a block_suggestion with,
// and external_select elements are checked too (options.go has their
// limits and pages).
//
// What it does not check: image URLs, static select menus' options and
// option groups beyond their action_id, rich_text contents, and elements
// not named above (they pass when they have a type).
package blockkit
