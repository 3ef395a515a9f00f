// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package sim

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// syntheticSnapshot makes a snapshot of n nodes: a ring of the first ring
// nodes plus extra random edges among them (by a generator seeded with
// seed), and the nodes from ring on without any peer.
func syntheticSnapshot(n, ring, extra int, seed uint64) *Snapshot {
	snap := &Snapshot{Time: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	peers := make([]int, n)
	addEdge := func(a, b int) {
		snap.Edges = append(snap.Edges, Edge{From: a, To: b})
		peers[a]++
		peers[b]++
	}
	if ring > 1 {
		for i := range ring {
			addEdge(i, (i+1)%ring)
		}
		rng := rand.New(rand.NewPCG(seed, 0))
		for range extra {
			a, b := rng.IntN(ring), rng.IntN(ring)
			if a != b {
				addEdge(a, b)
			}
		}
	}
	for i := range n {
		snap.Nodes = append(snap.Nodes, SnapshotNode{Index: i, ID: "id", Addr: "10.0.0.1:30303", Peers: peers[i]})
	}
	return snap
}

// twoHalves is 10 nodes: a square 0-3, a path 4-7 and two nodes without
// peers (8 and 9), four components in all.
func twoHalves() *Snapshot {
	snap := syntheticSnapshot(10, 0, 0, 0)
	for _, e := range [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 0}, {4, 5}, {5, 6}, {6, 7}} {
		snap.Edges = append(snap.Edges, Edge{From: e[0], To: e[1]})
		snap.Nodes[e[0]].Peers++
		snap.Nodes[e[1]].Peers++
	}
	return snap
}

// svgCounts parses an SVG document with encoding/xml and counts its
// elements by name. It fails the test on anything a self-contained
// picture should not have.
func svgCounts(t *testing.T, doc []byte) map[string]int {
	t.Helper()
	counts := make(map[string]int)
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			counts[se.Name.Local]++
			if se.Name.Local == "script" || se.Name.Local == "foreignObject" || se.Name.Local == "image" {
				t.Errorf("element %s in the picture", se.Name.Local)
			}
			for _, a := range se.Attr {
				if a.Name.Local == "href" || strings.HasPrefix(a.Name.Local, "on") {
					t.Errorf("attribute %s in the picture", a.Name.Local)
				}
			}
		}
	}
	if counts["svg"] != 1 {
		t.Errorf("%d svg elements", counts["svg"])
	}
	return counts
}

func renderSVG(t testing.TB, snap *Snapshot) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := snap.SVG(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSVG(t *testing.T) {
	tests := []struct {
		name       string
		snap       *Snapshot
		components int
		labels     bool
	}{
		{"empty", &Snapshot{}, 0, false},
		{"one node", syntheticSnapshot(1, 0, 0, 0), 1, true},
		{"ring", syntheticSnapshot(12, 12, 0, 0), 1, true},
		{"two halves and two alone", twoHalves(), 4, true},
		{"100 nodes", syntheticSnapshot(100, 100, 100, 1), 1, true},
		{"101 nodes", syntheticSnapshot(101, 101, 100, 1), 1, false},
		{"1000 nodes, 50 alone", syntheticSnapshot(1000, 950, 4000, 2), 51, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := renderSVG(t, tt.snap)
			c := svgCounts(t, doc)
			if c["circle"] != len(tt.snap.Nodes) {
				t.Errorf("%d circles, want %d (one a node)", c["circle"], len(tt.snap.Nodes))
			}
			if c["line"] != len(tt.snap.Edges) {
				t.Errorf("%d lines, want %d (one an edge)", c["line"], len(tt.snap.Edges))
			}
			wantText := 1 // the caption
			if tt.labels {
				wantText += len(tt.snap.Nodes)
			}
			if c["text"] != wantText {
				t.Errorf("%d text elements, want %d", c["text"], wantText)
			}
			if got := len(tt.snap.Components()); got != tt.components {
				t.Errorf("the snapshot has %d components, the test wants %d", got, tt.components)
			}
			capt := caption(tt.snap, tt.components)
			if !bytes.Contains(doc, []byte(capt)) {
				t.Errorf("no caption %q", capt)
			}
			if again := renderSVG(t, tt.snap); !bytes.Equal(doc, again) {
				t.Error("the same snapshot rendered twice differs")
			}
		})
	}
}

// TestSVGComponentColours checks that the components of a partitioned
// snapshot have colours of their own and that nodes without peers are
// grey.
func TestSVGComponentColours(t *testing.T) {
	doc := string(renderSVG(t, twoHalves()))
	l := layoutSnapshot(twoHalves())
	a, b := l.colour(0), l.colour(1)
	if a == b {
		t.Fatalf("both components are %s", a)
	}
	for _, c := range []string{a, b, svgIsolated} {
		if !strings.Contains(doc, `fill="`+c+`"`) {
			t.Errorf("no node group of colour %s", c)
		}
	}
	if l.colour(2) != svgIsolated || l.colour(3) != svgIsolated {
		t.Errorf("single nodes are %s and %s, want %s", l.colour(2), l.colour(3), svgIsolated)
	}
}

// TestSVGDanglingEdges checks that edges to nodes not in the snapshot are
// left out rather than drawn to nowhere.
func TestSVGDanglingEdges(t *testing.T) {
	snap := syntheticSnapshot(3, 3, 0, 0)
	snap.Edges = append(snap.Edges, Edge{From: 0, To: 7})
	if c := svgCounts(t, renderSVG(t, snap)); c["line"] != 3 {
		t.Errorf("%d lines, want 3", c["line"])
	}
}

func TestSVGEscape(t *testing.T) {
	got := string(appendEscaped([]byte("x"), `<a href="&">'`))
	if want := "x&lt;a href=&#34;&amp;&#34;&gt;&#39;"; got != want {
		t.Errorf("escaped %q, want %q", got, want)
	}
}

// TestSVGGolden compares the picture of a small snapshot with
// testdata/snapshot.svg (rewrite it with -update, and look at it).
func TestSVGGolden(t *testing.T) {
	got := renderSVG(t, twoHalves())
	file := filepath.Join("testdata", "snapshot.svg")
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the picture differs from %s (run with -update to rewrite it):\n%s", file, got)
	}
}

// TestSVGLarge renders 5,000 nodes with 10 peers each on average: it must
// take well under a second and a few MB.
func TestSVGLarge(t *testing.T) {
	snap := syntheticSnapshot(5000, 5000, 20000, 3)
	start := time.Now()
	doc := renderSVG(t, snap)
	took := time.Since(start)
	t.Logf("5000 nodes, %d edges: %d bytes in %v", len(snap.Edges), len(doc), took)
	limit := time.Second
	if raceEnabled {
		limit = 10 * time.Second
	}
	if took > limit {
		t.Errorf("took %v, want under %v", took, limit)
	}
	if len(doc) > 3<<20 {
		t.Errorf("%d bytes, want under 3 MiB", len(doc))
	}
	c := svgCounts(t, doc)
	if c["circle"] != 5000 || c["line"] != len(snap.Edges) || c["text"] != 1 {
		t.Errorf("counts %v", c)
	}
}

func BenchmarkSVG(b *testing.B) {
	snap := syntheticSnapshot(5000, 5000, 20000, 3)
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := snap.SVG(&buf); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "bytes/svg")
}
