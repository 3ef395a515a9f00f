// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package sim

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
)

// SVG picture layout. The nodes sit on one circle, each connected
// component on an arc of its own (largest first, clockwise from the top,
// a free slot between two components) and in its own colour; the nodes
// that have no peer in the snapshot come last, in grey. Edges are straight
// lines between their nodes, drawn under them.
const (
	svgLabelMax   = 100   // label the nodes of snapshots this small
	svgMinRadius  = 300.0 // radius of the circle of nodes
	svgSlot       = 4.0   // least arc length per node on big snapshots
	svgMargin     = 40.0  // around the circle: room for labels
	svgCaptionH   = 28.0  // the caption's band at the top
	svgIsolated   = "#9e9e9e"
	svgBackground = "#ffffff"
)

// SVG writes a picture of the snapshot as a self-contained SVG document
// (no script, no external reference): nodes as circles, connections as
// lines, each connected component in its own colour (nodes without a
// connection in grey), and a caption with the time (UTC), the counts of
// nodes, edges and components and the peer counts.
// Nodes carry their index as a label when there are at most 100 of them.
// The layout depends on the snapshot alone, so the same snapshot gives the
// same bytes. The output grows linearly with nodes and edges (about 50
// bytes each), so that 5,000 nodes still make a picture of a few MB.
//
// Edges whose ends are not both nodes of the snapshot are left out.
func (snap *Snapshot) SVG(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	l := layoutSnapshot(snap)
	n := len(snap.Nodes)
	var b []byte // reused for each element

	size := 2 * (l.radius + svgMargin)
	height := size + svgCaptionH
	b = fmt.Appendf(b, `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="sans-serif">
`, num(size), num(height), num(size), num(height))
	b = append(b, "<title>"...)
	capt := caption(snap, len(l.comps))
	b = appendEscaped(b, "p2p network simulation: "+capt)
	b = append(b, "</title>\n"...)
	b = fmt.Appendf(b, `<rect width="100%%" height="100%%" fill="%s"/>`+"\n", svgBackground)
	b = append(b, `<text x="8" y="19" font-size="13" fill="#333">`...)
	b = appendEscaped(b, capt)
	b = append(b, "</text>\n"...)
	bw.Write(b)

	// Geometry: the node radius and the width of lines shrink with the
	// slot each node has on the circle.
	slot := 2 * math.Pi * l.radius / float64(max(l.slots, 1))
	nodeR := min(10, max(0.8, 0.35*slot))
	lineW := min(1.5, max(0.2, 0.08*slot))
	opacity := "0.6"
	if n > svgLabelMax {
		opacity = "0.3"
	}

	// Edges, grouped by the component of their ends.
	edges := make([][]Edge, len(l.comps))
	for _, e := range snap.Edges {
		_, okf := l.pos[e.From]
		_, okt := l.pos[e.To]
		if !okf || !okt {
			continue
		}
		c := l.comp[e.From]
		edges[c] = append(edges[c], e)
	}
	for c, es := range edges {
		if len(es) == 0 {
			continue
		}
		b = fmt.Appendf(b[:0], `<g stroke="%s" stroke-width="%s" stroke-opacity="%s">`+"\n",
			l.colour(c), num(lineW), opacity)
		for _, e := range es {
			p, q := l.pos[e.From], l.pos[e.To]
			b = append(b, `<line x1="`...)
			b = appendNum(b, p.x)
			b = append(b, `" y1="`...)
			b = appendNum(b, p.y)
			b = append(b, `" x2="`...)
			b = appendNum(b, q.x)
			b = append(b, `" y2="`...)
			b = appendNum(b, q.y)
			b = append(b, "\"/>\n"...)
			if len(b) > 32<<10 {
				bw.Write(b)
				b = b[:0]
			}
		}
		b = append(b, "</g>\n"...)
		bw.Write(b)
	}

	// Nodes, grouped by component (those without peers in one group),
	// then their labels.
	groups := l.comps[:l.isolated]
	if l.isolated < len(l.comps) {
		var alone []int
		for _, c := range l.comps[l.isolated:] {
			alone = append(alone, c...)
		}
		groups = append(groups[:len(groups):len(groups)], alone)
	}
	for c, comp := range groups {
		b = fmt.Appendf(b[:0], `<g fill="%s" stroke="#ffffff" stroke-width="%s">`+"\n",
			l.colour(c), num(lineW))
		for _, idx := range comp {
			p := l.pos[idx]
			b = append(b, `<circle cx="`...)
			b = appendNum(b, p.x)
			b = append(b, `" cy="`...)
			b = appendNum(b, p.y)
			b = append(b, `" r="`...)
			b = appendNum(b, nodeR)
			b = append(b, "\"/>\n"...)
			if len(b) > 32<<10 {
				bw.Write(b)
				b = b[:0]
			}
		}
		b = append(b, "</g>\n"...)
		bw.Write(b)
	}
	if n <= svgLabelMax && n > 0 {
		b = append(b[:0], `<g font-size="10" fill="#333" text-anchor="middle" dominant-baseline="central">`+"\n"...)
		for _, node := range snap.Nodes {
			p := l.pos[node.Index]
			// Outside the circle, along the radius.
			k := (l.radius + nodeR + 9) / l.radius
			b = append(b, `<text x="`...)
			b = appendNum(b, l.centre+(p.x-l.centre)*k)
			b = append(b, `" y="`...)
			b = appendNum(b, l.centre+svgCaptionH+(p.y-l.centre-svgCaptionH)*k)
			b = append(b, `">`...)
			b = appendEscaped(b, strconv.Itoa(node.Index))
			b = append(b, "</text>\n"...)
		}
		b = append(b, "</g>\n"...)
		bw.Write(b)
	}
	bw.WriteString("</svg>\n")
	return bw.Flush()
}

