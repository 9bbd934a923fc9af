package meetingfake_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meetingfake"
)

// controlGrant is a control token with the WebSocket prefix and one-time
// token that come with it.
type controlGrant struct {
	token, wsURL, tmpWsToken string
}

func grant(t *testing.T, s *meetingfake.Server, id, pw string) controlGrant {
	t.Helper()
	r := controlTokenCall(t, s, id, map[string]string{"X-Password": pw, "X-Login-Type": "1"})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	data, _ := r.JSON(t)["data"].(map[string]any)
	g := controlGrant{}
	g.token, _ = data["token"].(string)
	g.wsURL, _ = data["wsURL"].(string)
	g.tmpWsToken, _ = data["tmpWsToken"].(string)
	return g
}

func wsTokenCall(t *testing.T, s *meetingfake.Server, id, auth string) response {
	t.Helper()
	h := map[string]string{}
	if auth != "" {
		h["X-Conference-Authorization"] = auth
	}
	return do(t, http.MethodGet, s.URL()+"v1/mmc/control/conferences/wsToken?conferenceID="+id, h, "")
}

func wsToken(t *testing.T, s *meetingfake.Server, id, auth string) string {
	t.Helper()
	r := wsTokenCall(t, s, id, auth)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	tok, _ := r.JSON(t)["webSocketToken"].(string)
	require.NotEmpty(t, tok)
	return tok
}

func dial(t *testing.T, prefix, confID, tmpToken string) *websocket.Conn {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial(prefix+"/cms/open/websocket/confctl/increment/conn?confID="+confID+"&tmpToken="+tmpToken, nil)
	require.NoError(t, err)
	_ = resp.Body.Close()
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// closedWith reads until the server closes the connection and returns the close code.
func closedWith(t *testing.T, conn *websocket.Conn) int {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if assert.ErrorAs(t, err, &ce, "closed with a close frame") {
			return ce.Code
		}
		return 0
	}
}

func next(t *testing.T, conn *websocket.Conn) map[string]any {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var m map[string]any
	require.NoError(t, conn.ReadJSON(&m))
	return m
}

func subscribeFrame(confToken string, asString bool, types ...string) map[string]any {
	data := map[string]any{"conferenceID": confID, "subscribeType": types, "confToken": confToken}
	f := map[string]any{"sequence": "000000000000000002611382273415", "action": "Subscribe", "data": data}
	if asString {
		b, _ := json.Marshal(data)
		f["data"] = string(b)
	}
	return f
}

// subscribeReply reads the answer to a Subscribe and returns its returnCode.
func subscribeReply(t *testing.T, conn *websocket.Conn) float64 {
	t.Helper()
	r := next(t, conn)
	require.Equal(t, "Subscribe", r["action"], "a Subscribe is answered first: %v", r)
	assert.NotEmpty(t, r["sequence"])
	data, ok := r["data"].(map[string]any)
	require.True(t, ok, "data is an object: %v", r)
	code, _ := data["returnCode"].(float64)
	return code
}

// version returns an increment's version, checking it is one.
func version(t *testing.T, m map[string]any) int64 {
	t.Helper()
	assert.Equal(t, float64(1), m["msgMode"], "an increment: %v", m)
	v, _ := m["version"].(float64)
	return int64(v)
}

// subscribed opens a connection to confID and subscribes to participants
// and the meeting's state, returning it after the initial pushes.
func subscribed(t *testing.T, s *meetingfake.Server) (*websocket.Conn, map[string]any) {
	t.Helper()
	g := grant(t, s, confID, chairPW)
	conn := dial(t, g.wsURL, confID, wsToken(t, s, confID, g.token))
	require.NoError(t, conn.WriteJSON(subscribeFrame(g.token, true, "ConfDynamicInfoNotify", "ParticipantsNotify", "InviteResultNotify")))
	require.Zero(t, subscribeReply(t, conn))
	state := next(t, conn)
	assert.Equal(t, "ConfDynamicInfoNotify", state["action"])
	assert.Equal(t, "Created", state["state"])
	full := next(t, conn)
	assert.Equal(t, "ParticipantsNotify", full["action"])
	assert.Equal(t, float64(0), full["msgMode"], "the full list first")
	return conn, full
}

