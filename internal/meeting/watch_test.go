package meeting_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/meeting"
)

// wsServer is a Huawei control-token, wsToken and control WebSocket endpoint
// for one test. Each connection's frames from the client arrive on frames;
// the test pushes with push.
type wsServer struct {
	url        string
	wsTokens   atomic.Int32
	rest       atomic.Int32 // conf-attendee calls
	keepAlives atomic.Int32 // control-token calls carrying the token
	refuseKeep atomic.Bool  // answer keep-alives with 401
	refuseSub  atomic.Bool  // answer Subscribe with a non-zero returnCode
	silentSub  atomic.Bool  // do not answer Subscribe at all
	conns      chan *websocket.Conn
	frames     chan map[string]any
}

// setupWatch serves a running test conference whose control token comes with
// a wsURL prefix pointing at the test server (http://127.0.0.1:PORT).
func setupWatch(t *testing.T) (*wsServer, *meeting.Client) {
	t.Helper()
	return setupWatchFor(t, 30*time.Minute)
}

// setupWatchFor is setupWatch with control tokens valid for lifetime.
func setupWatchFor(t *testing.T, lifetime time.Duration) (*wsServer, *meeting.Client) {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s := &wsServer{url: srv.URL, conns: make(chan *websocket.Conn, 4), frames: make(chan map[string]any, 16)}

	handleAuth(t, mux, time.Now, 24*time.Hour)
	handleDetail(t, mux, "Created", chairPW)
	mux.HandleFunc("GET /api/v1/mmc/control/conferences/token", func(w http.ResponseWriter, r *http.Request) {
		if tok := r.Header.Get("X-Conference-Authorization"); tok != "" {
			// A keep-alive: it answers a fresh token good for 30 minutes.
			n := s.keepAlives.Add(1)
			assert.Equal(t, "ctl-1", tok, "the token the watch holds")
			assert.Equal(t, "1", r.Header.Get("X-Login-Type"))
			assert.Equal(t, chairPW, r.Header.Get("X-Password"))
			if s.refuseKeep.Load() {
				writeError(w, http.StatusUnauthorized, "USG.000000004")
				return
			}
			body := controlTokenBody(fmt.Sprintf("ctl-kept-%d", n), time.Now().Add(30*time.Minute), 1800)
			writeJSON(w, http.StatusOK, body)
			return
		}
		body := controlTokenBody("ctl-1", time.Now().Add(lifetime), int(lifetime/time.Second))
		body["data"].(map[string]any)["wsURL"] = srv.URL
		writeJSON(w, http.StatusOK, body)
	})
	mux.HandleFunc("GET /api/v1/mmc/control/conferences/wsToken", func(w http.ResponseWriter, r *http.Request) {
		n := s.wsTokens.Add(1)
		assert.Equal(t, "conferenceID="+confID, r.URL.RawQuery)
		assert.Equal(t, "ctl-1", r.Header.Get("X-Conference-Authorization"))
		writeJSON(w, http.StatusOK, map[string]string{"webSocketToken": "wst-" + string(rune('0'+n))})
	})
	mux.HandleFunc("GET /api/v1/mmc/management/conferences/online/conf-attendee", func(w http.ResponseWriter, r *http.Request) {
		s.rest.Add(1)
		writeJSON(w, http.StatusOK, map[string]any{"offset": 0, "limit": 500, "count": 1,
			"data": []map[string]any{{"participant_id": "rest-1", "name": "From REST", "call_number": "+1000"}}})
	})
	upgrader := websocket.Upgrader{}
	mux.HandleFunc("GET /cms/open/websocket/confctl/increment/conn", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		assert.Equal(t, confID, q.Get("confID"))
		assert.Regexp(t, `^wst-\d$`, q.Get("tmpToken"))
		conn, err := upgrader.Upgrade(w, r, nil)
		if !assert.NoError(t, err) {
			return
		}
		defer conn.Close()
		s.conns <- conn
		for {
			var frame map[string]any
			if err := conn.ReadJSON(&frame); err != nil {
				// The end of the connection, as a frame: closed says how.
				s.frames <- map[string]any{"closed": websocket.IsCloseError(err, websocket.CloseNormalClosure)}
				return
			}
			if frame["action"] == "Subscribe" && !s.silentSub.Load() {
				// meeting_21_1511's answer, with its own spelling "returnDesc ".
				reply := map[string]any{"returnCode": 0, "returnDesc ": "SUCCESS"}
				if s.refuseSub.Load() {
					reply = map[string]any{"returnCode": 111070111, "returnDesc ": "TOKEN_INVALID"}
				}
				wsWrites.Lock()
				_ = conn.WriteJSON(map[string]any{"action": "Subscribe", "sequence": frame["sequence"], "data": reply}) // the client may be gone
				wsWrites.Unlock()
			}
			s.frames <- frame
		}
	})
	c, err := meeting.NewClient(appCreds, meeting.WithBaseURL(srv.URL+"/api/"))
	require.NoError(t, err)
	return s, c
}

