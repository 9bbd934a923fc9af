package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// codedErr is an error with a result code, as modernc's sqlite.Error has.
type codedErr int

func (e codedErr) Error() string { return "coded error" }
func (e codedErr) Code() int     { return int(e) }

// refusing is a driver that fails its first refusals connections with err.
type refusing struct {
	err      error
	refusals int32
	tries    atomic.Int32
}

func (d *refusing) Open(string) (driver.Conn, error) {
	if d.tries.Add(1) <= d.refusals {
		return nil, d.err
	}
	return conn{}, nil
}

type conn struct{}

func (conn) Prepare(string) (driver.Stmt, error) { return nil, errors.New("not supported") }
func (conn) Close() error                        { return nil }
func (conn) Begin() (driver.Tx, error)           { return nil, errors.New("not supported") }

func TestConnectWaitsOutBusy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		err       error
		refusals  int32
		wantErr   bool
		wantTries int32
	}{
		{"busy, then free", codedErr(sqliteBusy), 3, false, 4},
		{"an extended busy code", codedErr(sqliteBusy | 2<<8), 1, false, 2},
		{"locked otherwise: no retry", codedErr(6), 1, true, 1},
		{"not SQLite's: no retry", errors.New("refused"), 1, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := &refusing{err: tt.err, refusals: tt.refusals}
			db := sql.OpenDB(connector{d})
			defer db.Close()
			err := connect(context.Background(), db)
			if tt.wantErr {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.wantTries, d.tries.Load())
		})
	}
}

type connector struct{ d *refusing }

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.d.Open("") }
func (c connector) Driver() driver.Driver                        { return c.d }
