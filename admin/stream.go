package admin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/seednet/p2p"
)

// ErrServerClosed is what Serve returns once the Server is closed.
var ErrServerClosed = errors.New("admin: server closed")

// ErrSocketInUse is what ListenUnix returns when a process is listening
// on the socket already.
var ErrSocketInUse = errors.New("admin: a process is listening on the socket already")

// Server serves the admin API over stream connections, such as those of a
// Unix socket: each carries a stream of JSON values (whitespace between
// them, a newline after each the server sends), requests and batches from
// the client, responses and subscription notifications from the server.
// Requests of one connection are answered in order.
//
//	s := admin.NewServer(srv, admin.Config{})
//	l, err := admin.ListenUnix("/run/user/1000/node.ipc")
//	...
//	go s.Serve(l)
//	defer s.Close()
type Server struct {
	api    *api
	ctx    context.Context // cancelled by Close; the context of calls
	cancel context.CancelFunc

	mu        sync.Mutex // guards the fields below
	closed    bool
	listeners map[net.Listener]struct{}
	conns     map[*streamConn]struct{}

	wg sync.WaitGroup // the connections' goroutines and their subscriptions'
}

// NewServer returns a Server of the API of srv. It serves nothing until
// Serve is called.
func NewServer(srv *p2p.Server, cfg Config) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		api:       newAPI(srv, cfg),
		ctx:       ctx,
		cancel:    cancel,
		listeners: make(map[net.Listener]struct{}),
		conns:     make(map[*streamConn]struct{}),
	}
}

// Serve accepts connections on l and serves each in its own goroutine
// until Close, then returns ErrServerClosed; it returns earlier with the
// error of l.Accept if that is not a temporary one. It closes l when it
// returns. It may be called with several listeners, concurrently.
func (s *Server) Serve(l net.Listener) error {
	defer l.Close()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
	}()

	var backoff time.Duration
	for {
		conn, err := l.Accept()
		if err != nil {
			if s.ctx.Err() != nil {
				return ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			// Out of file descriptors, say: wait, as net/http does.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.api.cfg.Logger.Warn("Admin API: accept failed", "err", err, "retryIn", backoff)
			select {
			case <-time.After(backoff):
				continue
			case <-s.ctx.Done():
				return ErrServerClosed
			}
		}
		backoff = 0
		s.startConn(conn)
	}
}

// Close stops the Server: it closes the listeners and the connections,
// ends the subscriptions and waits for every goroutine of the Server to
// end. It may be called more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		s.cancel()
		for l := range s.listeners {
			l.Close()
		}
		for c := range s.conns {
			c.conn.Close()
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// startConn serves conn in a new goroutine, unless the Server is closed
// or at its connection limit.
func (s *Server) startConn(conn net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		conn.Close()
		return
	}
	if len(s.conns) >= s.api.cfg.MaxConns {
		s.api.cfg.Logger.Warn("Admin API: connection refused, too many", "limit", s.api.cfg.MaxConns)
		conn.SetWriteDeadline(time.Now().Add(time.Second))
		conn.Write(append(errorResponse(nil, errorf(CodeServerError, "too many connections (the limit is %d)", s.api.cfg.MaxConns)), '\n'))
		conn.Close()
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	c := &streamConn{s: s, conn: conn, ctx: ctx, cancel: cancel, subs: make(map[string]*streamSub)}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	go c.serve()
}

// streamConn is one stream connection.
type streamConn struct {
	s      *Server
	conn   net.Conn
	ctx    context.Context // the context of its calls; cancelled when it ends
	cancel context.CancelFunc

	writeMu sync.Mutex // held while writing a message

	mu   sync.Mutex // guards subs
	subs map[string]*streamSub

	subWG sync.WaitGroup // the subscriptions' goroutines
}

// errMessageTooLarge is what boundedReader returns past its bound.
var errMessageTooLarge = errors.New("message too large")

// boundedReader reads from r up to max bytes in all.
type boundedReader struct {
	r      io.Reader
	n, max int64 // read so far, most that may be
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.n >= b.max {
		return 0, errMessageTooLarge
	}
	if int64(len(p)) > b.max-b.n {
		p = p[:b.max-b.n]
	}
	k, err := b.r.Read(p)
	b.n += int64(k)
	return k, err
}

// serve reads and answers the messages of the connection until it ends.
func (c *streamConn) serve() {
	defer c.end()
	limit := c.s.api.cfg.MaxRequestBytes
	br := &boundedReader{r: c.conn}
	dec := json.NewDecoder(br)
	for {
		br.max = dec.InputOffset() + limit // one message, with the space before it
		var msg json.RawMessage
		if err := dec.Decode(&msg); err != nil {
			var syntax *json.SyntaxError
			switch {
			case errors.Is(err, errMessageTooLarge):
				c.write(errorResponse(nil, errorf(CodeInvalidRequest, "message too large: the limit is %d bytes", limit)))
			case errors.As(err, &syntax):
				c.write(errorResponse(nil, errorf(CodeParseError, "parse error: %v", err)))
			}
			return // after an error the stream cannot be read on
		}
		x := &exchange{ctx: c.ctx, api: c.s.api, stream: c}
		if resp := x.handleMessage(msg); resp != nil {
			if c.write(resp) != nil {
				return
			}
		}
		for _, f := range x.after {
			f()
		}
	}
}

// end closes the connection, ends its subscriptions and waits for them.
func (c *streamConn) end() {
	c.cancel()
	c.conn.Close()
	c.mu.Lock()
	for id, ss := range c.subs {
		close(ss.quit)
		delete(c.subs, id)
	}
	c.mu.Unlock()
	c.subWG.Wait()
	c.s.mu.Lock()
	delete(c.s.conns, c)
	c.s.mu.Unlock()
	c.s.wg.Done()
}

// write sends msg, followed by a newline. A client that does not take it
// within the write timeout is disconnected.
func (c *streamConn) write(msg []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.conn.SetWriteDeadline(time.Now().Add(c.s.api.cfg.WriteTimeout))
	_, err := c.conn.Write(append(msg, '\n'))
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			c.s.api.cfg.Logger.Warn("Admin API: client does not read; disconnected", "timeout", c.s.api.cfg.WriteTimeout)
		}
		c.conn.Close() // the reading loop ends
	}
	return err
}

