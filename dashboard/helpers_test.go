package dashboard_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/dashboard"
	"github.com/seednet/p2p/internal/testutil"
)

// waitTime bounds every wait of these tests.
const waitTime = 10 * time.Second

// chat is a protocol that sends a message at once and then every interval,
// and reads what the other side sends.
func chat(interval time.Duration) p2p.Protocol {
	return p2p.Protocol{
		Name: "chat", Version: 1, Length: 1,
		Run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
			errc := make(chan error, 1)
			go func() {
				for {
					msg, err := rw.ReadMsg()
					if err != nil {
						errc <- err
						return
					}
					msg.Discard()
				}
			}()
			tick := time.NewTicker(interval)
			defer tick.Stop()
			for {
				if err := p2p.SendItems(rw, 0, "hello"); err != nil {
					return err
				}
				select {
				case err := <-errc:
					return err
				case <-tick.C:
				}
			}
		},
	}
}

// startNode starts a server on loopback without discovery, running chat;
// the set functions change its settings first.
func startNode(t *testing.T, name string, set ...func(*p2p.Server)) *p2p.Server {
	t.Helper()
	srv := &p2p.Server{
		PrivateKey:  testutil.NewKey(t),
		Name:        name,
		MaxPeers:    10,
		ListenAddr:  "127.0.0.1:0",
		NoDiscovery: true,
		Protocols:   []p2p.Protocol{chat(200 * time.Millisecond)},
		Logger:      testutil.Logger(t),
	}
	for _, f := range set {
		f(srv)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	return srv
}

// connect makes a dial b and waits until each has the other as a peer.
func connect(t *testing.T, a, b *p2p.Server) {
	t.Helper()
	a.AddPeer(b.Self())
	waitFor(t, "the nodes to connect", func() bool { return hasPeer(a, b) && hasPeer(b, a) })
}

func hasPeer(srv, peer *p2p.Server) bool {
	for _, p := range srv.Peers() {
		if p.ID() == peer.Self().ID() {
			return true
		}
	}
	return false
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTime)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", waitTime, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// serve serves a dashboard of src on loopback until the test ends.
func serve(t *testing.T, src dashboard.Source, cfg dashboard.Config) (*dashboard.Dashboard, *httptest.Server) {
	t.Helper()
	d := dashboard.New(src, cfg)
	ts := httptest.NewServer(d)
	t.Cleanup(func() {
		d.Close()
		ts.Close()
	})
	return d, ts
}

func getState(t *testing.T, ts *httptest.Server) dashboard.State {
	t.Helper()
	res, err := ts.Client().Get(ts.URL + "/dashboard/state")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /dashboard/state: %s", res.Status)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var st dashboard.State
	if err := json.NewDecoder(io.LimitReader(res.Body, 16<<20)).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// frame is one server-sent event.
type frame struct {
	event string
	data  string
}

// sseStream reads an event stream.
type sseStream struct {
	res    *http.Response
	frames chan frame
	done   chan error // the reader's end
	cancel context.CancelFunc
}

// openStream opens the event stream; it fails the test unless the status
// is want. With 200 it returns the stream, which closes when the test
// ends.
func openStream(t *testing.T, ts *httptest.Server, want int) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/dashboard/events", nil)
	res, err := ts.Client().Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if res.StatusCode != want {
		res.Body.Close()
		cancel()
		t.Fatalf("GET /dashboard/events: %s, want %d", res.Status, want)
	}
	if want != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(res.Body, 1<<10))
		res.Body.Close()
		cancel()
		return nil
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	s := &sseStream{res: res, frames: make(chan frame, 64), done: make(chan error, 1), cancel: cancel}
	go s.read()
	t.Cleanup(s.close)
	return s
}

func (s *sseStream) read() {
	defer close(s.frames)
	r := bufio.NewReaderSize(s.res.Body, 64<<10)
	var f frame
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			s.done <- err
			return
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if f.event != "" || f.data != "" {
				select {
				case s.frames <- f:
				default: // the test does not read; drop
				}
			}
			f = frame{}
		case strings.HasPrefix(line, "event: "):
			f.event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			f.data += strings.TrimPrefix(line, "data: ")
		}
	}
}

func (s *sseStream) close() {
	s.cancel()
	s.res.Body.Close()
	for range s.frames {
	}
}

// next returns the next frame of the given event type, skipping others.
func (s *sseStream) next(t *testing.T, event string) frame {
	t.Helper()
	timeout := time.After(waitTime)
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				t.Fatalf("stream ended waiting for a %q event", event)
			}
			if f.event == event {
				return f
			}
		case <-timeout:
			t.Fatalf("no %q event in %v", event, waitTime)
		}
	}
}

// ended waits until the server ends the stream.
func (s *sseStream) ended(t *testing.T) {
	t.Helper()
	for {
		select {
		case _, ok := <-s.frames:
			if !ok {
				err := <-s.done
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Logf("stream ended with %v", err)
				}
				return
			}
		case <-time.After(waitTime):
			t.Fatalf("the stream did not end in %v", waitTime)
		}
	}
}

func decode[T any](t *testing.T, f frame) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(f.data), &v); err != nil {
		t.Fatalf("%s event: %v", f.event, err)
	}
	return v
}
