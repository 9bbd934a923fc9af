package commands_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/meet-invite/meet-invite/internal/commands"
)

// mentions returns n escaped user mentions as Slack sends them.
func mentions(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf("<@U%07d|person%d>", i, i)
	}
	return strings.Join(parts, " ")
}

// BenchmarkParse measures the parser on the inputs it sees most: a couple of
// people, a full command at the people limit, groups, help and bad input.
//
//	go test ./internal/commands -run '^$' -bench Parse -benchmem
func BenchmarkParse(b *testing.B) {
	cases := []struct {
		name    string
		text    string
		wantErr bool
	}{
		{name: "2 people", text: "914083136 <@U012ABC|alice> <@U034DEF|bob>"},
		{name: "10 people", text: "914083136 " + mentions(10)},
		{name: "50 people", text: "914-083-136 " + mentions(50)},
		{name: "groups and people", text: "<!subteam^S0123|@eng> <@U012ABC> 914083136 <!subteam^S0456|@ops>"},
		{name: "help", text: "help"},
		{name: "unescaped name", text: "914083136 @alice", wantErr: true},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			if _, err := commands.Parse(tc.text); (err != nil) != tc.wantErr {
				b.Fatalf("Parse(%q) error = %v, want error %t", tc.text, err, tc.wantErr)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.text)))
			for b.Loop() {
				_, _ = commands.Parse(tc.text)
			}
		})
	}
}
