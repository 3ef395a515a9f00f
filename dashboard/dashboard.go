package dashboard

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/enode"
)

// Config sets up a Dashboard. The zero value is ready to use.
type Config struct {
	// Title is the page's heading. Empty means the node's name.
	Title string

	// Interval is how often the dashboard takes a snapshot, records a
	// traffic sample and sends a state to the open event streams. Zero or
	// less means one second.
	Interval time.Duration

	// History is how many traffic samples are kept for the chart. Zero or
	// less means 300 (five minutes at one a second).
	History int

	// MaxStreams is the most event streams open at once; more get 503.
	// Zero or less means 32.
	MaxStreams int

	// MaxPeers, MaxNodes, MaxEdges and MaxTableNodes bound what a
	// snapshot lists: peers (zero or less means 256), graph nodes (256),
	// graph edges (1024) and nodes of each discovery table (300). The
	// page says when a list was cut.
	MaxPeers, MaxNodes, MaxEdges, MaxTableNodes int

	// Logger receives the dashboard's logs (streams opened, refused and
	// closed), at debug level. Nil means no logging.
	Logger *slog.Logger
}

// Defaults for the zero values of Config.
const (
	DefaultInterval      = time.Second
	DefaultHistory       = 300
	DefaultMaxStreams    = 32
	DefaultMaxPeers      = 256
	DefaultMaxNodes      = 256
	DefaultMaxEdges      = 1024
	DefaultMaxTableNodes = 300
)

// withDefaults returns cfg with its zero values filled in.
func (cfg Config) withDefaults() Config {
	pos := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	pos(&cfg.History, DefaultHistory)
	pos(&cfg.MaxStreams, DefaultMaxStreams)
	pos(&cfg.MaxPeers, DefaultMaxPeers)
	pos(&cfg.MaxNodes, DefaultMaxNodes)
	pos(&cfg.MaxEdges, DefaultMaxEdges)
	pos(&cfg.MaxTableNodes, DefaultMaxTableNodes)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg
}

//go:embed assets/index.html
var page []byte

// writeTimeout bounds each write to an event stream: a client that reads
// slower than that loses its stream.
const writeTimeout = 10 * time.Second

// Dashboard is the web dashboard of a Source, an http.Handler (see the
// package documentation for its paths). Make one with New and Close it when
// done; it is safe for concurrent use.
type Dashboard struct {
	src   Source
	cfg   Config
	csp   string        // the page's Content-Security-Policy
	slots chan struct{} // a token per open event stream
	quit  chan struct{} // closed by Close
	done  chan struct{} // closed when loop returns
	once  sync.Once

	mu        sync.Mutex           // guards the fields below
	history   []Sample             // oldest first, at most cfg.History
	events    []Event              // oldest first, at most maxEvents
	seq       uint64               // of the last event
	firstSeen map[string]time.Time // peer ID -> when a snapshot first listed it
	streams   map[*stream]struct{}
	closed    bool
}

// stream is an open event stream: the frames waiting to be written.
type stream struct {
	frames chan []byte
}

// streamBacklog is how many frames may wait for a stream; beyond that a
// slow client misses frames (the next state makes up for them).
const streamBacklog = 16

// New returns a dashboard of src, which it watches until Close: it
// subscribes to src's events and starts one goroutine.
func New(src Source, cfg Config) *Dashboard {
	d := &Dashboard{
		src:       src,
		cfg:       cfg.withDefaults(),
		csp:       contentSecurityPolicy(page),
		quit:      make(chan struct{}),
		done:      make(chan struct{}),
		firstSeen: make(map[string]time.Time),
		streams:   make(map[*stream]struct{}),
	}
	d.slots = make(chan struct{}, d.cfg.MaxStreams)
	evc := make(chan *p2p.PeerEvent, 256)
	sub := src.SubscribeEvents(evc)
	go d.loop(sub, evc)
	return d
}

// Close stops the dashboard: its goroutine ends, and so does every open
// event stream (their handlers return). Later requests for the stream get
// 503; the page and the state still work. Close always returns nil; it may
// be called more than once.
//
// http.Server.Shutdown waits for open requests, event streams included:
// close the dashboard first, or register Close with RegisterOnShutdown.
func (d *Dashboard) Close() error {
	d.once.Do(func() {
		d.mu.Lock()
		d.closed = true
		d.mu.Unlock()
		close(d.quit)
	})
	<-d.done
	return nil
}

// loop records samples and events and feeds the event streams.
func (d *Dashboard) loop(sub p2p.Subscription, evc chan *p2p.PeerEvent) {
	defer close(d.done)
	defer sub.Unsubscribe()
	tick := time.NewTicker(d.cfg.Interval)
	defer tick.Stop()
	d.record(time.Now())
	for {
		select {
		case <-d.quit:
			return
		case ev := <-evc:
			if frame := d.handleEvent(ev); frame != nil {
				d.broadcast(frame)
			}
		case now := <-tick.C:
			d.record(now)
			d.broadcast(sseFrame("state", d.snapshot(false, now)))
		}
	}
}

// record adds a traffic sample.
func (d *Dashboard) record(now time.Time) {
	s := newSample(now, d.src.Stats())
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.history) == d.cfg.History {
		copy(d.history, d.history[1:])
		d.history = d.history[:len(d.history)-1]
	}
	d.history = append(d.history, s)
}