// streamSub is a subscription to the server's peer events on one
// connection.
type streamSub struct {
	id     string
	events chan *p2p.PeerEvent
	start  chan struct{} // closed once the response with the id is written
	quit   chan struct{} // closed by admin_unsubscribe or the end of the connection
}

// subscribe is admin_subscribe.
func (x *exchange) subscribe(name string) (any, error) {
	c := x.stream
	if c == nil {
		return nil, errorf(CodeMethodNotFound, "subscriptions need a stream connection, such as the Unix socket; over HTTP, poll admin_peers")
	}
	if name != "peerEvents" {
		return nil, errorf(CodeInvalidParams, "invalid params: name: there is no subscription %s (there is peerEvents)", printable(name))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if max := x.api.cfg.MaxSubscriptions; len(c.subs) >= max {
		return nil, errorf(CodeServerError, "too many subscriptions on this connection (the limit is %d)", max)
	}
	var b [8]byte
	rand.Read(b[:])
	ss := &streamSub{
		id:     "0x" + hex.EncodeToString(b[:]),
		events: make(chan *p2p.PeerEvent, 16),
		start:  make(chan struct{}),
		quit:   make(chan struct{}),
	}
	sub := x.api.srv.SubscribeEvents(ss.events)
	c.subs[ss.id] = ss
	c.subWG.Add(1)
	go c.runSub(ss, sub)
	x.after = append(x.after, func() { close(ss.start) })
	return ss.id, nil
}

// unsubscribe is admin_unsubscribe.
func (x *exchange) unsubscribe(id string) (any, error) {
	c := x.stream
	if c == nil {
		return nil, errorf(CodeMethodNotFound, "subscriptions need a stream connection, such as the Unix socket")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ss, ok := c.subs[id]
	if !ok {
		return nil, errorf(CodeServerError, "subscription not found")
	}
	delete(c.subs, id)
	close(ss.quit)
	return true, nil
}

// runSub sends the events of subscription ss as notifications until it
// ends.
func (c *streamConn) runSub(ss *streamSub, sub p2p.Subscription) {
	defer c.subWG.Done()
	defer sub.Unsubscribe()
	select {
	case <-ss.start:
	case <-ss.quit:
		return
	}
	for {
		select {
		case ev := <-ss.events:
			b, err := json.Marshal(&notification{Version: "2.0", Method: "admin_subscription",
				Params: notificationParams{Subscription: ss.id, Result: ev}})
			if err != nil {
				c.s.api.cfg.Logger.Error("Admin API: cannot encode a peer event", "err", err)
				continue
			}
			if c.write(b) != nil {
				return
			}
		case <-ss.quit:
			return
		}
	}
}

// maxSocketPath is the longest path of a Unix socket that binds on every
// system (Linux allows 107 bytes, the BSDs 103).
const maxSocketPath = 103

// ListenUnix listens on a Unix socket at path, for Serve. It creates the
// directory (mode 0700) if missing, and gives the socket mode 0600: only
// the user may connect. A socket file left by a process that ended
// without removing it is replaced; one that a process still listens on is
// not (ErrSocketInUse). Closing the listener removes the file.
func ListenUnix(path string) (net.Listener, error) {
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("socket path %s is too long: %d bytes, the limit is %d", path, len(path), maxSocketPath)
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode().Type() != fs.ModeSocket {
			return nil, fmt.Errorf("%s exists and is not a socket", path)
		}
		if conn, err := net.DialTimeout("unix", path, time.Second); err == nil {
			conn.Close()
			return nil, fmt.Errorf("%s: %w", path, ErrSocketInUse)
		}
		if err := os.Remove(path); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}