func (s *wsServer) conn(t *testing.T) *websocket.Conn {
	t.Helper()
	select {
	case c := <-s.conns:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("the client did not connect")
		return nil
	}
}

func (s *wsServer) frame(t *testing.T) map[string]any {
	t.Helper()
	select {
	case f := <-s.frames:
		return f
	case <-time.After(5 * time.Second):
		t.Fatal("the client sent nothing")
		return nil
	}
}

// wsWrites serialises the test servers' writes: the handler's Subscribe
// answers and the tests' pushes (gorilla allows one writer at a time).
var wsWrites sync.Mutex

func push(t *testing.T, conn *websocket.Conn, v any) {
	t.Helper()
	wsWrites.Lock()
	defer wsWrites.Unlock()
	require.NoError(t, conn.WriteJSON(v))
}

func participantsPush(mode int, version int64, data ...map[string]any) map[string]any {
	if data == nil {
		data = []map[string]any{}
	}
	return map[string]any{"action": "ParticipantsNotify", "version": version, "createTime": time.Now().UnixMilli(),
		"msgID": "m", "msgMode": mode, "confID": confID, "data": data}
}

func entry(pid string, mode int, info map[string]string) map[string]any {
	return map[string]any{"pid": pid, "mode": mode, "pinfoMap": info}
}

// startWatch prepares the conference, opens a watch and checks its Subscribe frame.
func startWatch(t *testing.T, s *wsServer, c *meeting.Client) (*meeting.Watch, *websocket.Conn) {
	t.Helper()
	ctx := context.Background()
	_, err := c.Prepare(ctx, confID, "")
	require.NoError(t, err)
	w, err := c.Watch(ctx, confID)
	require.NoError(t, err)
	t.Cleanup(w.Close)
	conn := s.conn(t)
	checkSubscribe(t, s.frame(t))
	return w, conn
}

var sequence = regexp.MustCompile(`^\d{30}$`)

func checkSubscribe(t *testing.T, f map[string]any) {
	t.Helper()
	checkSubscribeWith(t, f, "ctl-1")
}

func checkSubscribeWith(t *testing.T, f map[string]any, confToken string) {
	t.Helper()
	assert.Equal(t, "Subscribe", f["action"])
	assert.Regexp(t, sequence, f["sequence"])
	raw, ok := f["data"].(string)
	require.True(t, ok, "data is a JSON string, as in Huawei's sample: %#v", f["data"])
	var data struct {
		ConferenceID  string   `json:"conferenceID"`
		SubscribeType []string `json:"subscribeType"`
		ConfToken     string   `json:"confToken"`
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &data))
	assert.Equal(t, confID, data.ConferenceID)
	assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte(confToken)), data.ConfToken,
		"the Basic form, as in meeting_21_1511's example")
	assert.Contains(t, data.SubscribeType, "ParticipantsNotify")
	assert.Contains(t, data.SubscribeType, "ConfDynamicInfoNotify")
	assert.Contains(t, data.SubscribeType, "InviteResultNotify")
}

func waitParticipants(t *testing.T, w *meeting.Watch, want []meeting.Participant) {
	t.Helper()
	assert.EventuallyWithT(t, func(c *assert.CollectT) {
		got, ok := w.Participants()
		assert.True(c, ok)
		assert.Equal(c, want, got)
	}, 5*time.Second, 5*time.Millisecond)
}

