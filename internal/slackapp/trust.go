package slackapp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"

	"github.com/slack-go/slack"
)

// Nothing in a payload is trusted for more than Slack vouches for.
//
// Button values and form metadata come back from Slack as the bot sent
// them, over Socket Mode; but an HTTP endpoint, a bug, or a replayed
// payload would turn them into a way to post anywhere or call anyone. So
// those the bot reads back are signed: HMAC-SHA256, keyed with
// Config.ButtonSecret (BUTTON_SECRET) or, unset, 32 random bytes made at
// start. Signing rather than a random key to state held in memory: a
// "Call again" post lives for hours and a table of them would grow with
// every post; a signature costs no memory and, with BUTTON_SECRET, outlives
// a restart. The confirmation cards keep their random keys (confirm.go):
// their state, the people confirmed, must be held anyway.

// sigLen is the bytes of HMAC-SHA256 kept: 128 bits, ample for a MAC.
const sigLen = 16

// signer signs and checks values with one key.
type signer struct{ key []byte }

func newSigner(key []byte) signer {
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	return signer{key: key}
}

// sign returns value with a signature for purpose appended: value + "." +
// base64url(MAC). The purpose keeps a value signed for one use from
// passing for another.
func (s signer) sign(purpose, value string) string {
	return value + "." + base64.RawURLEncoding.EncodeToString(s.mac(purpose, value))
}

// open returns the value of a signed value, when its signature for
// purpose is good.
func (s signer) open(purpose, signed string) (string, bool) {
	i := strings.LastIndexByte(signed, '.')
	if i < 0 {
		return "", false
	}
	sig, err := base64.RawURLEncoding.DecodeString(signed[i+1:])
	if err != nil || !hmac.Equal(sig, s.mac(purpose, signed[:i])) {
		return "", false
	}
	return signed[:i], true
}

func (s signer) mac(purpose, value string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(purpose))
	h.Write([]byte{0})
	h.Write([]byte(value))
	return h.Sum(nil)[:sigLen]
}

// Purposes of signed values.
const (
	signRetry  = "retry"  // Try again and Call again buttons
	signModal  = "modal"  // the invite form's private_metadata
	signAnswer = "answer" // the answers of someone called (answers.go)
)

// signedButtons are the buttons whose values are signed, and for what.
var signedButtons = map[string]string{
	actionRetry: signRetry, actionCallBack: signRetry,
	actionJoining: signAnswer, actionCannot: signAnswer, actionPhone: signAnswer,
}

// seal signs the value of every button the bot reads back (signedButtons), and
// drops a button whose signed value would pass Slack's 2,000 characters
// (https://docs.slack.dev/reference/block-kit/block-elements/button-element).
func (a *App) seal(m message) message {
	m.blocks = mapElements(m.blocks, func(el slack.BlockElement) (slack.BlockElement, bool) {
		btn, ok := el.(*slack.ButtonBlockElement)
		if !ok || signedButtons[btn.ActionID] == "" {
			return el, true
		}
		sealed := *btn
		sealed.Value = a.signer.sign(signedButtons[btn.ActionID], btn.Value)
		return &sealed, len(sealed.Value) <= 2000
	})
	return m
}

// mapElements rebuilds blocks with each element of their action blocks
// passed through f, which may drop it (false); an action block left empty
// goes.
func mapElements(blocks []slack.Block, f func(slack.BlockElement) (slack.BlockElement, bool)) []slack.Block {
	out := make([]slack.Block, 0, len(blocks))
	for _, b := range blocks {
		ab, ok := b.(*slack.ActionBlock)
		if !ok || ab.Elements == nil {
			out = append(out, b)
			continue
		}
		var kept []slack.BlockElement
		for _, el := range ab.Elements.ElementSet {
			if el, ok := f(el); ok {
				kept = append(kept, el)
			}
		}
		if len(kept) > 0 {
			out = append(out, slack.NewActionBlock(ab.BlockID, kept...))
		}
	}
	return out
}

// slackHooksHost is where Slack's response_urls live
// (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses).
const slackHooksHost = "hooks.slack.com"

// hook returns a payload's response_url when it is Slack's: https on
// hooks.slack.com, or on the configured Slack API host (the fakes). Any
// other is dropped (""), so that a forged one can make the bot send
// nothing anywhere; the bot then answers by the Web API instead.
func (a *App) hook(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	ok := err == nil && u.User == nil &&
		(u.Scheme == "https" && u.Host == slackHooksHost || a.apiHost != nil && u.Scheme == a.apiHost.Scheme && u.Host == a.apiHost.Host)
	if !ok {
		a.log.Warn("ignoring a response_url that is not Slack's")
		return ""
	}
	return raw
}