func TestControlTokenGivesAWebSocketPrefix(t *testing.T) {
	t.Parallel()
	s := startServer(t, baseConfig(newClock()))

	g := grant(t, s, confID, chairPW)

	assert.True(t, strings.HasPrefix(g.wsURL, "ws://127.0.0.1:"), g.wsURL)
	assert.NotContains(t, strings.TrimPrefix(g.wsURL, "ws://"), "/", "a prefix, without a path")
	conn := dial(t, g.wsURL, confID, g.tmpWsToken)
	require.NoError(t, conn.WriteJSON(subscribeFrame(g.token, false, "ParticipantsNotify")))
	assert.Zero(t, subscribeReply(t, conn))
	assert.Equal(t, "ParticipantsNotify", next(t, conn)["action"], "tmpWsToken opens the socket too")
}

func TestWsTokenNeedsTheControlToken(t *testing.T) {
	t.Parallel()
	s := startServer(t, baseConfig(newClock()))
	g := grant(t, s, confID, chairPW)

	assertError(t, wsTokenCall(t, s, confID, ""), http.StatusUnauthorized, "MMC.111070111")
	assertError(t, wsTokenCall(t, s, confID, "forged"), http.StatusUnauthorized, "USG.000000004")
	assertError(t, wsTokenCall(t, s, otherConf, g.token), http.StatusUnauthorized, "USG.000000004")
	assertError(t, do(t, http.MethodGet, s.URL()+"v1/mmc/control/conferences/wsToken", map[string]string{"X-Conference-Authorization": g.token}, ""),
		http.StatusBadRequest, "MMC.111071061")
	assert.NotEmpty(t, wsToken(t, s, confID, g.token))
}

func TestWebSocketClosesOnFailedAuthentication(t *testing.T) {
	t.Parallel()
	clk := newClock()
	cfg := baseConfig(clk)
	s := startServer(t, cfg)
	g := grant(t, s, confID, chairPW)
	other := grant(t, s, otherConf, "other-chair")

	used := wsToken(t, s, confID, g.token)
	ok := dial(t, g.wsURL, confID, used)
	require.NoError(t, ok.WriteJSON(subscribeFrame(g.token, false, "ParticipantsNotify")))
	next(t, ok)

	expired := wsToken(t, s, confID, g.token)
	clk.Advance(61 * time.Second)
	tests := map[string]*websocket.Conn{
		"used twice":             dial(t, g.wsURL, confID, used),
		"unknown":                dial(t, g.wsURL, confID, "nope"),
		"another meeting's":      dial(t, g.wsURL, confID, wsToken(t, s, otherConf, other.token)),
		"after a minute":         dial(t, g.wsURL, confID, expired),
		"without a conference":   dial(t, g.wsURL, "", wsToken(t, s, confID, g.token)),
		"without a token at all": dial(t, g.wsURL, confID, ""),
	}
	for name, conn := range tests {
		assert.Equal(t, websocket.ClosePolicyViolation, closedWith(t, conn), name)
	}
	r := do(t, http.MethodGet, strings.Replace(g.wsURL, "ws://", "http://", 1)+"/cms/open/websocket/confctl/increment/conn?confID="+confID, nil, "")
	assertError(t, r, http.StatusBadRequest, "MMC.111071061")
	assert.Equal(t, 8, s.Calls(meetingfake.EndpointWebSocket))
}

func TestSubscribeIsRefusedWithAReturnCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		frame func(g, other controlGrant) any
	}{
		{"another meeting's control token", func(g, other controlGrant) any { return subscribeFrame(other.token, false, "ParticipantsNotify") }},
		{"no control token", func(g, _ controlGrant) any { return subscribeFrame("", false, "ParticipantsNotify") }},
		{"a Basic token that is not base64", func(g, _ controlGrant) any { return subscribeFrame("Basic !!", false, "ParticipantsNotify") }},
		{"unknown push type", func(g, _ controlGrant) any { return subscribeFrame(g.token, false, "EverythingNotify") }},
		{"no push type", func(g, _ controlGrant) any { return subscribeFrame(g.token, false) }},
		{"another conferenceID", func(g, _ controlGrant) any {
			return map[string]any{"sequence": "1", "action": "Subscribe",
				"data": map[string]any{"conferenceID": otherConf, "subscribeType": []string{"ParticipantsNotify"}, "confToken": g.token}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, baseConfig(newClock()))
			g := grant(t, s, confID, chairPW)
			other := grant(t, s, otherConf, "other-chair")
			conn := dial(t, g.wsURL, confID, wsToken(t, s, confID, g.token))

			require.NoError(t, conn.WriteJSON(tt.frame(g, other)))

			assert.NotZero(t, subscribeReply(t, conn))
			assert.Zero(t, s.Subscribers(confID))
			// The connection stays open for a Subscribe that works.
			require.NoError(t, conn.WriteJSON(subscribeFrame(g.token, false, "ParticipantsNotify")))
			assert.Zero(t, subscribeReply(t, conn))
			assert.Equal(t, "ParticipantsNotify", next(t, conn)["action"])
		})
	}
}

func TestSubscribeTakesBothTokenForms(t *testing.T) {
	t.Parallel()
	for _, basic := range []bool{false, true} {
		s := startServer(t, baseConfig(newClock()))
		g := grant(t, s, confID, chairPW)
		conn := dial(t, g.wsURL, confID, wsToken(t, s, confID, g.token))
		tok := g.token
		if basic {
			tok = basicToken(g.token) // meeting_21_1511's example
		}
		require.NoError(t, conn.WriteJSON(subscribeFrame(tok, true, "ParticipantsNotify")))
		assert.Zero(t, subscribeReply(t, conn), "basic %v", basic)
		assert.Equal(t, 1, s.Subscribers(confID))
	}
}

func TestRefuseSubscriptions(t *testing.T) {
	t.Parallel()
	s := startServer(t, baseConfig(newClock()))
	g := grant(t, s, confID, chairPW)
	conn := dial(t, g.wsURL, confID, wsToken(t, s, confID, g.token))
	s.RefuseSubscriptions(confID, true)

	require.NoError(t, conn.WriteJSON(subscribeFrame(g.token, false, "ParticipantsNotify")))
	assert.NotZero(t, subscribeReply(t, conn))
	assert.Zero(t, s.Subscribers(confID))

	s.RefuseSubscriptions(confID, false)
	require.NoError(t, conn.WriteJSON(subscribeFrame(g.token, false, "ParticipantsNotify")))
	assert.Zero(t, subscribeReply(t, conn))
	assert.Equal(t, 1, s.Subscribers(confID))
}

func TestSubscribeIsValidated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		frame func(g, other controlGrant) any
	}{
		{"no sequence", func(g, _ controlGrant) any {
			f := subscribeFrame(g.token, false, "ParticipantsNotify")
			delete(f, "sequence")
			return f
		}},
		{"data not an object", func(g, _ controlGrant) any {
			return map[string]any{"sequence": "1", "action": "Subscribe", "data": []int{1}}
		}},
		{"unknown action", func(g, _ controlGrant) any { return map[string]any{"sequence": "1", "action": "Unsubscribe"} }},
		{"not JSON", func(g, _ controlGrant) any { return "hello" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, baseConfig(newClock()))
			g := grant(t, s, confID, chairPW)
			other := grant(t, s, otherConf, "other-chair")
			conn := dial(t, g.wsURL, confID, wsToken(t, s, confID, g.token))

			require.NoError(t, conn.WriteJSON(tt.frame(g, other)))

			assert.Equal(t, websocket.ClosePolicyViolation, closedWith(t, conn))
			assert.Zero(t, s.Subscribers(confID))
		})
	}
}

func TestSubscribeInTimeOrBeClosed(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(newClock())
	cfg.SubscribeTimeout = 50 * time.Millisecond
	s := startServer(t, cfg)
	g := grant(t, s, confID, chairPW)

	conn := dial(t, g.wsURL, confID, wsToken(t, s, confID, g.token))

	assert.Equal(t, websocket.ClosePolicyViolation, closedWith(t, conn))
}