func TestWatchFollowsParticipants(t *testing.T) {
	t.Parallel()
	s, c := setupWatch(t)
	w, conn := startWatch(t, s, c)

	_, ok := w.Participants()
	assert.False(t, ok, "not ready before the full list")

	push(t, conn, participantsPush(0, time.Now().UnixMilli(),
		entry("p1", 0, map[string]string{"NAME": "Carol", "TEL": "+99111244216210001", "ROLE": "1", "STATE": "0"}),
		entry("p2", 0, map[string]string{"NAME": "Dave", "TEL": "+8613800000003", "ROLE": "0", "STATE": "0"}),
	))
	waitParticipants(t, w, []meeting.Participant{
		{ID: "p1", Name: "Carol", Number: "+99111244216210001", State: meeting.InMeeting},
		{ID: "p2", Name: "Dave", Number: "+8613800000003", State: meeting.InMeeting},
	})

	push(t, conn, participantsPush(1, 1, entry("p3", 0, map[string]string{"NAME": "Alice", "TEL": "+99111244216210249", "STATE": "1"})))
	push(t, conn, participantsPush(1, 2, entry("p1", 1, nil)))
	push(t, conn, participantsPush(1, 3, entry("p3", 0, map[string]string{"STATE": "0"})))
	waitParticipants(t, w, []meeting.Participant{
		{ID: "p2", Name: "Dave", Number: "+8613800000003", State: meeting.InMeeting},
		{ID: "p3", Name: "Alice", Number: "+99111244216210249", State: meeting.InMeeting},
	})
	assert.Equal(t, int32(1), s.wsTokens.Load())
}

func TestWatchTakesVersionsWithGaps(t *testing.T) {
	t.Parallel()
	// Increments carry "a sequence number in ascending order", perhaps one
	// counter shared by every push type (meeting_21_1512–1518): gaps are normal.
	s, c := setupWatch(t)
	w, conn := startWatch(t, s, c)
	push(t, conn, participantsPush(0, time.Now().UnixMilli(), entry("p1", 0, map[string]string{"NAME": "Carol", "TEL": "+1001"})))
	push(t, conn, participantsPush(1, 4, entry("p2", 0, map[string]string{"NAME": "Dave", "TEL": "+1002"})))
	push(t, conn, map[string]any{"action": "InviteResultNotify", "version": 5, "msgMode": 1, "confID": confID,
		"data": []map[string]any{{"callNumber": "+1003", "resultCode": "11076008"}}})
	push(t, conn, participantsPush(1, 9, entry("p3", 0, map[string]string{"NAME": "Erin", "TEL": "+1003"})))

	waitParticipants(t, w, []meeting.Participant{{ID: "p1", Name: "Carol", Number: "+1001"},
		{ID: "p2", Name: "Dave", Number: "+1002"}, {ID: "p3", Name: "Erin", Number: "+1003"}})
	select {
	case f := <-s.frames:
		t.Fatalf("the client sent %v: gaps need no resubscription", f)
	default:
	}
}

func TestWatchAsksAgainAfterARepeatOrAStepBack(t *testing.T) {
	t.Parallel()
	for _, again := range []int64{7, 6} {
		s, c := setupWatch(t)
		w, conn := startWatch(t, s, c)
		push(t, conn, participantsPush(0, time.Now().UnixMilli(), entry("p1", 0, map[string]string{"NAME": "Carol", "TEL": "+1001"})))
		push(t, conn, participantsPush(1, 7, entry("p2", 0, map[string]string{"NAME": "Dave", "TEL": "+1002"})))
		waitParticipants(t, w, []meeting.Participant{{ID: "p1", Name: "Carol", Number: "+1001"}, {ID: "p2", Name: "Dave", Number: "+1002"}})

		push(t, conn, participantsPush(1, again, entry("p3", 0, map[string]string{"NAME": "Erin", "TEL": "+1003"})))

		checkSubscribe(t, s.frame(t)) // asked again
		_, ok := w.Participants()
		assert.False(t, ok, "version %d after 7: not trusted until the next full list", again)
		push(t, conn, participantsPush(0, time.Now().UnixMilli(), entry("p2", 0, map[string]string{"NAME": "Dave", "TEL": "+1002"})))
		waitParticipants(t, w, []meeting.Participant{{ID: "p2", Name: "Dave", Number: "+1002"}})
	}
}

func TestWatchWithARefusedSubscriptionFails(t *testing.T) {
	t.Parallel()
	s, c := setupWatch(t)
	s.refuseSub.Store(true)
	_, err := c.Prepare(t.Context(), confID, "")
	require.NoError(t, err)

	w, err := c.Watch(t.Context(), confID)

	require.ErrorIs(t, err, meeting.ErrSubscribeRefused)
	assert.Contains(t, err.Error(), "111070111", "Huawei's code, for the log")
	assert.Nil(t, w)
}

