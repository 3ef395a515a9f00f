package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/admin"
	"github.com/seednet/p2p/dashboard"
	"github.com/seednet/p2p/metrics"
)

// What the node's HTTP server (-http) allows. The dashboard's event
// streams are long requests: there is no WriteTimeout, and the dashboard
// bounds its streams and their writes itself.
const (
	httpReadHeaderTimeout = 5 * time.Second
	httpReadTimeout       = 30 * time.Second // the whole request; admin.Config.BodyTimeout bounds a body sooner
	httpIdleTimeout       = 2 * time.Minute
	httpMaxHeaderBytes    = 64 << 10
	httpMaxConns          = 128 // at once; more wait in the kernel's backlog
	httpShutdownTimeout   = 3 * time.Second
)

// ipcDefaultDoc describes defaultIPCPath in help texts.
const ipcDefaultDoc = "$XDG_RUNTIME_DIR/p2pnode.ipc, or p2pnode-UID/p2pnode.ipc in the temporary directory " +
	"(without a socket when another node has it)"

// defaultIPCPath returns the default -ipc path, which 'p2pnode admin',
// attach and diagnose also try by default: in the user's runtime
// directory, else in a directory of the user's in the temporary
// directory.
func defaultIPCPath() string {
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		return filepath.Join(dir, "p2pnode.ipc")
	}
	return filepath.Join(os.TempDir(), "p2pnode-"+strconv.Itoa(os.Getuid()), "p2pnode.ipc")
}

// apiConfig is the checked configuration of the node's HTTP server and
// admin socket.
type apiConfig struct {
	httpAddr   string // TCP address to listen on; "" for no HTTP server
	tokenFile  string // -http.token
	hosts      []string
	ipcPath    string // "" for no socket
	ipcDefault bool   // ipcPath is the default one: if it cannot be had, run without
}

// newAPIConfig checks the settings of the HTTP server and the socket.
func newAPIConfig(cfg *nodeConfig, o *origins) (apiConfig, error) {
	ac := apiConfig{tokenFile: cfg.HTTPToken, hosts: cfg.HTTPHosts}
	if cfg.HTTP != "" {
		addr, loopback, err := httpListenAddr(cfg.HTTP)
		if err != nil {
			return ac, o.errorf("http", "%q: want HOST:PORT or PORT, such as 127.0.0.1:8545", cfg.HTTP)
		}
		if !loopback && cfg.HTTPToken == "" {
			return ac, o.errorf("http", "%s listens beyond this machine: it needs -http.token FILE (created if missing), "+
				"so that requests must carry the token", addr)
		}
		ac.httpAddr = addr
	}
	for _, h := range cfg.HTTPHosts {
		if h != "*" && (net.ParseIP(h) != nil || !validHostName(h)) {
			return ac, o.errorf("http.hosts", "%q: want host names, such as node.example.org, or *", h)
		}
	}
	switch cfg.IPC {
	case "none":
	case "":
		ac.ipcPath, ac.ipcDefault = defaultIPCPath(), true
	default:
		ac.ipcPath = cfg.IPC
		if len(ac.ipcPath) > 103 {
			return ac, o.errorf("ipc", "%q is too long for a Unix socket path (%d bytes, at most 103)", cfg.IPC, len(cfg.IPC))
		}
	}
	return ac, nil
}

// httpListenAddr returns the address -http listens on, and whether it
// is on loopback only. A bare PORT, or HOST:PORT without HOST, is on
// 127.0.0.1.
func httpListenAddr(s string) (addr string, loopback bool, err error) {
	host, port := "", s
	if _, err := strconv.ParseUint(s, 10, 16); err != nil {
		if host, port, err = net.SplitHostPort(s); err != nil {
			return "", false, err
		}
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", false, err
	}
	switch ip := net.ParseIP(host); {
	case host == "":
		host, loopback = "127.0.0.1", true
	case host == "localhost":
		loopback = true
	case ip != nil:
		loopback = ip.IsLoopback()
	case !validHostName(host):
		return "", false, errors.New("bad host")
	}
	return net.JoinHostPort(host, port), loopback, nil
}