func TestHeartbeatsAreEchoedAndRequired(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(newClock())
	cfg.HeartbeatTimeout = 300 * time.Millisecond
	s := startServer(t, cfg)
	conn, _ := subscribed(t, s)

	require.NoError(t, conn.WriteJSON(map[string]string{"sequence": "000000000000000001611993655770", "action": "HeartBeat"}))
	assert.Equal(t, map[string]any{"sequence": "000000000000000001611993655770", "action": "HeartBeat"}, next(t, conn))
	assert.Equal(t, 1, s.Subscribers(confID))

	// Silence beyond the heartbeat timeout ends the connection.
	assert.Equal(t, websocket.ClosePolicyViolation, closedWith(t, conn))
	require.Eventually(t, func() bool { return s.Subscribers(confID) == 0 }, 5*time.Second, 5*time.Millisecond)
}

func TestParticipantsArePushed(t *testing.T) {
	t.Parallel()
	s := startServer(t, baseConfig(newClock()))
	carol := s.Join(confID, meetingfake.Participant{Name: "Carol", Number: "+99111244216210001", Role: 1})
	conn, full := subscribed(t, s)
	assert.Equal(t, confID, full["confID"])
	assert.NotEmpty(t, full["msgID"])
	assert.Equal(t, []any{map[string]any{"pid": carol, "mode": float64(0),
		"pinfoMap": map[string]any{"NAME": "Carol", "TEL": "+99111244216210001", "ROLE": "1", "STATE": "0"}}}, full["data"])
	assert.Equal(t, 1, s.Subscribers(confID))

	dave := s.Join(confID, meetingfake.Participant{Name: "Dave", Number: "+8613800000003"})
	joined := next(t, conn)
	v1 := version(t, joined)
	assert.Equal(t, []any{map[string]any{"pid": dave, "mode": float64(0),
		"pinfoMap": map[string]any{"NAME": "Dave", "TEL": "+8613800000003", "ROLE": "0", "STATE": "0"}}}, joined["data"])

	ctl := grant(t, s, confID, chairPW).token
	require.Equal(t, http.StatusOK, invite(t, s, confID, ctl, `{"attendees":[{"name":"Bob","phone":"+442079460000","type":"mobile"}]}`).Status)
	ringing := next(t, conn)
	v2 := version(t, ringing)
	entry := ringing["data"].([]any)[0].(map[string]any)
	assert.Equal(t, "1", entry["pinfoMap"].(map[string]any)["STATE"], "being called")

	require.True(t, s.Answer(confID, "+442079460000"))
	answered := next(t, conn)
	v3 := version(t, answered)
	assert.Equal(t, map[string]any{"STATE": "0"}, answered["data"].([]any)[0].(map[string]any)["pinfoMap"])
	result := next(t, conn)
	assert.Equal(t, "InviteResultNotify", result["action"])
	assert.Equal(t, []any{map[string]any{"callNumber": "+442079460000", "resultCode": "0"}}, result["data"])
	v4 := version(t, result)

	require.True(t, s.Leave(confID, carol))
	left := next(t, conn)
	assert.Equal(t, []int64{v1, v2, v3, v4}, slices.Sorted(slices.Values([]int64{v4, v3, v2, v1})), "increasing")
	assert.Greater(t, version(t, left), v4, "one counter for participants and invite results: a gap for the bot")
	assert.Equal(t, float64(1), left["data"].([]any)[0].(map[string]any)["mode"], "removed")
}

func TestTheMeetingsEndClosesItsSockets(t *testing.T) {
	t.Parallel()
	s := startServer(t, baseConfig(newClock()))
	s.Join(confID, meetingfake.Participant{Name: "Carol", Number: "+1001"})
	conn, _ := subscribed(t, s)

	s.SetState(confID, meetingfake.StateDestroyed)

	left := next(t, conn)
	assert.Equal(t, float64(1), left["data"].([]any)[0].(map[string]any)["mode"], "everyone leaves")
	ended := next(t, conn)
	assert.Equal(t, "ConfDynamicInfoNotify", ended["action"])
	assert.Equal(t, "Destroyed", ended["state"])
	assert.Equal(t, websocket.CloseNormalClosure, closedWith(t, conn))
}

