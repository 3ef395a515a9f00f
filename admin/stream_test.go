package admin

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seednet/p2p"
)

// serveUnix serves the API of srv on a Unix socket in a temporary
// directory, and closes it when the test ends.
func serveUnix(t *testing.T, srv *p2p.Server, cfg Config) (*Server, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "admin.ipc")
	l, err := ListenUnix(path)
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(srv, cfg)
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(l) }()
	t.Cleanup(func() {
		s.Close()
		if err := <-errc; err != ErrServerClosed {
			t.Errorf("Serve returned %v", err)
		}
	})
	return s, path
}

// rawConn is a connection to the socket that the test writes to and
// reads lines from.
type rawConn struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialRaw(t *testing.T, path string) *rawConn {
	t.Helper()
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawConn{t: t, conn: conn, r: bufio.NewReaderSize(conn, 1<<20)}
}

func (c *rawConn) send(s string) {
	c.t.Helper()
	c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.conn.Write([]byte(s)); err != nil {
		c.t.Fatal(err)
	}
}

// line reads one line, which must come within 10 s.
func (c *rawConn) line() string {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("reading: %v (have %q)", err, line)
	}
	return line
}

// closed checks that the server closed the connection.
func (c *rawConn) closed() {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if line, err := c.r.ReadString('\n'); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		c.t.Fatalf("connection not closed: %q, %v", line, err)
	}
}

// Over the socket: requests in a stream, answered in order, one line
// each; a message split across writes; after a parse error or a message
// over the limit the server says so and closes the connection.
func TestStreamMessages(t *testing.T) {
	srv := startServer(t)
	_, path := serveUnix(t, srv, Config{MaxRequestBytes: 4096})

	c := dialRaw(t, path)
	c.send(`{"jsonrpc":"2.0","id":1,"method":"rpc_modules"}  {"jsonrpc":"2.0","id":2,"method":"nope"}` + "\n")
	if l := c.line(); !strings.HasPrefix(l, `{"jsonrpc":"2.0","id":1,"result":{"admin":"1.0"`) {
		t.Fatalf("first response: %s", l)
	}
	if l := c.line(); !strings.Contains(l, `"id":2,"error":{"code":-32601`) {
		t.Fatalf("second response: %s", l)
	}
	c.send(`[{"jsonrpc":"2.0","id":3,"method":"admin_pe`)
	time.Sleep(50 * time.Millisecond)
	c.send(`ers"},{"jsonrpc":"2.0","method":"rpc_modules"}]`)
	if l := c.line(); l != `[{"jsonrpc":"2.0","id":3,"result":[]}]`+"\n" {
		t.Fatalf("batch response: %s", l)
	}
	c.send(`[]`)
	if l := c.line(); !strings.Contains(l, `"message":"empty batch"`) {
		t.Fatalf("empty batch: %s", l)
	}

	for _, tt := range []struct{ name, send, want string }{
		{"syntax error", `{"jsonrpc":"2.0",,}`, `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error: invalid character ','`},
		{"too large", `{"jsonrpc":"2.0","id":1,"method":"` + strings.Repeat("x", 5000) + `"}`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"message too large: the limit is 4096 bytes"}}`},
		{"too large, no end", strings.Repeat("[", 5000), `"message":"message too large: the limit is 4096 bytes"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, path)
			c.send(`{"jsonrpc":"2.0","id":1,"method":"rpc_modules"}`)
			c.line()
			c.send(tt.send)
			if l := c.line(); !strings.Contains(l, tt.want) {
				t.Fatalf("got %s\nwant %s", l, tt.want)
			}
			c.closed()
		})
	}
}

// Connections over MaxConns are told so and closed; Close ends the
// others, and their subscriptions, leaving no goroutine (TestMain checks).
func TestStreamLimitsAndClose(t *testing.T) {
	srv := startServer(t)
	s, path := serveUnix(t, srv, Config{MaxConns: 2, MaxSubscriptions: 2})

	a, b := dialRaw(t, path), dialRaw(t, path)
	for i, c := range []*rawConn{a, b} {
		c.send(`{"jsonrpc":"2.0","id":1,"method":"admin_subscribe","params":["peerEvents"]}`)
		if l := c.line(); !strings.Contains(l, `"result":"0x`) {
			t.Fatalf("conn %d: subscribe: %s", i, l)
		}
	}
	a.send(`{"jsonrpc":"2.0","id":2,"method":"admin_subscribe","params":["peerEvents"]}`)
	a.line()
	a.send(`{"jsonrpc":"2.0","id":3,"method":"admin_subscribe","params":["peerEvents"]}`)
	if l := a.line(); !strings.Contains(l, "too many subscriptions on this connection (the limit is 2)") {
		t.Fatalf("third subscription: %s", l)
	}
	a.send(`{"jsonrpc":"2.0","id":4,"method":"admin_subscribe","params":["blocks"]}`)
	if l := a.line(); !strings.Contains(l, `"code":-32602,"message":"invalid params: name: there is no subscription blocks (there is peerEvents)"`) {
		t.Fatalf("unknown subscription: %s", l)
	}
	a.send(`{"jsonrpc":"2.0","id":5,"method":"admin_unsubscribe","params":["0x00"]}`)
	if l := a.line(); !strings.Contains(l, `"message":"subscription not found"`) {
		t.Fatalf("unknown id: %s", l)
	}

	c := dialRaw(t, path)
	if l := c.line(); !strings.Contains(l, "too many connections (the limit is 2)") {
		t.Fatalf("third connection: %s", l)
	}
	c.closed()

	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close hangs")
	}
	a.closed()
	b.closed()
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket file after Close: %v", err)
	}
	s.Close() // again
}

