package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seednet/p2p"
)

// httpDo sends a request to the node's HTTP server.
func httpDo(t *testing.T, method, url, token, contentType, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(data)
}

// A node with -http and -ipc: 'p2pnode admin' adds a peer over the
// socket and lists it over HTTP with the token; diagnose reports; the
// HTTP server routes POST / to the admin API, /metrics to the metrics
// (which count the peer) and other GETs to the dashboard, wants the
// token, and refuses unknown paths, big bodies and slow clients. Stopping
// the node removes the socket.
func TestRunHTTPAndIPC(t *testing.T) {
	dir := t.TempDir()
	ipc, tokenFile := filepath.Join(dir, "a.ipc"), filepath.Join(dir, "http.token")
	peer := startServer(t, &p2p.Server{NoDiscovery: true})
	stdout, stderr, stop := runInProcess(t, "-listen", "127.0.0.1:0", "-nodiscover", "-http", "127.0.0.1:0",
		"-http.token", tokenFile, "-ipc", ipc)
	m := waitFor(t, stdout, "node", `HTTP: +(http://127\.0\.0\.1:\d+/) \(admin API: POST /, dashboard: /, metrics: /metrics\)\nadmin socket: (\S+)\n`)
	url := m[1]
	if m[2] != ipc {
		t.Fatalf("socket %s, want %s", m[2], ipc)
	}
	waitFor(t, stderr, "node", `msg="Wrote a new HTTP token" file=`+regexpQuote(tokenFile))
	tokenData, err := os.ReadFile(tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(tokenData))
	if fi, _ := os.Stat(tokenFile); fi.Mode().Perm() != 0o600 || len(token) != 64 {
		t.Fatalf("token file: mode %v, %q", fi.Mode(), token)
	}

	out, _, err := runCmd(t, "admin", "-endpoint", ipc, "admin_addPeer", peer.Self().URLv4())
	if err != nil || out != "true\n" {
		t.Fatalf("admin_addPeer: %q %v", out, err)
	}
	id := peer.Self().ID().String()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, _, err = runCmd(t, "admin", "-endpoint", url, "-token", tokenFile, "peers")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out, `"id": "`+id+`"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no peer in admin_peers: %s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}

	out, _, err = runCmd(t, "diagnose", "-endpoint", ipc)
	if err != nil || !strings.HasPrefix(out, "Diagnosis at ") || !strings.Contains(out, "[ok]   peers        1 of 25 (0 inbound, 1 outbound)") {
		t.Fatalf("diagnose: %v\n%s", err, out)
	}
	out, _, err = runCmd(t, "diagnose", "-json", "-endpoint", url, "-token", tokenFile)
	if err != nil || !strings.Contains(out, `"running": true`) || !strings.Contains(out, `"peers": 1`) {
		t.Fatalf("diagnose -json: %v\n%s", err, out)
	}

	const rpc = `{"jsonrpc":"2.0","id":1,"method":"admin_peers"}`
	for _, tt := range []struct {
		name, method, path, token, contentType, body string
		status                                       int
		want                                         string // in the body
	}{
		{"admin API", "POST", "", token, "application/json", rpc, 200, `"id":"` + id + `"`},
		{"admin API without the token", "POST", "", "", "application/json", rpc, 401, "missing or wrong token"},
		{"admin API, wrong content type", "POST", "", token, "text/plain", rpc, 415, "Content-Type must be application/json"},
		{"admin API, huge body", "POST", "", token, "application/json", strings.Repeat(" ", 2<<20), 413, "too large"},
		{"metrics", "GET", "metrics", token, "", "", 200, `p2p_peers{direction="outbound"} 1`},
		{"metrics without the token", "GET", "metrics", "", "", "", 401, ""},
		{"dashboard", "GET", "", token, "", "", 200, "<html"},
		{"dashboard state", "GET", "dashboard/state", token, "", "", 200, id},
		{"unknown path", "GET", "nope", token, "", "", 404, ""},
		{"POST elsewhere", "POST", "metrics", token, "application/json", rpc, 404, ""},
		{"PUT", "PUT", "", token, "application/json", rpc, 404, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := httpDo(t, tt.method, url+tt.path, tt.token, tt.contentType, tt.body)
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Fatalf("status %d, want %d; body (want %q):\n%.500s", status, tt.status, tt.want, body)
			}
		})
	}

	// A client that never finishes its headers is cut off.
	conn, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
	conn.SetReadDeadline(time.Now().Add(httpReadHeaderTimeout + 10*time.Second))
	if _, err := io.Copy(io.Discard, conn); err != nil {
		t.Fatalf("slow headers: %v", err)
	}
	if d := time.Since(start); d < httpReadHeaderTimeout-time.Second {
		t.Fatalf("slow client cut off after %v", d)
	}

	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ipc); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("socket after stop: %v", err)
	}
	waitFor(t, stderr, "node", `msg=Stopped peersDisconnected=1 `)
}

func regexpQuote(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// attach: methods and their results at the prompt, a subscription whose
// events show as they come, errors that do not end the session, help,
// and the end of the input.
func TestAttach(t *testing.T) {
	ipc := filepath.Join(t.TempDir(), "a.ipc")
	peer := startServer(t, &p2p.Server{NoDiscovery: true})
	stdout, _, stop := runInProcess(t, "-listen", "127.0.0.1:0", "-nodiscover", "-ipc", ipc)
	waitFor(t, stdout, "node", `admin socket: `)

	in, inw := io.Pipe()
	out := new(syncBuffer)
	errc := make(chan error, 1)
	go func() { errc <- runIO(t.Context(), []string{"attach", "-endpoint", ipc}, in, out, io.Discard) }()
	defer inw.Close()
	waitFor(t, out, "attach", `Connected to p2pnode at `+regexpQuote(ipc)+`\.\nenode://\S+\n'help' lists the methods; 'exit' or Ctrl-D quits\.\n> $`)

	url, id := peer.Self().URLv4(), peer.Self().ID().String()
	for _, step := range []struct{ send, want string }{
		{"admin_subscribe peerEvents", `subscription (0x[0-9a-f]+): notifications follow \('admin_unsubscribe 0x[0-9a-f]+' ends it\)\n> $`},
		{"addPeer " + url, `^true\n(?s:.*)\n0x[0-9a-f]+: \{"type":"add","peer":"` + id + `",[^\n]*\n> $`},
		{"removePeer " + url, `\n0x[0-9a-f]+: \{"type":"drop","peer":"` + id + `","error":"disconnect requested",`},
		{"help", `admin_addPeer URL +connect to the node`},
		{"bogus", `(?:^|> )error: the method bogus does not exist \(rpc_modules lists the namespaces\)\n> $`},
		{`admin_addPeer {"url": 1}`, `(?:^|> )error: invalid params: parameter 1 \(url\) must be a string, is an object\n> $`},
		{`admin_addPeer "unterminated`, `(?:^|> )error: word 2: unexpected EOF\n> $`},
		{`  rpc_modules  `, `(?:^|> )\{\n  "admin": "1.0",\n  "p2p": "1.0",\n  "rpc": "1.0"\n\}\n> $`},
	} {
		out.mu.Lock()
		out.b.Reset()
		out.mu.Unlock()
		fmt.Fprintln(inw, step.send)
		m := waitFor(t, out, step.send, step.want)
		if strings.HasPrefix(step.send, "removePeer") {
			waitFor(t, out, step.send, `(^|> )true\n`) // before or after the event
		}
		if step.send == "admin_subscribe peerEvents" {
			fmt.Fprintln(inw, "admin_unsubscribe", m[1]+"x") // not ours: the node says so
			waitFor(t, out, "unsubscribe", `(?:^|> )error: subscription not found\n> $`)
		}
	}
	inw.Close()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("attach did not end at the end of its input")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// 'p2pnode admin' and diagnose: errors say what went wrong.
func TestAdminErrors(t *testing.T) {
	dir := t.TempDir()
	ipc := filepath.Join(dir, "a.ipc")
	stdout, _, stop := runInProcess(t, "-listen", "127.0.0.1:0", "-nodiscover", "-ipc", ipc, "-http", "0")
	m := waitFor(t, stdout, "node", `HTTP: +(http://\S+) `)
	defer stop()
	missing := filepath.Join(dir, "none.ipc")
	stale := filepath.Join(dir, "stale.ipc")
	l, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"admin", "-endpoint", ipc, "admin_addPeer", "42"}, "admin_addPeer: invalid params: parameter 1 (url) must be a string, is a number"},
		{[]string{"admin", "-endpoint", ipc, "admin_addPeer", "enode://x"}, "admin_addPeer: invalid params: url: invalid node: "},
		{[]string{"admin", "-endpoint", ipc, "nope"}, "nope: the method nope does not exist"},
		{[]string{"admin", "-endpoint", missing, "peers"}, "cannot reach the node at " + missing + ": no such file or directory (is a node running with -ipc " + missing + "?)"},
		{[]string{"admin", "-endpoint", stale, "peers"}, "cannot reach the node at " + stale + ": connection refused (no node listens there)"},
		{[]string{"admin", "-endpoint", m[1], "peerEvents"}, "subscriptions need the node's admin socket (its -ipc), not " + m[1]},
		{[]string{"admin", "-endpoint", ipc, "-token", filepath.Join(dir, "nothing"), "peers"}, "-token: open "},
		{[]string{"diagnose", "-endpoint", missing}, "cannot reach the node"},
		{[]string{"attach", "-endpoint", missing}, "cannot reach the node"},
		{[]string{"admin"}, "missing arguments (usage: p2pnode admin METHOD [PARAMS...])"},
	} {
		_, _, err := runCmd(t, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v\nwant %q", tt.args, err, tt.want)
		}
	}
}