func TestCloseClosesSockets(t *testing.T) {
	t.Parallel()
	s, err := meetingfake.Start(baseConfig(newClock()))
	require.NoError(t, err)
	conn, _ := subscribed(t, s)

	done := make(chan struct{})
	go func() {
		s.Close()
		close(done)
	}()

	assert.Equal(t, websocket.CloseGoingAway, closedWith(t, conn))
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
}

func TestHeartbeatsDoNotReplaceTheSubscription(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(newClock())
	cfg.SubscribeTimeout = 200 * time.Millisecond
	s := startServer(t, cfg)
	g := grant(t, s, confID, chairPW)
	conn := dial(t, g.wsURL, confID, wsToken(t, s, confID, g.token))
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if conn.WriteJSON(map[string]string{"sequence": "1", "action": "HeartBeat"}) != nil {
					return
				}
			}
		}
	}()

	start := time.Now()
	assert.Equal(t, websocket.ClosePolicyViolation, closedWith(t, conn))
	assert.Less(t, time.Since(start), 3*time.Second)
}

func TestUnansweredCallsArePushedAsInviteResults(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(newClock())
	cfg.RingTimeout = 50 * time.Millisecond
	s := startServer(t, cfg)
	conn, full := subscribed(t, s)
	assert.Equal(t, []any{}, full["data"], "an empty roster is an empty list")

	ctl := grant(t, s, confID, chairPW).token
	require.Equal(t, http.StatusOK, invite(t, s, confID, ctl, `{"attendees":[{"name":"Bob","phone":"+442079460000","type":"mobile"}]}`).Status)

	ringing := next(t, conn)
	v1 := version(t, ringing)
	assert.Equal(t, map[string]any{"NAME": "Bob", "TEL": "+442079460000", "ROLE": "0", "STATE": "1"},
		ringing["data"].([]any)[0].(map[string]any)["pinfoMap"])
	gone := next(t, conn)
	assert.Equal(t, "ParticipantsNotify", gone["action"])
	v2 := version(t, gone)
	assert.Equal(t, float64(1), gone["data"].([]any)[0].(map[string]any)["mode"], "removed")
	result := next(t, conn)
	assert.Equal(t, "InviteResultNotify", result["action"])
	v3 := version(t, result)
	assert.Equal(t, confID, result["confID"])
	assert.Equal(t, []any{map[string]any{"callNumber": "+442079460000", "resultCode": "11076014"}}, result["data"],
		"SIP call timeout, as meeting_21_1518's example names the field")
	assert.Empty(t, s.Participants(confID))
	assert.Less(t, v1, v2, "one counter for every push type, increasing")
	assert.Less(t, v2, v3)
}

func TestCallOutcomesArePushed(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(newClock())
	cfg.PSTNEnabled = false
	cfg.FailAfter = 10 * time.Millisecond
	cfg.CallOutcomes = map[string]meetingfake.CallOutcome{"+99111244216210001": meetingfake.CallBusy}
	s := startServer(t, cfg)
	s.SetCallOutcome("+99111244216210002", meetingfake.CallDeclines)
	s.SetCallOutcome("+99111244216210003", meetingfake.CallFails)
	conn, _ := subscribed(t, s)
	ctl := grant(t, s, confID, chairPW).token

	resp := invite(t, s, confID, ctl, `{"attendees":[{"name":"A","phone":"+99111244216210001","type":"normal"},`+
		`{"name":"B","phone":"+99111244216210002","type":"normal"},{"name":"C","phone":"+99111244216210003","type":"normal"},`+
		`{"name":"D","phone":"+442079460000","type":"mobile"}]}`)
	require.Equal(t, http.StatusOK, resp.Status, "a mobile without PSTN is accepted: the call fails later")

	results := map[string]string{}
	for len(results) < 4 {
		m := next(t, conn)
		if m["action"] != "InviteResultNotify" {
			continue
		}
		for _, r := range m["data"].([]any) {
			r := r.(map[string]any)
			results[r["callNumber"].(string)] = r["resultCode"].(string)
		}
	}
	assert.Equal(t, map[string]string{
		"+99111244216210001": "11076008", "+99111244216210002": "11076009",
		"+99111244216210003": "11076007", "+442079460000": "11076012",
	}, results)
	assert.Empty(t, s.Participants(confID), "failed calls leave the roster")
}