// handleEvent records ev. It returns the frame to send to the streams for
// an added or dropped peer, nil for a message.
func (d *Dashboard) handleEvent(ev *p2p.PeerEvent) []byte {
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	switch ev.Type {
	case p2p.PeerEventTypeAdd, p2p.PeerEventTypeDrop:
		d.seq++
		e := eventFrom(d.seq, now, ev)
		if len(d.events) == maxEvents {
			copy(d.events, d.events[1:])
			d.events = d.events[:len(d.events)-1]
		}
		d.events = append(d.events, e)
		return sseFrame("peer", e)
	}
	return nil
}

// snapshot builds a State; with fullHistory, it holds every traffic
// sample, otherwise the newest.
func (d *Dashboard) snapshot(fullHistory bool, now time.Time) *State {
	info := d.src.NodeInfo()
	peers := d.src.PeersInfo()
	st := &State{
		Time:      now,
		Title:     d.cfg.Title,
		Node:      nodeState(info),
		PeerCount: len(peers),
		Peers:     make([]PeerState, 0, min(len(peers), d.cfg.MaxPeers)),
		Stats:     d.src.Stats(),
		Discovery: []TableState{},
		Limits:    limitsOf(&d.cfg),
	}
	if st.Title == "" {
		st.Title = st.Node.Name
	}

	// Peers, with their age and traffic.
	var lifetimes map[string]time.Duration
	if pl, ok := d.src.(PeerLister); ok {
		list := pl.Peers()
		lifetimes = make(map[string]time.Duration, len(list))
		for _, p := range list {
			lifetimes[p.ID().String()] = p.Lifetime()
		}
	}
	sortPeers(peers)
	d.mu.Lock()
	seen := make(map[string]bool, len(peers))
	for _, p := range peers {
		seen[p.ID] = true
		if _, ok := d.firstSeen[p.ID]; !ok && len(d.firstSeen) < 4*d.cfg.MaxPeers {
			d.firstSeen[p.ID] = now
		}
	}
	for id := range d.firstSeen {
		if !seen[id] {
			delete(d.firstSeen, id)
		}
	}
	for _, p := range peers[:min(len(peers), d.cfg.MaxPeers)] {
		ps := peerState(p)
		switch lt, ok := lifetimes[p.ID]; {
		case !p.Connected.IsZero():
			ps.AgeSeconds = now.Sub(p.Connected).Seconds()
		case ok:
			ps.AgeSeconds = lt.Seconds()
		default:
			if t, ok := d.firstSeen[p.ID]; ok {
				ps.AgeSeconds = now.Sub(t).Seconds()
			}
		}
		st.Peers = append(st.Peers, ps)
	}
	if fullHistory {
		st.Traffic = cloneNonNil(d.history)
	} else if n := len(d.history); n > 0 {
		st.Traffic = []Sample{d.history[n-1]}
	}
	st.Events = cloneNonNil(d.events)
	d.mu.Unlock()

	// Discovery tables.
	if info != nil {
		self, _ := enode.ParseID(info.ID)
		dt, listable := d.src.(DiscoveryTables)
		if info.DiscoveryV4 != nil {
			var nodes []*enode.Node
			if listable {
				if t := dt.DiscoveryV4(); t != nil {
					nodes = t.TableNodes()
				}
			}
			st.Discovery = append(st.Discovery, tableState("v4", info.DiscoveryV4.Nodes, info.DiscoveryV4.Stats, nodes, self, d.cfg.MaxTableNodes))
		}
		if info.DiscoveryV5 != nil {
			var nodes []*enode.Node
			if listable {
				if t := dt.DiscoveryV5(); t != nil {
					nodes = t.AllNodes()
				}
			}
			st.Discovery = append(st.Discovery, tableState("v5", info.DiscoveryV5.Nodes, info.DiscoveryV5.Stats, nodes, self, d.cfg.MaxTableNodes))
		}
	}

	// The graph.
	var g Graph
	if gs, ok := d.src.(GraphSource); ok {
		g = gs.Graph()
	} else {
		g = starGraph(st.Node, peers)
	}
	st.GraphNodes, st.GraphEdges = len(g.Nodes), len(g.Edges)
	st.Graph = cutGraph(g, d.cfg.MaxNodes, d.cfg.MaxEdges)
	return st
}

// cloneNonNil returns a copy of s that is never nil.
func cloneNonNil[T any](s []T) []T {
	return append(make([]T, 0, len(s)), s...)
}

// sseFrame encodes one server-sent event.
func sseFrame(event string, v any) []byte {
	data, err := json.Marshal(v)
	if err != nil { // the types above always encode
		data = []byte(`{}`)
	}
	var b bytes.Buffer
	b.Grow(len(data) + len(event) + 16)
	b.WriteString("event: ")
	b.WriteString(event)
	b.WriteString("\ndata: ")
	b.Write(data) // JSON has no raw newlines
	b.WriteString("\n\n")
	return b.Bytes()
}

// broadcast queues frame on every open stream; a stream whose backlog is
// full misses it.
func (d *Dashboard) broadcast(frame []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for s := range d.streams {
		select {
		case s.frames <- frame:
		default:
		}
	}
}