func TestWatchReadsCallResults(t *testing.T) {
	t.Parallel()
	s, c := setupWatch(t)
	w, conn := startWatch(t, s, c)
	before := time.Now()
	// The doc's example says resultCode, its table errorCode: both count.
	push(t, conn, map[string]any{"action": "InviteResultNotify", "version": 3, "msgMode": 1, "confID": confID,
		"data": []map[string]any{{"callNumber": "+1001", "resultCode": "11076008"}, {"callNumber": "+1002", "errorCode": "111076009"}}})
	push(t, conn, map[string]any{"action": "InviteResultNotify", "version": 3, "msgMode": 1, "confID": confID,
		"data": []map[string]any{{"callNumber": "+1009", "resultCode": "0"}}}) // a repeat: ignored
	push(t, conn, map[string]any{"action": "InviteResultNotify", "version": time.Now().UnixMilli(), "msgMode": 0, "confID": confID,
		"data": []map[string]any{{"callNumber": "+1003", "resultCode": "11076012"}, {"callNumber": "+1004", "resultCode": "0"}}})

	var got []meeting.CallResult
	require.Eventually(t, func() bool { got = w.CallResults(before); return len(got) == 4 }, 5*time.Second, 5*time.Millisecond)
	outcomes := map[string]meeting.CallOutcome{}
	for _, r := range got {
		outcomes[r.Number] = r.Outcome
		assert.False(t, r.At.Before(before))
	}
	assert.Equal(t, map[string]meeting.CallOutcome{"+1001": meeting.CallBusy, "+1002": meeting.CallDeclined,
		"+1003": meeting.CallNoPSTN, "+1004": meeting.CallAnswered}, outcomes)
	assert.Empty(t, w.CallResults(time.Now().Add(time.Hour)), "only those since")
}

func TestWatchEndsWithTheMeeting(t *testing.T) {
	t.Parallel()
	s, c := setupWatch(t)
	w, conn := startWatch(t, s, c)
	push(t, conn, participantsPush(0, 1))

	push(t, conn, map[string]any{"action": "ConfDynamicInfoNotify", "msgMode": 0, "confID": confID, "state": "Destroyed"})

	select {
	case <-w.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the watch did not end")
	}
	assert.ErrorIs(t, w.Err(), meeting.ErrEnded)
	_, ok := w.Participants()
	assert.False(t, ok)
}

func TestWatchEndsWhenTheLinkDrops(t *testing.T) {
	t.Parallel()
	s, c := setupWatch(t)
	w, conn := startWatch(t, s, c)

	require.NoError(t, conn.Close())

	select {
	case <-w.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the watch did not end")
	}
	assert.ErrorIs(t, w.Err(), meeting.ErrUnavailable)
}

func TestWatchCloseSaysGoodbye(t *testing.T) {
	t.Parallel()
	s, c := setupWatch(t)
	w, _ := startWatch(t, s, c)

	w.Close()

	<-w.Done()
	assert.NoError(t, w.Err())
	assert.Equal(t, map[string]any{"closed": true}, s.frame(t), "a normal closure frame")
}

func TestWatchNeedsAPreparedConference(t *testing.T) {
	t.Parallel()
	s, c := setupWatch(t)

	_, err := c.Watch(context.Background(), confID)

	require.ErrorIs(t, err, meeting.ErrNoControlToken)
	assert.Zero(t, s.wsTokens.Load(), "nothing asked")
}

func TestPresenceAnswersFromTheWatchOnceFollowing(t *testing.T) {
	t.Parallel()
	s, c := setupWatch(t)
	ctx := context.Background()
	p := meeting.NewPresence(c, 0)
	t.Cleanup(p.Close)

	ps, err := p.Participants(ctx, confID)
	require.NoError(t, err)
	assert.Equal(t, []meeting.Participant{{ID: "rest-1", Name: "From REST", Number: "+1000", State: meeting.Online}}, ps, "asked the API")

	_, err = c.Prepare(ctx, confID, "")
	require.NoError(t, err)
	p.Follow(confID)
	conn := s.conn(t)
	checkSubscribe(t, s.frame(t))
	push(t, conn, participantsPush(0, 1, entry("p1", 0, map[string]string{"NAME": "Carol", "TEL": "+1001"})))
	require.Eventually(t, func() bool { return following(p) }, 5*time.Second, 5*time.Millisecond)

	before := s.rest.Load()
	ps, err = p.Participants(ctx, confID)
	require.NoError(t, err)
	assert.Equal(t, []meeting.Participant{{ID: "p1", Name: "Carol", Number: "+1001"}}, ps)
	assert.Equal(t, before, s.rest.Load(), "no request once following")

	p.Follow(confID) // already following: no second connection
	assert.Equal(t, int32(1), s.wsTokens.Load())

	p.Close()
	assert.Equal(t, map[string]any{"closed": true}, s.frame(t), "Close ends the watch")
}