// caption is the line at the top of the picture.
func caption(snap *Snapshot, comps int) string {
	t := "time unknown"
	if !snap.Time.IsZero() {
		t = snap.Time.UTC().Format("2006-01-02 15:04:05.000 UTC")
	}
	lo, med, hi := snap.PeerCounts()
	return fmt.Sprintf("%s · %d nodes · %d edges · %d components · peers min %d median %d max %d",
		t, len(snap.Nodes), len(snap.Edges), comps, lo, med, hi)
}

type point struct{ x, y float64 }

// svgLayout places the nodes of a snapshot.
type svgLayout struct {
	comps    [][]int       // the components, largest first
	isolated int           // the components from this one on are single nodes without peers
	comp     map[int]int   // node index → its component
	pos      map[int]point // node index → its place
	slots    int           // places on the circle: nodes and gaps
	radius   float64
	centre   float64 // x of the centre; y is centre+svgCaptionH
}

func layoutSnapshot(snap *Snapshot) *svgLayout {
	l := &svgLayout{
		comps: snap.Components(),
		comp:  make(map[int]int, len(snap.Nodes)),
		pos:   make(map[int]point, len(snap.Nodes)),
	}
	l.isolated = len(l.comps)
	for i, c := range l.comps {
		if len(c) == 1 {
			l.isolated = i // Components sorts by size: the rest are single too
			break
		}
	}
	l.slots = len(snap.Nodes)
	gaps := len(l.comps) > 1 && l.isolated > 0
	if gaps {
		l.slots += l.isolated // a gap after each component with edges
	}
	l.radius = max(svgMinRadius, svgSlot*float64(l.slots)/(2*math.Pi))
	l.centre = l.radius + svgMargin
	slot := 0
	for c, comp := range l.comps {
		for _, idx := range comp {
			a := 2*math.Pi*float64(slot)/float64(max(l.slots, 1)) - math.Pi/2
			l.pos[idx] = point{l.centre + l.radius*math.Cos(a), l.centre + svgCaptionH + l.radius*math.Sin(a)}
			l.comp[idx] = c
			slot++
		}
		if gaps && c < l.isolated {
			slot++
		}
	}
	return l
}

// colour returns the colour of component c: hues a golden angle apart,
// starting from blue for the largest; grey for nodes without peers.
func (l *svgLayout) colour(c int) string {
	if c >= l.isolated {
		return svgIsolated
	}
	h := math.Mod(210+137.508*float64(c), 360)
	return hslHex(h, 0.65, 0.45)
}

// hslHex converts a colour from HSL (h in degrees, s and l from 0 to 1)
// to #rrggbb.
func hslHex(h, s, l float64) string {
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := l - c/2
	var r, g, b float64
	switch {
	case h < 60:
		r, g, b = c, x, 0
	case h < 120:
		r, g, b = x, c, 0
	case h < 180:
		r, g, b = 0, c, x
	case h < 240:
		r, g, b = 0, x, c
	case h < 300:
		r, g, b = x, 0, c
	default:
		r, g, b = c, 0, x
	}
	to := func(v float64) int { return int(math.Round((v + m) * 255)) }
	return fmt.Sprintf("#%02x%02x%02x", to(r), to(g), to(b))
}

// appendNum appends v with one decimal at most.
func appendNum(b []byte, v float64) []byte {
	return strconv.AppendFloat(b, math.Round(v*10)/10, 'f', -1, 64)
}

func num(v float64) string { return string(appendNum(nil, v)) }

// appendEscaped appends s escaped for XML character data and attributes.
func appendEscaped(b []byte, s string) []byte {
	w := byteWriter{b}
	xml.EscapeText(&w, []byte(s))
	return w.b
}

type byteWriter struct{ b []byte }

func (w *byteWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}
