package dashboard

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// The paths the dashboard answers.
const (
	pathPage   = "/"
	pathState  = "/dashboard/state"
	pathEvents = "/dashboard/events"
)

// ServeHTTP answers GET and HEAD on the page, the state and the event
// stream; 405 for other methods, 404 for other paths.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var serve func(http.ResponseWriter, *http.Request)
	switch r.URL.Path {
	case pathPage:
		serve = d.servePage
	case pathState:
		serve = d.serveState
	case pathEvents:
		serve = d.serveEvents
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	serve(w, r)
}

func (d *Dashboard) servePage(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", d.csp)
	h.Set("X-Frame-Options", "DENY")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(page))
}

func (d *Dashboard) serveState(w http.ResponseWriter, r *http.Request) {
	data, err := json.Marshal(d.snapshot(true, time.Now()))
	if err != nil {
		http.Error(w, "cannot encode the state", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	http.ServeContent(w, r, "state.json", time.Time{}, bytes.NewReader(data))
}

func (d *Dashboard) serveEvents(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no") // for proxies that buffer
	if r.Method == http.MethodHead {
		return
	}
	select {
	case d.slots <- struct{}{}:
		defer func() { <-d.slots }()
	default:
		d.cfg.Logger.Debug("Dashboard event stream refused: too many", "remote", r.RemoteAddr, "max", d.cfg.MaxStreams)
		h.Set("Retry-After", "5")
		http.Error(w, "too many event streams", http.StatusServiceUnavailable)
		return
	}
	s := &stream{frames: make(chan []byte, streamBacklog)}
	if !d.addStream(s) {
		http.Error(w, "the dashboard is closed", http.StatusServiceUnavailable)
		return
	}
	defer d.removeStream(s)
	d.cfg.Logger.Debug("Dashboard event stream opened", "remote", r.RemoteAddr)

	rc := http.NewResponseController(w)
	write := func(frame []byte) error {
		err := rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		if err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		if _, err := w.Write(frame); err != nil {
			return err
		}
		return rc.Flush()
	}
	w.WriteHeader(http.StatusOK)
	first := append([]byte("retry: 2000\n\n"), sseFrame("state", d.snapshot(true, time.Now()))...)
	err := write(first)
	for err == nil {
		select {
		case <-r.Context().Done():
			err = r.Context().Err()
		case <-d.quit:
			err = errClosed
		case frame := <-s.frames:
			err = write(frame)
		}
	}
	d.cfg.Logger.Debug("Dashboard event stream closed", "remote", r.RemoteAddr, "err", err)
}

var errClosed = errors.New("dashboard closed")

// addStream registers s; false when the dashboard is closed.
func (d *Dashboard) addStream(s *stream) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	d.streams[s] = struct{}{}
	return true
}

func (d *Dashboard) removeStream(s *stream) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.streams, s)
}

// inlineBlock matches the page's inline scripts and style sheets.
var inlineBlock = regexp.MustCompile(`(?s)<(script|style)>(.*?)</(?:script|style)>`)

// contentSecurityPolicy allows the page only its own inline script and
// styles (by hash) and requests to its own origin.
func contentSecurityPolicy(html []byte) string {
	var scripts, styles []string
	for _, m := range inlineBlock.FindAllSubmatch(html, -1) {
		sum := sha256.Sum256(m[2])
		src := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if string(m[1]) == "script" {
			scripts = append(scripts, src)
		} else {
			styles = append(styles, src)
		}
	}
	return "default-src 'none'; script-src " + orNone(scripts) + "; style-src " + orNone(styles) +
		"; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

func orNone(srcs []string) string {
	if len(srcs) == 0 {
		return "'none'"
	}
	return strings.Join(srcs, " ")
}
