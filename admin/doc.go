// Package admin is the admin API of a running p2p.Server: JSON-RPC 2.0
// over HTTP and over a Unix socket, with the method names and result
// shapes of go-ethereum's admin namespace, so that scripts written for a
// geth node work with any program built on this library.
//
// # Serving it
//
// NewHandler returns an http.Handler that takes JSON-RPC requests (single
// or batch) as POST bodies with Content-Type application/json, as geth's
// HTTP endpoint does. Mount it on your own server:
//
//	http.Handle("POST /{$}", admin.NewHandler(srv, admin.Config{}))
//
// A Server serves the same API over stream connections, a Unix socket
// being the usual one (ListenUnix creates it, mode 0600): each connection
// carries a stream of JSON values, requests one way and responses and
// subscription notifications the other, as geth's IPC endpoint does.
// Subscriptions need such a connection; over HTTP, admin_subscribe gets
// an error that says so.
//
// # Methods
//
//	admin_nodeInfo                 p2p.NodeInfo of the node
//	admin_peers                    []p2p.PeerInfo of the connected peers
//	admin_addPeer(url)             true; dials url (enode:// or enr:) and keeps it connected
//	admin_removePeer(url)          true; forgets the static node and disconnects it
//	admin_addTrustedPeer(url)      true; lets the node connect beyond the peer limits
//	admin_removeTrustedPeer(url)   true
//	admin_subscribe("peerEvents")  subscription id; then admin_subscription notifications
//	                               {"subscription": id, "result": p2p.PeerEvent}
//	admin_unsubscribe(id)          true
//	p2p_stats                      p2p.Stats: admissions, dials, drops, traffic
//	p2p_diagnose                   p2p.Diagnosis: why the node has the peers it has
//	rpc_modules                    {"admin": "1.0", "p2p": "1.0", "rpc": "1.0"}
//
// Parameters are given by position (an array), as geth takes them, or by
// name (an object, with the names above). Methods lists them.
//
// # Errors and limits
//
// A request that is not valid JSON gets error -32700, one that is not a
// JSON-RPC 2.0 request -32600, an unknown method -32601, and a parameter
// of the wrong type or value -32602 with a message that names the
// parameter; a failure of the node (it is not running) is -32000. Request
// bodies and stream messages are bounded (Config.MaxRequestBytes), as are
// batches (Config.MaxBatch), the time a client may take to send its body
// (Config.BodyTimeout), and stream connections (Config.MaxConns).
//
// # Access
//
// Anyone who can reach the API can change the node's peers. The HTTP
// handler, and Protect for other handlers, check the Host header against
// Config.Hosts (by default an IP address or localhost, which defeats DNS
// rebinding from a web page) and, when Config.Token is set, require it as
// a bearer token (Authorization: Bearer TOKEN) or as the password of HTTP
// basic authentication, so that a browser can prompt for it. Browsers
// cannot post JSON to the API from another site's page: the Content-Type
// check makes them ask first (CORS), and the API never allows it. The
// Unix socket is protected by its file mode. ReadTokenFile and
// LoadOrCreateTokenFile manage a token kept in a file.
//
// # Calling it
//
// Dial connects to an endpoint, an http:// URL or a socket path, and
// Client.Call calls a method; Client.Subscribe starts a subscription over
// a socket. Command p2pnode's admin, attach and diagnose commands use it.
package admin
