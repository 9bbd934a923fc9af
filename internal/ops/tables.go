package ops

import (
	"sort"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// tables is a collector of the sizes of the bot's in-memory tables, read
// from their owners each time /metrics is scraped.
type tables struct {
	desc  *prometheus.Desc
	mu    sync.Mutex
	sizes []func() map[string]int
}

func newTables() *tables {
	return &tables{desc: prometheus.NewDesc("meet_invite_table_entries",
		"Entries in each of the bot's in-memory tables (each has a cap), by table.", []string{"table"}, nil)}
}

func (t *tables) Describe(ch chan<- *prometheus.Desc) { ch <- t.desc }

func (t *tables) Collect(ch chan<- prometheus.Metric) {
	t.mu.Lock()
	sizes := append([]func() map[string]int(nil), t.sizes...)
	t.mu.Unlock()
	all := map[string]int{}
	for _, f := range sizes {
		for name, n := range f() {
			all[name] += n
		}
	}
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		ch <- prometheus.MustNewConstMetric(t.desc, prometheus.GaugeValue, float64(all[name]), name)
	}
}

// Tables adds a source of table sizes (table name → entries) to
// meet_invite_table_entries. sizes is called on every scrape and must be
// safe for concurrent use.
func (m *Metrics) Tables(sizes func() map[string]int) {
	if m == nil {
		return
	}
	m.tables.mu.Lock()
	defer m.tables.mu.Unlock()
	m.tables.sizes = append(m.tables.sizes, sizes)
}