func TestVersionsIncreaseWithGapsAndCanRepeat(t *testing.T) {
	t.Parallel()
	s := startServer(t, baseConfig(newClock()))
	conn, _ := subscribed(t, s)
	var last int64
	gap := false
	for i := range 30 {
		s.Join(confID, meetingfake.Participant{Name: "P", Number: fmt.Sprintf("+1%04d", i)})
		v := version(t, next(t, conn))
		assert.Greater(t, v, last)
		gap = gap || v > last+1
		last = v
	}
	assert.True(t, gap, "versions skip numbers: they only increase")

	s.RepeatNextVersion(confID)
	s.Join(confID, meetingfake.Participant{Name: "Q", Number: "+19999"})
	assert.Equal(t, last, version(t, next(t, conn)))
}

func TestAnsweringAfterAWhileIsPushed(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(newClock())
	cfg.AnswerAfter = 30 * time.Millisecond
	s := startServer(t, cfg)
	conn, _ := subscribed(t, s)
	ctl := grant(t, s, confID, chairPW).token

	require.Equal(t, http.StatusOK, invite(t, s, confID, ctl, `{"attendees":[{"name":"Bob","phone":"+442079460000","type":"mobile"}]}`).Status)

	pid := next(t, conn)["data"].([]any)[0].(map[string]any)["pid"]
	answered := next(t, conn)
	assert.Equal(t, []any{map[string]any{"pid": pid, "mode": float64(0), "pinfoMap": map[string]any{"STATE": "0"}}}, answered["data"])
	assert.Equal(t, "0", next(t, conn)["data"].([]any)[0].(map[string]any)["resultCode"])
}

func TestSubscribeAgainReplacesTheTypes(t *testing.T) {
	t.Parallel()
	s := startServer(t, baseConfig(newClock()))
	g := grant(t, s, confID, chairPW)
	conn := dial(t, g.wsURL, confID, wsToken(t, s, confID, g.token))
	require.NoError(t, conn.WriteJSON(subscribeFrame(g.token, false, "ConfDynamicInfoNotify")))
	assert.Zero(t, subscribeReply(t, conn))
	assert.Equal(t, "ConfDynamicInfoNotify", next(t, conn)["action"])
	assert.Equal(t, 1, s.Subscribers(confID), "any push type counts")

	require.NoError(t, conn.WriteJSON(subscribeFrame(g.token, false, "ParticipantsNotify")))
	assert.Zero(t, subscribeReply(t, conn))
	full := next(t, conn)
	assert.Equal(t, "ParticipantsNotify", full["action"], "no state push: it was unsubscribed")
	assert.Equal(t, float64(0), full["msgMode"])
	assert.Equal(t, 1, s.Subscribers(confID))

	s.Join(confID, meetingfake.Participant{Name: "Dave", Number: "sip:dave@example.com"})
	assert.Positive(t, version(t, next(t, conn)))
	assert.Zero(t, s.Subscribers(otherConf))
}

func TestSubscribeAfterTheMeetingEnded(t *testing.T) {
	t.Parallel()
	s := startServer(t, baseConfig(newClock()))
	g := grant(t, s, confID, chairPW)
	tok := wsToken(t, s, confID, g.token)
	s.SetState(confID, meetingfake.StateDestroyed)
	conn := dial(t, g.wsURL, confID, tok)

	require.NoError(t, conn.WriteJSON(subscribeFrame(g.token, false, "ConfDynamicInfoNotify", "ParticipantsNotify")))

	assert.Zero(t, subscribeReply(t, conn))
	assert.Equal(t, "Destroyed", next(t, conn)["state"])
	assert.Equal(t, websocket.CloseNormalClosure, closedWith(t, conn))
}

