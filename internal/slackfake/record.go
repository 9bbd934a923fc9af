package slackfake

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"time"
)

// subscriberBuffer is how many messages a Subscribe channel holds; a
// subscriber that falls further behind misses messages.
const subscriberBuffer = 1024

// Message is something the bot posted.
type Message struct {
	Kind            string // "post" (chat.postMessage), "ephemeral" (chat.postEphemeral), "response" (response_url), "update" (chat.update)
	Channel         string // channel ID ("D…" for DMs); for response_url posts the channel of the command or action that minted it
	User            string // ephemeral target user, DM recipient, or the invoking user for response_url posts
	Text            string
	Blocks          json.RawMessage // compacted; nil when none were sent
	ResponseType    string          // response_url posts: "ephemeral" (Slack's default) or "in_channel"
	ReplaceOriginal bool
	DeleteOriginal  bool
	ThreadTS, TS    string
	At              time.Time
}

// record appends m and fans it out; s.mu must be held.
func (s *Server) record(m Message) {
	s.messages = append(s.messages, m)
	notify(&s.msgChanged)
	for _, ch := range s.subs {
		select {
		case ch <- cloneMessage(m):
		default: // a stalled subscriber must not stall the fake
		}
	}
}

func cloneMessage(m Message) Message {
	m.Blocks = bytes.Clone(m.Blocks)
	return m
}

// Messages returns everything posted so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked()
}

func (s *Server) messagesLocked() []Message {
	out := make([]Message, len(s.messages))
	for i, m := range s.messages {
		out[i] = cloneMessage(m)
	}
	return out
}

// WaitMessages waits until at least n messages were posted and returns them all.
func (s *Server) WaitMessages(ctx context.Context, n int) ([]Message, error) {
	var out []Message
	err := s.waitUntil(ctx, func() (bool, <-chan struct{}) {
		if len(s.messages) >= n {
			out = s.messagesLocked()
			return true, nil
		}
		return false, s.msgChanged
	})
	return out, err
}

// WaitMatch waits until a message for which ok is true was posted and
// returns the first such message.
func (s *Server) WaitMatch(ctx context.Context, ok func(Message) bool) (Message, error) {
	var out Message
	err := s.waitUntil(ctx, func() (bool, <-chan struct{}) {
		for _, m := range s.messages {
			if ok(m) {
				out = cloneMessage(m)
				return true, nil
			}
		}
		return false, s.msgChanged
	})
	return out, err
}

// Subscribe returns a live feed of messages posted from now on (buffered; a
// subscriber more than 1024 messages behind misses some) and a function that
// unsubscribes and closes the channel. Close also closes it.
func (s *Server) Subscribe() (<-chan Message, func()) {
	ch := make(chan Message, subscriberBuffer)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		close(ch)
		return ch, func() {}
	}
	s.subSeq++
	id := s.subSeq
	s.subs[id] = ch
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if c, ok := s.subs[id]; ok {
				delete(s.subs, id)
				close(c)
			}
		})
	}
}

// messageJSON is a bot message as the Web API and interactive payloads show it; s.mu must be held.
func (s *Server) messageJSON(text string, blocks json.RawMessage, ts, threadTS string) map[string]any {
	m := map[string]any{
		"type":   "message",
		"text":   text,
		"user":   s.cfg.BotUserID,
		"bot_id": botID,
		"app_id": appID,
		"ts":     ts,
		"team":   s.cfg.TeamID,
		"bot_profile": map[string]any{
			"id": botID, "app_id": appID, "name": s.userName(s.cfg.BotUserID), "team_id": s.cfg.TeamID, "deleted": false,
		},
	}
	if len(blocks) > 0 {
		m["blocks"] = json.RawMessage(bytes.Clone(blocks))
	}
	if threadTS != "" {
		m["thread_ts"] = threadTS
	}
	return m
}
