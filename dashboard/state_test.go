package dashboard

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	tests := []struct {
		name, in string
		want     string
	}{
		{"short", "geth/v1.17", "geth/v1.17"},
		{"limit", strings.Repeat("a", maxText), strings.Repeat("a", maxText)},
		{"ascii", strings.Repeat("a", maxText+1), strings.Repeat("a", maxText) + "…"},
		{"two-byte runes", strings.Repeat("ä", maxText), strings.Repeat("ä", maxText/2) + "…"},
		{"cut inside a rune", "a" + strings.Repeat("ä", maxText), "a" + strings.Repeat("ä", (maxText-1)/2) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clip(tt.in)
			if got != tt.want {
				t.Errorf("clip: %d bytes %q, want %d bytes", len(got), got, len(tt.want))
			}
			if !utf8.ValidString(got) {
				t.Error("not valid UTF-8")
			}
		})
	}
}

func TestCutGraph(t *testing.T) {
	g := Graph{
		Nodes: []GraphNode{{ID: "x", External: true}, {ID: "n"}, {ID: "w", Watched: true}, {ID: "n"}},
		Edges: []GraphEdge{{"x", "n"}, {"w", "n"}, {"w", "x"}, {"n", "n"}, {"w", "gone"}},
	}
	tests := []struct {
		name               string
		maxNodes, maxEdges int
		nodes              []string
		edges              []GraphEdge
	}{
		{"all", 10, 10, []string{"w", "n", "x"}, []GraphEdge{{"x", "n"}, {"w", "n"}, {"w", "x"}}},
		{"watched first", 1, 10, []string{"w"}, []GraphEdge{}},
		{"network before external", 2, 10, []string{"w", "n"}, []GraphEdge{{"w", "n"}}},
		{"edges cut", 10, 1, []string{"w", "n", "x"}, []GraphEdge{{"x", "n"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := cutGraph(g, tt.maxNodes, tt.maxEdges)
			var ids []string
			for _, n := range out.Nodes {
				ids = append(ids, n.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tt.nodes, ",") {
				t.Errorf("nodes %v, want %v", ids, tt.nodes)
			}
			if len(out.Edges) != len(tt.edges) {
				t.Fatalf("edges %v, want %v", out.Edges, tt.edges)
			}
			for i := range out.Edges {
				if out.Edges[i] != tt.edges[i] {
					t.Errorf("edges %v, want %v", out.Edges, tt.edges)
				}
			}
		})
	}
}