func TestWsTokenStatesAndForms(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := startServer(t, baseConfig(clk))
	g := grant(t, s, confID, chairPW)

	tok := wsToken(t, s, confID, basicToken(g.token))
	conn := dial(t, g.wsURL, confID, tok)
	require.NoError(t, conn.WriteJSON(subscribeFrame(g.token, false, "ParticipantsNotify")))
	assert.Zero(t, subscribeReply(t, conn))
	assert.Equal(t, "ParticipantsNotify", next(t, conn)["action"], "a token from the Basic form works")

	s.FailNext(meetingfake.EndpointWsToken, meetingfake.Failure{Status: http.StatusTooManyRequests, Code: "APIGW.0308"})
	assertError(t, wsTokenCall(t, s, confID, g.token), http.StatusTooManyRequests, "APIGW.0308")
	s.SetState(confID, meetingfake.StateCreating)
	assertError(t, wsTokenCall(t, s, confID, g.token), http.StatusBadRequest, "MMC.111072004")
	s.SetState(confID, meetingfake.StateDestroyed)
	assertError(t, wsTokenCall(t, s, confID, g.token), http.StatusBadRequest, "MMC.111072006")
	assert.Equal(t, 4, s.Calls(meetingfake.EndpointWsToken))
}

func TestWebSocketFailNext(t *testing.T) {
	t.Parallel()
	s := startServer(t, baseConfig(newClock()))
	g := grant(t, s, confID, chairPW)
	s.FailNext(meetingfake.EndpointWebSocket, meetingfake.Failure{Status: http.StatusServiceUnavailable})

	_, resp, err := websocket.DefaultDialer.Dial(g.wsURL+"/cms/open/websocket/confctl/increment/conn?confID="+confID+"&tmpToken="+g.tmpWsToken, nil)

	require.ErrorIs(t, err, websocket.ErrBadHandshake)
	require.NotNil(t, resp)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	conn := dial(t, g.wsURL, confID, g.tmpWsToken)
	require.NoError(t, conn.WriteJSON(subscribeFrame(g.token, false, "ParticipantsNotify")))
	assert.Zero(t, subscribeReply(t, conn))
	assert.Equal(t, "ParticipantsNotify", next(t, conn)["action"], "the failure did not use the token")
	assert.Equal(t, 2, s.Calls(meetingfake.EndpointWebSocket))
}

func TestASlowSubscriberIsDropped(t *testing.T) {
	t.Parallel()
	s := startServer(t, baseConfig(newClock()))
	conn, _ := subscribed(t, s) // and never read again
	name := strings.Repeat("x", 8000)

	// Enough pushes to fill the socket's buffers and then the outbox.
	start := time.Now()
	for i := 0; i < 20_000 && s.Subscribers(confID) > 0; i++ {
		s.Join(confID, meetingfake.Participant{Name: name, Number: "+1001"})
	}

	require.Eventually(t, func() bool { return s.Subscribers(confID) == 0 }, 5*time.Second, time.Millisecond,
		"the subscriber is dropped when its outbox overflows")
	assert.Less(t, time.Since(start), 10*time.Second, "pushes never wait for a slow subscriber")
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			var ne net.Error
			assert.False(t, errors.As(err, &ne) && ne.Timeout(), "the connection ends: %v", err)
			break
		}
	}
}

func TestBatchesArePushedAsOneIncrement(t *testing.T) {
	t.Parallel()
	s := startServer(t, baseConfig(newClock()))
	conn, _ := subscribed(t, s)
	ctl := grant(t, s, confID, chairPW).token
	atts := make([]string, 0, 100)
	for i := range 100 {
		atts = append(atts, fmt.Sprintf(`{"name":"n%d","phone":"+99111244216%06d","type":"normal"}`, i, i))
	}

	require.Equal(t, http.StatusOK, invite(t, s, confID, ctl, `{"attendees":[`+strings.Join(atts, ",")+`]}`).Status)

	calls := next(t, conn)
	v := version(t, calls)
	assert.Len(t, calls["data"], 100, "one invite, one increment, more entries than an outbox holds")
	assert.Len(t, s.Participants(confID), 100)

	s.SetState(confID, meetingfake.StateDestroyed)

	left := next(t, conn)
	assert.Greater(t, version(t, left), v)
	assert.Len(t, left["data"], 100, "everyone leaves at once")
	assert.Equal(t, "Destroyed", next(t, conn)["state"])
	assert.Equal(t, websocket.CloseNormalClosure, closedWith(t, conn), "a healthy subscriber is not dropped")
}