// Without -ipc a node opens its socket at the default path, where admin
// finds it without flags; a second node runs without one, and says so;
// -ipc naming the socket in use is an error that names the flag.
func TestDefaultIPC(t *testing.T) {
	path := defaultIPCPath()
	if !strings.HasPrefix(path, os.Getenv("XDG_RUNTIME_DIR")+"/") {
		t.Fatalf("default path %s", path)
	}
	stdout, _, stop := runInProcess(t, "-listen", "127.0.0.1:0", "-nodiscover")
	waitFor(t, stdout, "first node", `admin socket: `+regexpQuote(path)+`\n`)
	out, _, err := runCmd(t, "admin", "rpc_modules")
	if err != nil || !strings.Contains(out, `"admin": "1.0"`) {
		t.Fatalf("admin without -endpoint: %v %s", err, out)
	}

	stdout2, stderr2, stop2 := runInProcess(t, "-listen", "127.0.0.1:0", "-nodiscover")
	waitFor(t, stderr2, "second node", `level=WARN msg="Running without the admin socket" path=`+regexpQuote(path)+` err=".*another node has it`)
	waitFor(t, stdout2, "second node", `node record: +enr:\S+\n`)
	if strings.Contains(stdout2.String(), "admin socket:") {
		t.Fatalf("second node claims a socket:\n%s", stdout2)
	}
	if err := stop2(); err != nil {
		t.Fatal(err)
	}
	_, _, err = runCmd(t, "-listen", "127.0.0.1:0", "-nodiscover", "-ipc", path)
	if err == nil || !strings.Contains(err.Error(), "-ipc: "+path+": another node has it") {
		t.Fatalf("-ipc in use: %v", err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("default socket after stop: %v", err)
	}
}

// Errors in the settings of the HTTP server and the socket name the flag
// or config key.
func TestAPISettingErrors(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	file := writeTemp(t, "node.toml", "[http]\naddr = \"0.0.0.0:8545\"\n")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-http", "0.0.0.0:8545"}, "-http 0.0.0.0:8545 listens beyond this machine: it needs -http.token FILE"},
		{[]string{"-http", "[::]:8545"}, "-http [::]:8545 listens beyond this machine"},
		{[]string{"-http", "node.example.org:8545"}, "-http node.example.org:8545 listens beyond this machine"},
		{[]string{"-config", file}, "config file " + file + ":2: http.addr 0.0.0.0:8545 listens beyond this machine"},
		{[]string{"-http", "nonsense"}, `-http "nonsense": want HOST:PORT or PORT`},
		{[]string{"-http", "127.0.0.1:99999"}, `-http "127.0.0.1:99999": want HOST:PORT or PORT`},
		{[]string{"-http", taken.Addr().String()}, "-http: cannot listen: listen tcp " + taken.Addr().String()},
		{[]string{"-http", "0", "-http.token", "/nonexistent/dir/token"}, "-http.token: open /nonexistent/dir/token"},
		{[]string{"-http", "0", "-http.token", writeTemp(t, "short", "abc\n")}, "the token has 3 characters, want at least 16"},
		{[]string{"-http.hosts", "a b"}, `-http.hosts "a b": want host names`},
		{[]string{"-ipc", "/" + strings.Repeat("x", 110)}, "is too long for a Unix socket path (111 bytes, at most 103)"},
	} {
		_, _, err := runCmd(t, append([]string{"-listen", "127.0.0.1:0", "-nodiscover"}, tt.args...)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v\nwant %q", tt.args, err, tt.want)
		}
	}
}