func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, c := range h {
		if !(c == '-' || c == '.' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// nodeAPI is the node's HTTP server (admin API, dashboard, metrics) and
// admin socket. openAPI opens their listeners before the node starts, so
// that a taken address fails before anything runs; serve serves them
// once it runs; close stops them.
type nodeAPI struct {
	log     *slog.Logger
	cfg     admin.Config
	httpLn  net.Listener // nil without -http
	ipcLn   net.Listener // nil without a socket
	ipcPath string

	hs   *http.Server
	dash *dashboard.Dashboard
	ipc  *admin.Server
	wg   sync.WaitGroup // the Serve goroutines
}

// openAPI reads the token and opens the listeners of ac.
func openAPI(ac *apiConfig, o *origins, log *slog.Logger) (*nodeAPI, error) {
	a := &nodeAPI{log: log, cfg: admin.Config{Hosts: ac.hosts, Logger: log}}
	if ac.httpAddr != "" {
		if ac.tokenFile != "" {
			token, created, err := admin.LoadOrCreateTokenFile(ac.tokenFile)
			if err != nil {
				return nil, o.errorf("http.token", ": %v", err)
			}
			if created {
				log.Info("Wrote a new HTTP token", "file", ac.tokenFile)
			}
			a.cfg.Token = token
		}
		ln, err := net.Listen("tcp", ac.httpAddr)
		if err != nil {
			return nil, o.errorf("http", ": cannot listen: %v", err)
		}
		a.httpLn = newLimitListener(ln, httpMaxConns)
	}
	if ac.ipcPath != "" {
		ln, err := listenIPC(ac)
		switch {
		case err != nil && ac.ipcDefault:
			log.Warn("Running without the admin socket", "path", ac.ipcPath, "err", err)
		case err != nil:
			a.close()
			return nil, o.errorf("ipc", ": %v", err)
		default:
			a.ipcLn, a.ipcPath = ln, ac.ipcPath
		}
	}
	return a, nil
}

// listenIPC opens the admin socket. The directory of the default path in
// the temporary directory must be the user's alone.
func listenIPC(ac *apiConfig) (net.Listener, error) {
	if ac.ipcDefault && os.Getenv("XDG_RUNTIME_DIR") == "" {
		dir := filepath.Dir(ac.ipcPath)
		if fi, err := os.Lstat(dir); err == nil && (!fi.IsDir() || fi.Mode().Perm()&0o077 != 0) {
			return nil, fmt.Errorf("%s is not a directory of mode 0700", dir)
		}
	}
	ln, err := admin.ListenUnix(ac.ipcPath)
	if errors.Is(err, admin.ErrSocketInUse) {
		return nil, fmt.Errorf("%s: another node has it; give -ipc another PATH (or -ipc none)", ac.ipcPath)
	}
	return ln, err
}

// serve serves the API of srv, and the metrics of reg, on the listeners,
// and writes their addresses to w.
func (a *nodeAPI) serve(srv *p2p.Server, reg *metrics.Registry, e *env) {
	if a.httpLn != nil {
		a.dash = dashboard.New(srv, dashboard.Config{Logger: a.log})
		mux := http.NewServeMux()
		mux.Handle("POST /{$}", admin.NewHandler(srv, a.cfg))
		mux.Handle("GET /metrics", reg)
		mux.Handle("GET /", a.dash)
		mux.Handle("/", http.NotFoundHandler()) // other methods: POST /x, PUT /
		a.hs = &http.Server{
			Handler:           admin.Protect(a.cfg, mux),
			ReadHeaderTimeout: httpReadHeaderTimeout,
			ReadTimeout:       httpReadTimeout,
			IdleTimeout:       httpIdleTimeout,
			MaxHeaderBytes:    httpMaxHeaderBytes,
			ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelDebug),
		}
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			if err := a.hs.Serve(a.httpLn); !errors.Is(err, http.ErrServerClosed) {
				a.log.Error("HTTP server failed", "err", err)
			}
		}()
		fmt.Fprintln(e.stdout, "HTTP:        ", "http://"+a.httpLn.Addr().String()+"/", "(admin API: POST /, dashboard: /, metrics: /metrics)")
	}
	if a.ipcLn != nil {
		a.ipc = admin.NewServer(srv, a.cfg)
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			if err := a.ipc.Serve(a.ipcLn); !errors.Is(err, admin.ErrServerClosed) {
				a.log.Error("Admin socket failed", "err", err)
			}
		}()
		fmt.Fprintln(e.stdout, "admin socket:", a.ipcPath)
	}
}

// close stops the servers and closes the listeners.
func (a *nodeAPI) close() {
	if a.dash != nil {
		a.dash.Close() // ends the event streams, which Shutdown would wait for
	}
	if a.hs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), httpShutdownTimeout)
		if a.hs.Shutdown(ctx) != nil {
			a.hs.Close()
		}
		cancel()
	} else if a.httpLn != nil {
		a.httpLn.Close()
	}
	if a.ipc != nil {
		a.ipc.Close()
	} else if a.ipcLn != nil {
		a.ipcLn.Close()
	}
	a.wg.Wait()
}

// limitListener accepts at most n connections at once.
type limitListener struct {
	net.Listener
	sem  chan struct{}
	done chan struct{}
	once sync.Once
}

func newLimitListener(l net.Listener, n int) *limitListener {
	return &limitListener{Listener: l, sem: make(chan struct{}, n), done: make(chan struct{})}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}