func TestPresenceFallsBackWhenTheWatchCannotOpen(t *testing.T) {
	t.Parallel()
	s, c := setupWatch(t)
	p := meeting.NewPresence(c, 0)
	t.Cleanup(p.Close)

	p.Follow(confID) // never prepared: no control token, so no watch

	ps, err := p.Participants(context.Background(), confID)
	require.NoError(t, err)
	assert.Len(t, ps, 1)
	assert.False(t, following(p))
	assert.Zero(t, s.wsTokens.Load())
}

func TestPresenceStopsWatchingIdleConferences(t *testing.T) {
	t.Parallel()
	s, c := setupWatch(t)
	ctx := context.Background()
	p := meeting.NewPresence(c, 100*time.Millisecond)
	t.Cleanup(p.Close)
	_, err := c.Prepare(ctx, confID, "")
	require.NoError(t, err)

	p.Follow(confID)
	conn := s.conn(t)
	checkSubscribe(t, s.frame(t))
	push(t, conn, participantsPush(0, 1))
	require.Eventually(t, func() bool { return following(p) }, 5*time.Second, 5*time.Millisecond)

	assert.Equal(t, map[string]any{"closed": true}, s.frame(t), "closed once nobody wanted it for the idle time")
	assert.False(t, following(p))
}

func TestWatchGivesUpOnPushesThatKeepArrivingOutOfOrder(t *testing.T) {
	t.Parallel()
	s, c := setupWatch(t)
	w, conn := startWatch(t, s, c)

	for range 4 {
		push(t, conn, participantsPush(0, time.Now().UnixMilli()))
		push(t, conn, participantsPush(1, 5))
		push(t, conn, participantsPush(1, 5)) // a repeat, every time
	}

	select {
	case <-w.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the watch kept asking for full lists")
	}
	assert.ErrorIs(t, w.Err(), meeting.ErrUnavailable)
	resubscribes := 0
	for {
		f := s.frame(t)
		if _, closed := f["closed"]; closed {
			break
		}
		if f["action"] == "Subscribe" {
			resubscribes++
		}
	}
	assert.Equal(t, 3, resubscribes, "three tries, then the API")
}

func TestWatchKeepsItsControlTokenAlive(t *testing.T) {
	t.Parallel()
	// Renewed 2 minutes before expiry: this token is due in about a second.
	s, c := setupWatchFor(t, 2*time.Minute+time.Second)
	w, conn := startWatch(t, s, c)
	push(t, conn, participantsPush(0, 1))

	require.Eventually(t, func() bool { return s.keepAlives.Load() == 1 }, 5*time.Second, 10*time.Millisecond,
		"kept alive when it fell due")
	_, live := w.Participants()
	assert.True(t, live, "the watch goes on")

	// The subscription was made with the old token: it is made again with
	// the new one, at once.
	checkSubscribeWith(t, s.frame(t), "ctl-kept-1")
	assert.Equal(t, int32(1), s.keepAlives.Load(), "the new token lasts 30 minutes: no more keep-alives")
}

func TestWatchEndsWhenItsControlTokenCannotBeKeptAlive(t *testing.T) {
	t.Parallel()
	s, c := setupWatchFor(t, 2*time.Minute+time.Second)
	s.refuseKeep.Store(true)
	w, conn := startWatch(t, s, c)
	push(t, conn, participantsPush(0, 1))

	select {
	case <-w.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the watch outlived its control token")
	}
	assert.NoError(t, w.Err(), "a planned end, not a failure")
	assert.Equal(t, map[string]any{"closed": true}, s.frame(t))
}

func TestPresenceSaysWhenAFollowedMeetingEnds(t *testing.T) {
	t.Parallel()
	s, c := setupWatch(t)
	ctx := context.Background()
	p := meeting.NewPresence(c, 0)
	t.Cleanup(p.Close)
	_, err := c.Prepare(ctx, confID, "")
	require.NoError(t, err)
	p.Follow(confID)
	conn := s.conn(t)
	checkSubscribe(t, s.frame(t))

	push(t, conn, map[string]any{"action": "ConfDynamicInfoNotify", "msgMode": 0, "confID": confID, "state": "Destroyed"})

	select {
	case id := <-p.Ended():
		assert.Equal(t, confID, id)
	case <-time.After(5 * time.Second):
		t.Fatal("not told that the meeting ended")
	}
}

// following reports whether p answers for the test conference from a live
// watch, through its own API.
func following(p *meeting.Presence) bool {
	_, live := p.Find(confID, func(meeting.Participant) bool { return false })
	return live
}
