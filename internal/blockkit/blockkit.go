package blockkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Surface is where blocks are shown; it sets how many are allowed.
type Surface int

const (
	Message Surface = iota + 1 // chat.postMessage, chat.update, chat.postEphemeral, response_url
	Modal                      // views.open, views.update, views.push (and Home tabs)
)

// Slack's documented limits (see the package comment for the pages).
const (
	MaxMessageBlocks   = 50
	MaxModalBlocks     = 100
	MaxText            = 3000 // a text object, a section's text, a context text element
	MaxSectionFields   = 10
	MaxFieldText       = 2000
	MaxContextElements = 10
	MaxActionsElements = 25
	MaxHeaderText      = 150
	MaxButtonText      = 75
	MaxButtonValue     = 2000
	MaxURL             = 3000
	MaxID              = 255 // block_id, action_id
	MaxInputLabel      = 2000
	MaxMarkdownBlock   = 12000
	MaxMessageText     = 40000 // a message's top-level text
	MaxBlocksText      = 10000 // all the text in a message's blocks (observed, not documented)
)

// The error codes Slack answers with.
const (
	CodeInvalidBlocks = "invalid_blocks"
	CodeMsgTooLong    = "msg_too_long"
	CodeBlocksTooLong = "msg_blocks_too_long"
)

// Error is a payload Slack would refuse: Code is Slack's error code and
// Problems say what is wrong, in Slack's words, with a JSON pointer.
type Error struct {
	Code     string
	Problems []string
}

func (e *Error) Error() string {
	return "blockkit: " + e.Code + ": " + strings.Join(e.Problems, "; ")
}

// Len counts characters the way Slack's limits do, in UTF-16 code units
// (an emoji outside the Basic Multilingual Plane counts twice). It is never
// less than the number of runes, so text within Len limits is within
// rune-counted limits too.
func Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// CheckBlocks checks a JSON array of blocks for surface s. It returns nil or
// an *Error with CodeInvalidBlocks.
func CheckBlocks(s Surface, blocks []byte) error {
	c := check(s, blocks)
	if len(c.problems) > 0 {
		return &Error{Code: CodeInvalidBlocks, Problems: c.problems}
	}
	return nil
}

// CheckMessage checks a message's top-level text and its blocks (nil when
// none) the way chat.postMessage, chat.update, chat.postEphemeral and
// response_url do. It returns nil or an *Error whose Code is
// CodeMsgTooLong, CodeInvalidBlocks or CodeBlocksTooLong.
func CheckMessage(text string, blocks []byte) error {
	if n := Len(text); n > MaxMessageText {
		return &Error{Code: CodeMsgTooLong, Problems: []string{
			fmt.Sprintf("must be less than %d characters [json-pointer:/text]", MaxMessageText+1)}}
	}
	if blocks == nil {
		return nil
	}
	c := check(Message, blocks)
	if len(c.problems) > 0 {
		return &Error{Code: CodeInvalidBlocks, Problems: c.problems}
	}
	if c.textTotal > MaxBlocksText {
		return &Error{Code: CodeBlocksTooLong, Problems: []string{
			fmt.Sprintf("the blocks hold %d characters of text, more than %d [json-pointer:/blocks]", c.textTotal, MaxBlocksText)}}
	}
	return nil
}

type checker struct {
	surface   Surface
	problems  []string
	textTotal int // characters in every text of every block
}

func (c *checker) bad(ptr, format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...)+" [json-pointer:"+ptr+"]")
}

func check(s Surface, raw []byte) *checker {
	c := &checker{surface: s}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		c.bad("/blocks", "must be a JSON array")
		return c
	}
	blocks, ok := v.([]any)
	if !ok {
		c.bad("/blocks", "must be an array")
		return c
	}
	maxN := MaxMessageBlocks
	if s == Modal {
		maxN = MaxModalBlocks
	}
	if len(blocks) > maxN {
		c.bad("/blocks", "no more than %d items allowed", maxN)
	}
	seen := map[string]bool{}
	for i, b := range blocks {
		c.block(fmt.Sprintf("/blocks/%d", i), b, seen)
	}
	return c
}

