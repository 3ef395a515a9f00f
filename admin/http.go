package admin

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/seednet/p2p"
)

// NewHandler returns the admin API of srv over HTTP: JSON-RPC requests,
// single or batch, as the bodies of POST requests with Content-Type
// application/json, answered with status 200 and the response (or no
// body when the request held only notifications). It makes the checks of
// Protect first. Errors before the JSON-RPC layer have their HTTP status
// and a JSON-RPC error as body: 405 for another method than POST, 415
// for another content type, 413 for a body over cfg.MaxRequestBytes, 408
// for one not sent within cfg.BodyTimeout.
//
// The handler starts no goroutine and holds nothing: drop it when done.
func NewHandler(srv *p2p.Server, cfg Config) http.Handler {
	a := newAPI(srv, cfg)
	return Protect(a.cfg, &httpHandler{api: a})
}

type httpHandler struct{ api *api }

func (h *httpHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeHTTPError(w, http.StatusMethodNotAllowed, errorf(CodeInvalidRequest, "the admin API takes JSON-RPC requests as POST, not %s", r.Method))
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeHTTPError(w, http.StatusUnsupportedMediaType, errorf(CodeInvalidRequest, "Content-Type must be application/json"))
		return
	}
	cfg := &h.api.cfg
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(cfg.BodyTimeout)) // an error means the server cannot; its own timeouts apply
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, cfg.MaxRequestBytes))
	if err != nil {
		// The deadline stays: the server discards the rest of the body
		// after the handler, and must not wait for it.
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			writeHTTPError(w, http.StatusRequestEntityTooLarge, errorf(CodeInvalidRequest, "request body too large: the limit is %d bytes", cfg.MaxRequestBytes))
		case errors.Is(err, os.ErrDeadlineExceeded):
			writeHTTPError(w, http.StatusRequestTimeout, errorf(CodeInvalidRequest, "request body not received within %v", cfg.BodyTimeout))
		default:
			writeHTTPError(w, http.StatusBadRequest, errorf(CodeInvalidRequest, "cannot read the request body: %v", err))
		}
		return
	}
	rc.SetReadDeadline(time.Time{}) // the server's background read must not time out
	x := &exchange{ctx: r.Context(), api: h.api}
	resp := x.handleMessage(body)
	w.Header().Set("Content-Type", "application/json")
	if resp != nil {
		w.Write(append(resp, '\n'))
	}
}

// writeHTTPError answers with status and a JSON-RPC error as body.
func writeHTTPError(w http.ResponseWriter, status int, e *Error) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(errorResponse(nil, e), '\n'))
}

// Protect returns a handler that passes a request to next once it has
// made the checks of the admin API's HTTP handler, so that handlers
// mounted next to it (metrics, a dashboard) are behind the same ones:
//
//   - the Host header names an IP address, localhost, or one of
//     cfg.Hosts; otherwise 403;
//   - when cfg.Token is set, the request carries it (see Config.Token);
//     otherwise 401, with a WWW-Authenticate header that makes a browser
//     prompt for it (as the password);
//   - the body is bounded by cfg.MaxRequestBytes: reading more fails
//     with an *http.MaxBytesError.
func Protect(cfg Config, next http.Handler) http.Handler {
	cfg = cfg.withDefaults()
	g := &guard{next: next, maxBody: cfg.MaxRequestBytes}
	for _, h := range cfg.Hosts {
		if h == "*" {
			g.anyHost = true
		}
		g.hosts = append(g.hosts, strings.TrimSuffix(strings.ToLower(h), "."))
	}
	if cfg.Token != "" {
		g.hasToken = true
		g.tokenHash = sha256.Sum256([]byte(cfg.Token))
	}
	return g
}

type guard struct {
	next      http.Handler
	hosts     []string // lower case, without a final dot
	anyHost   bool
	hasToken  bool
	tokenHash [sha256.Size]byte // compared with the hash of the token offered, in constant time
	maxBody   int64
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !g.hostAllowed(r.Host) {
		writeHTTPError(w, http.StatusForbidden, errorf(CodeInvalidRequest, "host %s is not allowed", printable(r.Host)))
		return
	}
	if g.hasToken && !g.authorized(r) {
		w.Header().Add("WWW-Authenticate", `Basic realm="p2p admin", charset="UTF-8"`)
		w.Header().Add("WWW-Authenticate", `Bearer realm="p2p admin"`)
		writeHTTPError(w, http.StatusUnauthorized, errorf(CodeInvalidRequest, "missing or wrong token: send Authorization: Bearer TOKEN"))
		return
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, g.maxBody)
	}
	g.next.ServeHTTP(w, r)
}

// hostAllowed reports whether a request with Host header host is
// accepted.
func (g *guard) hostAllowed(host string) bool {
	if g.anyHost || host == "" { // no Host: HTTP/1.0, never a browser
		return true
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), ".")
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	host = strings.ToLower(host)
	if host == "localhost" {
		return true
	}
	for _, h := range g.hosts {
		if h == host {
			return true
		}
	}
	return false
}

// authorized reports whether r carries the token.
func (g *guard) authorized(r *http.Request) bool {
	var token string
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		token = strings.TrimSpace(cred)
	case strings.EqualFold(scheme, "Basic"):
		_, password, ok := r.BasicAuth()
		if !ok {
			return false
		}
		token = password
	default:
		return false
	}
	h := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(h[:], g.tokenHash[:]) == 1
}
