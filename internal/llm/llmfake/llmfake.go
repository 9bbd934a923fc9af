// Package llmfake is a fake OpenAI-compatible chat completions server for
// tests: it checks what the real API checks that matters here (the bearer
// key, a model, messages, a tool definition) and answers with a scripted
// reply, typically a function call.
package llmfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Reply is what the server answers to the next request.
type Reply struct {
	Arguments string        // a function call with these arguments (raw JSON, may be malformed on purpose)
	Content   string        // a plain text answer instead of a function call
	Refusal   string        // a refusal
	Status    int           // an error status (with an OpenAI error body) instead of an answer
	Delay     time.Duration // wait first (the request's context is honoured)
}

// Request is what the server received, for assertions.
type Request struct {
	Model      string
	System     string
	User       string
	ToolNames  []string
	ToolChoice json.RawMessage
}

// Server is a running fake.
type Server struct {
	srv *httptest.Server
	key string

	mu       sync.Mutex
	replies  []Reply
	requests []Request
}

// Start starts a fake that accepts key as its API key.
func Start(key string) *Server {
	s := &Server{key: key}
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// URL is the base URL to configure, ending in /v1.
func (s *Server) URL() string { return s.srv.URL + "/v1" }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Reply queues the answer to the next request. With none queued, the
// server answers 500.
func (s *Server) Reply(r Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies = append(s.replies, r)
}

// Requests returns what the server received.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		writeError(w, http.StatusNotFound, "unknown path")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.key {
		writeError(w, http.StatusUnauthorized, "Incorrect API key provided")
		return
	}
	var body struct {
		Model    string `json:"model"`
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
		Tools []struct {
			Type     string `json:"type"`
			Function struct {
				Name       string          `json:"name"`
				Parameters json.RawMessage `json:"parameters"`
			} `json:"function"`
		} `json:"tools"`
		ToolChoice json.RawMessage `json:"tool_choice"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Model == "" || len(body.Messages) == 0 {
		writeError(w, http.StatusBadRequest, "invalid request")
		return
	}
	req := Request{Model: body.Model, ToolChoice: body.ToolChoice}
	for _, m := range body.Messages {
		switch m.Role {
		case "system":
			req.System = m.Content
		case "user":
			req.User = m.Content
		}
	}
	for _, t := range body.Tools {
		if t.Type != "function" || !json.Valid(t.Function.Parameters) {
			writeError(w, http.StatusBadRequest, "invalid tool")
			return
		}
		req.ToolNames = append(req.ToolNames, t.Function.Name)
	}

	s.mu.Lock()
	s.requests = append(s.requests, req)
	var reply Reply
	ok := len(s.replies) > 0
	if ok {
		reply, s.replies = s.replies[0], s.replies[1:]
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusInternalServerError, "no reply scripted")
		return
	}
	if reply.Delay > 0 {
		select {
		case <-time.After(reply.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if reply.Status != 0 {
		writeError(w, reply.Status, "scripted failure")
		return
	}
	msg := map[string]any{"role": "assistant", "content": reply.Content}
	finish := "stop"
	if reply.Refusal != "" {
		msg["refusal"] = reply.Refusal
	}
	if reply.Arguments != "" && len(req.ToolNames) > 0 {
		msg["content"] = nil
		msg["tool_calls"] = []any{map[string]any{
			"id": "call_1", "type": "function",
			"function": map[string]any{"name": req.ToolNames[0], "arguments": reply.Arguments},
		}}
		finish = "tool_calls"
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "created": time.Now().Unix(), "model": body.Model,
		"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}},
	})
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":%q,"type":"invalid_request_error","code":null}}`, strings.ReplaceAll(msg, `"`, `'`))
}