func (c *checker) block(ptr string, v any, seenIDs map[string]bool) {
	b, ok := v.(map[string]any)
	typ, _ := b["type"].(string)
	if !ok || !knownBlockType(typ) {
		c.bad(ptr+"/type", "invalid block type")
		return
	}
	if id, present := b["block_id"]; present {
		s, _ := id.(string)
		switch {
		case s == "" || Len(s) > MaxID:
			c.bad(ptr+"/block_id", "must be 1 to %d characters", MaxID)
		case seenIDs[s]:
			c.bad(ptr+"/block_id", "duplicate block_id %q", s)
		}
		seenIDs[s] = true
	}
	switch typ {
	case "section":
		c.section(ptr, b)
	case "context":
		c.context(ptr, b)
	case "actions":
		c.actions(ptr, b)
	case "header":
		c.text(ptr+"/text", b["text"], MaxHeaderText, true, true)
	case "input":
		c.text(ptr+"/label", b["label"], MaxInputLabel, true, true)
		if _, present := b["hint"]; present {
			c.text(ptr+"/hint", b["hint"], MaxInputLabel, true, true)
		}
		if _, present := b["element"]; !present {
			c.bad(ptr+"/element", "missing required field: element")
		} else {
			c.element(ptr+"/element", b["element"], map[string]bool{})
		}
	case "call":
		c.call(ptr, b)
	case "markdown":
		s, _ := b["text"].(string)
		if n := Len(s); n == 0 || n > MaxMarkdownBlock {
			c.bad(ptr+"/text", "must be 1 to %d characters", MaxMarkdownBlock)
		}
		c.textTotal += Len(s)
	}
}

func (c *checker) section(ptr string, b map[string]any) {
	_, hasText := b["text"]
	fields, hasFields := b["fields"]
	if !hasText && !hasFields {
		c.bad(ptr, "must provide either text or fields")
	}
	if hasText {
		c.text(ptr+"/text", b["text"], MaxText, false, true)
	}
	if hasFields {
		list, ok := fields.([]any)
		switch {
		case !ok || len(list) == 0:
			c.bad(ptr+"/fields", "must be a non-empty array")
		case len(list) > MaxSectionFields:
			c.bad(ptr+"/fields", "no more than %d items allowed", MaxSectionFields)
		}
		for i, f := range list {
			c.text(fmt.Sprintf("%s/fields/%d", ptr, i), f, MaxFieldText, false, true)
		}
	}
	if acc, present := b["accessory"]; present {
		c.element(ptr+"/accessory", acc, map[string]bool{})
	}
}

func (c *checker) context(ptr string, b map[string]any) {
	list, ok := b["elements"].([]any)
	switch {
	case !ok || len(list) == 0:
		c.bad(ptr+"/elements", "must be a non-empty array")
		return
	case len(list) > MaxContextElements:
		c.bad(ptr+"/elements", "no more than %d items allowed", MaxContextElements)
	}
	for i, e := range list {
		p := fmt.Sprintf("%s/elements/%d", ptr, i)
		m, _ := e.(map[string]any)
		switch m["type"] {
		case "image":
		case "plain_text", "mrkdwn":
			c.text(p, e, MaxText, false, true)
		default:
			c.bad(p+"/type", "must be an image element or a text object")
		}
	}
}

func (c *checker) actions(ptr string, b map[string]any) {
	list, ok := b["elements"].([]any)
	switch {
	case !ok || len(list) == 0:
		c.bad(ptr+"/elements", "must be a non-empty array")
		return
	case len(list) > MaxActionsElements:
		c.bad(ptr+"/elements", "no more than %d items allowed", MaxActionsElements)
	}
	actionIDs := map[string]bool{}
	for i, e := range list {
		c.element(fmt.Sprintf("%s/elements/%d", ptr, i), e, actionIDs)
	}
}