func TestHTTPListenAddr(t *testing.T) {
	for _, tt := range []struct {
		in, addr string
		loopback bool
	}{
		{"8545", "127.0.0.1:8545", true},
		{":8545", "127.0.0.1:8545", true},
		{"127.0.0.1:0", "127.0.0.1:0", true},
		{"127.1.2.3:8545", "127.1.2.3:8545", true},
		{"localhost:8545", "localhost:8545", true},
		{"[::1]:8545", "[::1]:8545", true},
		{"0.0.0.0:8545", "0.0.0.0:8545", false},
		{"[::]:8545", "[::]:8545", false},
		{"192.0.2.1:8545", "192.0.2.1:8545", false},
		{"node.example.org:8545", "node.example.org:8545", false},
		{"a b:8545", "", false},
		{"127.0.0.1", "", false},
		{"127.0.0.1:x", "", false},
	} {
		addr, loopback, err := httpListenAddr(tt.in)
		if addr != tt.addr || loopback != tt.loopback || (err != nil) != (tt.addr == "") {
			t.Errorf("%q: %q %v %v, want %q %v", tt.in, addr, loopback, err, tt.addr, tt.loopback)
		}
	}
}

func TestSplitLine(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  peers  ", []string{"peers"}},
		{"addPeer enode://a@1.2.3.4:5", []string{"addPeer", "enode://a@1.2.3.4:5"}},
		{`m "a b" [1, 2] {"k": "v w"} x`, []string{"m", `"a b"`, "[1, 2]", `{"k": "v w"}`, "x"}},
		{"m\t1\ttrue", []string{"m", "1", "true"}},
	} {
		got, err := splitLine(tt.in)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.want) || len(got) != len(tt.want) {
			t.Errorf("%q: %q %v, want %q", tt.in, got, err, tt.want)
		}
	}
	for in, v := range map[string]any{"42": "raw", "true": "raw", `"s"`: "raw", "[1]": "raw", "enode://x": "enode://x", "peerEvents": "peerEvents"} {
		got := parseParam(in)
		if s, ok := got.(string); (v == "raw" && ok) || (v != "raw" && s != v) {
			t.Errorf("parseParam(%q) = %#v", in, got)
		}
	}
	for in, want := range map[string]string{"peers": "admin_peers", "stats": "p2p_stats", "diagnose": "p2p_diagnose",
		"addPeer": "admin_addPeer", "admin_peers": "admin_peers", "peerEvents": "admin_peerEvents", "bogus": "bogus"} {
		if got := resolveMethod(in); got != want {
			t.Errorf("resolveMethod(%q) = %q, want %q", in, got, want)
		}
	}
}

// limitListener holds connections beyond its limit until one closes.
func TestLimitListener(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newLimitListener(inner, 1)
	defer l.Close()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c1, c2 := dial(), dial()
	defer c1.Close()
	defer c2.Close()
	accepted := make(chan net.Conn, 2)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	first := <-accepted
	select {
	case <-accepted:
		t.Fatal("second connection accepted beyond the limit")
	case <-time.After(100 * time.Millisecond):
	}
	first.Close()
	first.Close() // twice releases once
	second := <-accepted
	second.Close()
	l.Close()
	for range accepted {
	}
}
