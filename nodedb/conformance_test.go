package nodedb_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/seednet/p2p/nodedb"
	"github.com/seednet/p2p/nodedb/nodedbtest"
)

func TestMemoryConformance(t *testing.T) {
	nodedbtest.Run(t, func(t *testing.T, now func() time.Time) nodedb.DB {
		return nodedb.NewMemory(nodedb.Config{Now: now})
	})
}

func TestBoltConformance(t *testing.T) {
	for _, threshold := range []int{1, 7, 0} {
		t.Run(flushName(threshold), func(t *testing.T) {
			nodedbtest.Run(t, func(t *testing.T, now func() time.Time) nodedb.DB {
				db, err := nodedb.OpenBolt(nodedb.Config{
					Path:           filepath.Join(t.TempDir(), "nodes.db"),
					Now:            now,
					FlushThreshold: threshold,
				})
				if err != nil {
					t.Fatal(err)
				}
				return db
			})
		})
	}
}

func flushName(threshold int) string {
	switch threshold {
	case 0:
		return "flush-default"
	case 1:
		return "flush-each"
	}
	return "flush-7"
}