// element checks an interactive or image element; actionIDs are those
// already used in the same block.
func (c *checker) element(ptr string, v any, actionIDs map[string]bool) {
	e, ok := v.(map[string]any)
	typ, _ := e["type"].(string)
	if !ok || typ == "" {
		c.bad(ptr+"/type", "missing required field: type")
		return
	}
	if id, present := e["action_id"]; present {
		s, _ := id.(string)
		switch {
		case s == "" || Len(s) > MaxID:
			c.bad(ptr+"/action_id", "must be 1 to %d characters", MaxID)
		case actionIDs[s]:
			c.bad(ptr+"/action_id", "duplicate action_id %q", s)
		}
		actionIDs[s] = true
	}
	if typ == "external_select" {
		c.externalSelect(ptr, e)
	}
	if typ != "button" {
		return
	}
	c.text(ptr+"/text", e["text"], MaxButtonText, true, true)
	c.maxString(ptr+"/value", e, "value", MaxButtonValue)
	c.maxString(ptr+"/url", e, "url", MaxURL)
	c.maxString(ptr+"/accessibility_label", e, "accessibility_label", MaxButtonText)
	if st, present := e["style"]; present && st != "primary" && st != "danger" {
		c.bad(ptr+"/style", "must be primary or danger")
	}
}

func (c *checker) maxString(ptr string, m map[string]any, key string, maxN int) {
	v, present := m[key]
	if !present {
		return
	}
	s, ok := v.(string)
	switch {
	case !ok:
		c.bad(ptr, "must be a string")
	case Len(s) > maxN:
		c.bad(ptr, "must be less than %d characters", maxN+1)
	}
}

// text checks a text object of at most maxN characters; plainOnly demands
// plain_text.
func (c *checker) text(ptr string, v any, maxN int, plainOnly, required bool) {
	if v == nil {
		if required {
			c.bad(ptr, "missing required field: text object")
		}
		return
	}
	t, ok := v.(map[string]any)
	if !ok {
		c.bad(ptr, "must be a text object")
		return
	}
	switch typ := t["type"]; {
	case typ != "plain_text" && typ != "mrkdwn":
		c.bad(ptr+"/type", "must be plain_text or mrkdwn")
	case plainOnly && typ != "plain_text":
		c.bad(ptr+"/type", "must be plain_text")
	case typ == "mrkdwn" && t["emoji"] != nil:
		c.bad(ptr+"/emoji", "emoji is only allowed on plain_text")
	case typ == "plain_text" && t["verbatim"] != nil:
		c.bad(ptr+"/verbatim", "verbatim is only allowed on mrkdwn")
	}
	s, ok := t["text"].(string)
	switch n := Len(s); {
	case !ok:
		c.bad(ptr+"/text", "must be a string")
	case n == 0:
		c.bad(ptr+"/text", "must be more than 0 characters")
	case n > maxN:
		c.bad(ptr+"/text", "must be less than %d characters", maxN+1)
	}
	c.textTotal += Len(s)
}

// call checks a call block: it names a call registered with calls.add,
// and is shown in messages only (https://api.slack.com/reference/block-kit/blocks#call).
func (c *checker) call(ptr string, b map[string]any) {
	if id, _ := b["call_id"].(string); id == "" {
		c.bad(ptr+"/call_id", "missing required field: call_id")
	}
	if c.surface != Message {
		c.bad(ptr+"/type", "call blocks are only allowed in messages")
	}
}

func knownBlockType(t string) bool {
	switch t {
	case "section", "divider", "image", "actions", "context", "context_actions", "file", "input",
		"header", "rich_text", "call", "video", "markdown", "table", "data_table", "data_visualization",
		"task_card", "plan", "alert", "auth_provider", "card", "carousel", "container", "layout":
		return true
	}
	return false
}
