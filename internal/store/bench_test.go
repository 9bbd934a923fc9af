package store_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meet-invite/meet-invite/internal/store"
)

// step is one store call of an invitation, with the SQL statements it runs
// (BEGIN and COMMIT of a transaction count as statements: each is a round
// trip to PostgreSQL, and COMMIT is where SQLite writes its WAL).
type step struct {
	name       string
	statements int
	run        func(ctx context.Context, s store.Store, id string) error
}

// invitation is the store's part in one typical invitation, as the bot
// makes it: a slash command (its request, named after its envelope, begun
// before the ack and ended at the outcome) calling three people (two
// answer, one misses the call), with the post followed under a lease and
// one missed-call message sent.
var invitation = func() []step {
	people := []string{"0", "1", "2"}
	var steps []step
	add := func(name string, statements int, run func(ctx context.Context, s store.Store, id string) error) {
		steps = append(steps, step{name, statements, run})
	}
	add("begin request", 1, func(ctx context.Context, s store.Store, id string) error { // also the envelope's check
		_, err := beginRequest(ctx, s, store.Request{ID: "env-" + id, Payload: []byte(`{"inv":{"conference_id":"914083136"}}`)}, "replica", 10*time.Second, time.Hour)
		return err
	})
	for _, p := range people {
		add("reserve", 3, func(ctx context.Context, s store.Store, id string) error {
			_, err := s.Reserve(ctx, store.Reservation{Meeting: "M" + id, Holder: id, Person: "U" + p,
				Numbers: []string{"+8613800000" + p, "sip" + p}}, 2*time.Minute)
			return err
		})
	}
	add("end request", 1, func(ctx context.Context, s store.Store, id string) error {
		_, err := s.EndRequest(ctx, "env-"+id, "replica")
		return err
	})
	add("lease", 1, func(ctx context.Context, s store.Store, id string) error {
		_, err := s.AcquireLease(ctx, "M"+id, "replica", time.Minute)
		return err
	})
	add("save follow", 4+len(people), func(ctx context.Context, s store.Store, id string) error {
		f := store.Follow{Post: "P" + id, Meeting: "M" + id, Payload: []byte(`{"channel":"C0123","ts":"1700000000.000100","invited":3}`)}
		for _, p := range people {
			f.Calls = append(f.Calls, store.Call{Person: p, State: "ringing"})
		}
		return s.SaveFollow(ctx, f, 12*time.Hour)
	})
	for i, p := range people {
		to := "joined"
		if i == 2 {
			to = "missed"
		}
		add("call state", 1, func(ctx context.Context, s store.Store, id string) error {
			_, err := s.SetCallState(ctx, "P"+id, p, "ringing", to)
			return err
		})
	}
	add("enqueue missed", 1, func(ctx context.Context, s store.Store, id string) error {
		_, err := s.EnqueueMissed(ctx, store.Missed{ID: "P" + id + "/2", UserID: "U2", Payload: []byte(`{"text":"missed"}`)}, time.Hour)
		return err
	})
	add("finish follow", 1, func(ctx context.Context, s store.Store, id string) error {
		_, err := s.FinishFollow(ctx, "P"+id)
		return err
	})
	add("claim and mark sent", 2, func(ctx context.Context, s store.Store, id string) error {
		ms, err := s.ClaimMissed(ctx, "replica", 10, time.Minute)
		for _, m := range ms {
			if err == nil {
				_, err = s.MarkMissedSent(ctx, m.ID, "replica")
			}
		}
		return err
	})
	add("release lease", 1, func(ctx context.Context, s store.Store, id string) error {
		return s.ReleaseLease(ctx, "M"+id, "replica")
	})
	return steps
}()

// BenchmarkInvitation measures the store's cost per invitation, one at a
// time and with 16 at once, on each backend:
//
//	go test ./internal/store -run '^$' -bench Invitation -benchtime 2s
func BenchmarkInvitation(b *testing.B) {
	statements := 0
	for _, st := range invitation {
		statements += st.statements
	}
	for _, bk := range backends {
		b.Run(bk.name, func(b *testing.B) {
			s := open(b, bk.newDB(b), &clock{t: time.Now()})
			ctx := context.Background()
			var n atomic.Int64
			one := func() {
				id := fmt.Sprint(n.Add(1))
				for _, st := range invitation {
					if err := st.run(ctx, s, id); err != nil {
						b.Errorf("%s: %v", st.name, err)
						return
					}
				}
			}
			b.Run("serial", func(b *testing.B) {
				for b.Loop() {
					one()
				}
				b.ReportMetric(float64(len(invitation)), "calls/op")
				b.ReportMetric(float64(statements), "statements/op")
			})
			b.Run("16-at-once", func(b *testing.B) {
				b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						one()
					}
				})
			})
		})
	}
}

// BenchmarkFirstDelivery is the cost of one envelope's durable check, as a
// button's is made right after its ack (a request's is its record).
func BenchmarkFirstDelivery(b *testing.B) {
	for _, bk := range backends {
		b.Run(bk.name, func(b *testing.B) {
			s := open(b, bk.newDB(b), &clock{t: time.Now()})
			ctx := context.Background()
			var n atomic.Int64
			b.Run("serial", func(b *testing.B) {
				for b.Loop() {
					if _, err := firstDelivery(ctx, s, fmt.Sprint("E", n.Add(1)), 10*time.Minute); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("16-at-once", func(b *testing.B) {
				b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := firstDelivery(ctx, s, fmt.Sprint("E", n.Add(1)), 10*time.Minute); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}

// BenchmarkBeginRequests is the cost per request of recording a burst's
// requests before their acks, in batches as the bot makes them (a payload
// the size of a one-person command's).
func BenchmarkBeginRequests(b *testing.B) {
	payload := []byte(`{"inv":{"id":"env-Ab01CD23EF","conference_id":"914083136","invoker":"UCAROL","channel":"CGENERAL","user_ids":["UCROWD0001"]},"channel_id":"CGENERAL","user_id":"UCAROL","response_url":"https://hooks.slack.com/commands/T1/1/abcdefghijklmnop","kind":"command","named":true}`)
	for _, bk := range backends {
		for _, size := range []int{1, 64, 500} {
			b.Run(fmt.Sprintf("%s/batch-%d", bk.name, size), func(b *testing.B) {
				s := open(b, bk.newDB(b), &clock{t: time.Now()})
				ctx := context.Background()
				var n int
				batch := make([]store.Request, size)
				for b.Loop() {
					for i := range batch {
						n++
						batch[i] = store.Request{ID: fmt.Sprint("env-", n), Payload: payload}
					}
					if _, err := s.BeginRequests(ctx, batch, "replica", 10*time.Second, time.Hour); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n), "µs/request")
			})
		}
	}
}
