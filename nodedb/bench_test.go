package nodedb

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/seednet/p2p/enode"
)

// benchDBs runs f against each implementation; the bbolt one with the
// default buffering and with each write committed at once.
func benchDBs(b *testing.B, f func(b *testing.B, db DB)) {
	for _, tc := range []struct {
		name string
		open func(b *testing.B) DB
	}{
		{"memory", func(*testing.B) DB { return NewMemory(Config{}) }},
		{"bolt", func(b *testing.B) DB {
			return openBolt(b, Config{Path: filepath.Join(b.TempDir(), "nodes.db")})
		}},
		{"bolt-flush-each", func(b *testing.B) DB {
			return openBolt(b, Config{Path: filepath.Join(b.TempDir(), "nodes.db"), FlushThreshold: 1})
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			db := tc.open(b)
			defer db.Close()
			f(b, db)
		})
	}
}

func benchNodes(b *testing.B, n int) []*enode.Node {
	nodes := make([]*enode.Node, n)
	for i := range nodes {
		nodes[i] = testNode(b, fmt.Sprintf("10.%d.%d.1", i/256, i%256))
	}
	return nodes
}

func BenchmarkUpdatePong(b *testing.B) {
	nodes := benchNodes(b, 1000)
	benchDBs(b, func(b *testing.B, db DB) {
		now := time.Now()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			n := nodes[i%len(nodes)]
			if err := db.UpdateLastPongReceived(n.ID(), n.IPAddr(), now); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkUpdateNode(b *testing.B) {
	nodes := benchNodes(b, 1000)
	benchDBs(b, func(b *testing.B, db DB) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := db.UpdateNode(nodes[i%len(nodes)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// fill stores nodes with a recent pong each and commits them.
func fill(b *testing.B, db DB, nodes []*enode.Node) {
	for _, n := range nodes {
		if err := db.UpdateNode(n); err != nil {
			b.Fatal(err)
		}
		if err := db.UpdateLastPongReceived(n.ID(), n.IPAddr(), time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	if f, ok := db.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadPong(b *testing.B) {
	nodes := benchNodes(b, 1000)
	benchDBs(b, func(b *testing.B, db DB) {
		fill(b, db, nodes)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			n := nodes[i%len(nodes)]
			if db.LastPongReceived(n.ID(), n.IPAddr()).IsZero() {
				b.Fatal("no pong")
			}
			i++
		}
	})
}

func BenchmarkReadNode(b *testing.B) {
	nodes := benchNodes(b, 1000)
	benchDBs(b, func(b *testing.B, db DB) {
		fill(b, db, nodes)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if db.Node(nodes[i%len(nodes)].ID()) == nil {
				b.Fatal("no node")
			}
			i++
		}
	})
}

func BenchmarkQuerySeeds(b *testing.B) {
	nodes := benchNodes(b, 1000)
	benchDBs(b, func(b *testing.B, db DB) {
		fill(b, db, nodes)
		b.ReportAllocs()
		for b.Loop() {
			if len(db.QuerySeeds(30, time.Hour)) == 0 {
				b.Fatal("no seeds")
			}
		}
	})
}

func BenchmarkExpireBefore(b *testing.B) {
	nodes := benchNodes(b, 1000)
	benchDBs(b, func(b *testing.B, db DB) {
		fill(b, db, nodes)
		cut := time.Now().Add(-time.Hour)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := db.ExpireBefore(cut); err != nil {
				b.Fatal(err)
			}
		}
	})
}
