// Package dashboard serves a live web page that shows a running node, or a
// local test network of nodes, as it works: the node's identity (name, enode
// URL, record), its peers (name, capabilities, direction, address, how long
// they have been connected, traffic), the traffic of each protocol over
// time, the discovery tables, how dials ended and why connections were
// refused, and a graph of the network.
//
// New returns a *Dashboard, an http.Handler that answers three paths:
//
//	GET /                  the page: one HTML file with its script and styles,
//	                       embedded in the binary (nothing is fetched from the
//	                       internet, there is no build step)
//	GET /dashboard/state   a State, as JSON
//	GET /dashboard/events  server-sent events: a "state" event (a State) every
//	                       Config.Interval, and a "peer" event (an Event) each
//	                       time a peer is added or dropped
//
// HEAD works on each; other methods get 405 and other paths 404. The page
// takes its data from the two endpoints by relative URLs, so the handler can
// be mounted under a prefix with http.StripPrefix. It is made to share one
// server with the admin API (POST /) and /metrics, as on p2pnode's -http
// address; a program mounts it on its own server like this:
//
//	d := dashboard.New(srv, dashboard.Config{})
//	defer d.Close()
//	mux.Handle("GET /", d)
//
// A Source is what the dashboard watches: *p2p.Server is one. A source that
// also has the methods of PeerLister, DiscoveryTables or GraphSource (as
// *p2p.Server has the first two) gets the columns and panels those feed.
// NewNetwork makes a source of several servers in one process, a local test
// network, whose graph shows every server and the connections between them.
//
// What it costs and what bounds it: one goroutine per Dashboard, which
// builds a snapshot every Interval (it calls the source's Stats, NodeInfo
// and PeersInfo) and keeps a short history of traffic for the chart; one
// per open event stream, each in its request's goroutine, at most
// Config.MaxStreams at once (503 beyond). A stream ends when its client
// goes, its request's context ends, a write takes longer than ten seconds,
// or Close is called. Snapshots list at most Config.MaxPeers peers,
// MaxNodes graph nodes and MaxEdges edges, MaxTableNodes discovery table
// entries, and the page says when a list was cut. Peer-supplied text
// (names, capabilities) is clipped, and the page inserts every string as
// text, never as markup.
//
// Per-peer traffic, age and round trip time come from PeerInfo (Traffic,
// Connected, RTT), the traffic chart and the totals from Stats: nothing
// needs switching on.
package dashboard