// A client that does not read what the server sends is disconnected
// after WriteTimeout; its subscription ends with it (TestMain checks that
// no goroutine is left).
func TestStreamSlowReader(t *testing.T) {
	srv := startServer(t)
	_, path := serveUnix(t, srv, Config{WriteTimeout: 200 * time.Millisecond})
	c := dialRaw(t, path)
	c.send(`{"jsonrpc":"2.0","id":1,"method":"admin_subscribe","params":["peerEvents"]}`)
	c.line()
	// Requests whose responses the client never reads: the socket's
	// buffers fill, the server's write times out and it hangs up, after
	// which the client's writes fail.
	req := []byte(strings.Repeat(`{"jsonrpc":"2.0","id":1,"method":"admin_nodeInfo"}`, 50))
	start := time.Now()
	for {
		c.conn.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		_, err := c.conn.Write(req)
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			break // broken pipe or reset: the server closed it
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("the server did not disconnect the client that does not read")
		}
	}
}

// Stale socket files are replaced; a socket in use, a file that is not a
// socket, and a path too long are errors. The socket has mode 0600.
func TestListenUnix(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "node.ipc")
	l, err := ListenUnix(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode: %v %v", fi.Mode(), err)
	}
	if di, _ := os.Stat(filepath.Dir(path)); di.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v", di.Mode())
	}
	if _, err := ListenUnix(path); !errors.Is(err, ErrSocketInUse) {
		t.Fatalf("second listener: %v", err)
	}
	// A socket left behind: its listener closed without removing it.
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	l, err = ListenUnix(path)
	if err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	l.Close()

	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := ListenUnix(file); err == nil || !strings.Contains(err.Error(), "exists and is not a socket") {
		t.Fatalf("regular file: %v", err)
	}
	long := filepath.Join(dir, strings.Repeat("x", 120))
	if _, err := ListenUnix(long); err == nil || !strings.Contains(err.Error(), "is too long") {
		t.Fatalf("long path: %v", err)
	}
}

// Serve after Close returns at once.
func TestServeAfterClose(t *testing.T) {
	s := NewServer(new(p2p.Server), Config{})
	s.Close()
	l, err := net.Listen("unix", filepath.Join(t.TempDir(), "s"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(l); err != ErrServerClosed {
		t.Fatalf("Serve: %v", err)
	}
}

// The methods with a stopped node say so.
func TestNotRunning(t *testing.T) {
	x := &exchange{ctx: context.Background(), api: newAPI(new(p2p.Server), Config{})}
	for _, req := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"admin_nodeInfo"}`,
		`{"jsonrpc":"2.0","id":1,"method":"admin_peers"}`,
		`{"jsonrpc":"2.0","id":1,"method":"admin_addPeer","params":["` + testEnode + `"]}`,
	} {
		resp := x.handleMessage([]byte(req))
		var r response
		if err := json.Unmarshal(resp, &r); err != nil || r.Error == nil || r.Error.Code != CodeServerError || r.Error.Message != "the node is not running" {
			t.Errorf("%s: %s", req, resp)
		}
	}
	resp := x.handleMessage([]byte(`{"jsonrpc":"2.0","id":1,"method":"p2p_diagnose"}`))
	if !bytes.Contains(resp, []byte(`"running":false`)) {
		t.Errorf("p2p_diagnose: %s", resp)
	}
}

const testEnode = "enode://1dd9d65c4552b5eb43d5ad55a2ee3f56c6cbc1c64a5c8d659f51fcd51bace24351232b8d7821617d2b29b54b81cdefb9b3e9c37d7fd5f63270bcc9e1a6f6a439@127.0.0.1:30303"
