package blockkit

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Limits of select menus and their options, each from its reference page:
//   - option object: text at most 75 characters, plain_text in select
//     menus; value at most 150; description plain_text of at most 75
//     (https://docs.slack.dev/reference/block-kit/composition-objects/option-object);
//   - option group: a plain_text label of at most 75 characters and at most
//     100 options
//     (https://docs.slack.dev/reference/block-kit/composition-objects/option-group-object);
//   - external_select: placeholder plain_text of at most 150 characters;
//     min_query_length, "the fewest number of typed characters required
//     before dispatch", 3 when left out; initial_option an option object
//     (https://api.slack.com/reference/block-kit/block-elements#external_select);
//   - the answer to a block_suggestion payload: "a maximum of 100 options
//     or option groups"
//     (https://api.slack.com/reference/interaction-payloads/block-suggestion);
//     an object with either options or option_groups, each a list (empty
//     when nothing matches): the external data source of an
//     external_select answers with options or option groups
//     (https://api.slack.com/reference/block-kit/block-elements#external_select),
//     and Bolt's guide has an app acknowledge the payload with a list of
//     options or option_groups
//     (https://tools.slack.dev/bolt-python/concepts/options). An answer
//     with neither, such as {}, is refused here.
const (
	MaxOptions            = 100
	MaxOptionText         = 75
	MaxOptionValue        = 150
	MaxOptionDescription  = 75
	MaxOptionGroupLabel   = 75
	MaxPlaceholder        = 150
	DefaultMinQueryLength = 3
)

// CheckOptions checks the answer to a block_suggestion payload (what an
// app acknowledges it with): an object with either options or
// option_groups. It returns nil or an *Error with CodeInvalidBlocks.
func CheckOptions(payload []byte) error {
	c := &checker{}
	var v map[string]any
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil || v == nil {
		c.bad("/", "must be a JSON object")
		return &Error{Code: CodeInvalidBlocks, Problems: c.problems}
	}
	opts, hasOpts := v["options"]
	groups, hasGroups := v["option_groups"]
	switch {
	case hasOpts && hasGroups:
		c.bad("/", "must provide either options or option_groups, not both")
	case hasGroups:
		c.optionGroups("/option_groups", groups)
	case hasOpts:
		c.options("/options", opts)
	default:
		c.bad("/", "must provide either options or option_groups")
	}
	if len(c.problems) > 0 {
		return &Error{Code: CodeInvalidBlocks, Problems: c.problems}
	}
	return nil
}

// optionList is v as a list of at most MaxOptions items, or nil.
func (c *checker) optionList(ptr string, v any) []any {
	list, ok := v.([]any)
	switch {
	case !ok:
		c.bad(ptr, "must be an array")
	case len(list) > MaxOptions:
		c.bad(ptr, "no more than %d items allowed", MaxOptions)
	}
	return list
}

func (c *checker) options(ptr string, v any) {
	for i, o := range c.optionList(ptr, v) {
		c.option(fmt.Sprintf("%s/%d", ptr, i), o)
	}
}

func (c *checker) optionGroups(ptr string, v any) {
	for i, g := range c.optionList(ptr, v) {
		p := fmt.Sprintf("%s/%d", ptr, i)
		m, ok := g.(map[string]any)
		if !ok {
			c.bad(p, "must be an option group object")
			continue
		}
		c.text(p+"/label", m["label"], MaxOptionGroupLabel, true, true)
		opts, ok := m["options"].([]any)
		if !ok || len(opts) == 0 {
			c.bad(p+"/options", "must be a non-empty array")
			continue
		}
		c.options(p+"/options", opts)
	}
}

// option checks an option object of a select menu.
func (c *checker) option(ptr string, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		c.bad(ptr, "must be an option object")
		return
	}
	c.text(ptr+"/text", m["text"], MaxOptionText, true, true)
	if _, present := m["value"]; !present {
		c.bad(ptr+"/value", "missing required field: value")
	}
	c.maxString(ptr+"/value", m, "value", MaxOptionValue)
	if d, present := m["description"]; present {
		c.text(ptr+"/description", d, MaxOptionDescription, true, true)
	}
}

// externalSelect checks what an external_select element adds to any
// element.
func (c *checker) externalSelect(ptr string, e map[string]any) {
	if p, present := e["placeholder"]; present {
		c.text(ptr+"/placeholder", p, MaxPlaceholder, true, true)
	}
	if q, present := e["min_query_length"]; present {
		n, ok := q.(json.Number)
		if i, err := n.Int64(); !ok || err != nil || i < 0 {
			c.bad(ptr+"/min_query_length", "must be a non-negative integer")
		}
	}
	if o, present := e["initial_option"]; present {
		c.option(ptr+"/initial_option", o)
	}
}
