package slackapp_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
	"github.com/meet-invite/meet-invite/internal/slackapp"
	"github.com/meet-invite/meet-invite/internal/slackfake"
)

// inFlightAtAck is a Monitor that notes, at each ack, how many requests
// were counted as work in flight.
type inFlightAtAck struct {
	mu       sync.Mutex
	inFlight int
	atAcks   []int
}

func (m *inFlightAtAck) Working(work string, delta int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if work == "request" {
		m.inFlight += delta
	}
}

func (m *inFlightAtAck) Acked(time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.atAcks = append(m.atAcks, m.inFlight)
}

func (m *inFlightAtAck) acks() []int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]int(nil), m.atAcks...)
}

func (*inFlightAtAck) Connected(bool)                                         {}
func (*inFlightAtAck) Reconnected()                                           {}
func (*inFlightAtAck) Queued()                                                {}
func (*inFlightAtAck) Refused(string, string)                                 {}
func (*inFlightAtAck) Finished(string, commands.Report, error, time.Duration) {}
func (*inFlightAtAck) CallsEnded([]commands.CallState)                        {}

// A press is work in flight from before its ack: whoever saw it
// acknowledged (the operator's metrics, a test waiting for the bot to be
// idle) sees its work counted, though the work waits for the other acks
// and the store's check of its envelope before it starts.
func TestAButtonPressIsWorkInFlightFromItsAck(t *testing.T) {
	t.Parallel()
	mon := &inFlightAtAck{}
	a := startApp(t, slackapp.Config{Monitor: mon})
	value := `{"c":"` + running + `","u":["UCROWD0001"]}`
	_, _, err := a.slack.ClickButton(t.Context(), slackfake.Click{UserID: "UCAROL", ChannelID: "CGENERAL", ActionID: "retry_invite",
		Value: slackapp.SignButton(testSecret, value)})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(mon.acks()) == 1 }, 5*time.Second, time.Millisecond)
	assert.Positive(t, mon.acks()[0], "the press counted before its ack")
	_, err = a.slack.WaitMessages(t.Context(), 1)
	require.NoError(t, err, "the press ran: Try again posted its outcome")
}
