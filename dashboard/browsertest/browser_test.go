package browsertest

import (
	"context"
	"crypto/rand"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.uber.org/goleak"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/dashboard"
	"github.com/seednet/p2p/enode"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// browserTimeout bounds the whole browser session; every wait in it ends
// earlier or fails the test.
const browserTimeout = 40 * time.Second

// chromium returns the path of the browser, or "" when there is none.
func chromium() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// talk is a protocol that sends a message every interval, of a random
// size up to maxSize bytes, and reads what the other side sends.
func talk(name string, interval time.Duration, maxSize int) p2p.Protocol {
	return p2p.Protocol{
		Name: name, Version: 1, Length: 1,
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
			var n [2]byte
			for {
				rand.Read(n[:])
				payload := make([]byte, 1+(int(n[0])<<8|int(n[1]))%maxSize)
				if err := p2p.SendItems(rw, 0, payload); err != nil {
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

// startNodes starts three servers on loopback that peer with each other,
// with discovery on (the first is the others' boot node).
func startNodes(t *testing.T) []*p2p.Server {
	var servers []*p2p.Server
	for i, name := range []string{"alpha", "bravo", "charlie"} {
		key, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		srv := &p2p.Server{
			PrivateKey: key, Name: name + "/v1.0.0/linux-amd64/go1.26", MaxPeers: 10,
			ListenAddr: "127.0.0.1:0",
			Protocols: []p2p.Protocol{
				talk("chat", 300*time.Millisecond, 200),
				talk("blocks", 700*time.Millisecond, 6000),
			},
		}
		if i > 0 {
			srv.BootstrapNodes = []*enode.Node{servers[0].Self()}
		}
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Stop() })
		servers = append(servers, srv)
	}
	// A triangle: alpha dials bravo and charlie, bravo dials charlie.
	servers[0].AddPeer(servers[1].Self())
	servers[0].AddPeer(servers[2].Self())
	servers[1].AddPeer(servers[2].Self())
	return servers
}

// startLone starts a server without peers or discovery.
func startLone(t *testing.T) *p2p.Server {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	srv := &p2p.Server{PrivateKey: key, Name: "lone", MaxPeers: 10, ListenAddr: "127.0.0.1:0", NoDiscovery: true}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	return srv
}

func TestDashboardInChromium(t *testing.T) {
	browser := chromium()
	if browser == "" {
		t.Skip("chromium is not installed (scripts/deps.sh installs Debian's chromium package)")
	}
	servers := startNodes(t)
	d := dashboard.New(dashboard.NewNetwork(servers...), dashboard.Config{Title: "Three nodes on loopback"})
	web := httptest.NewServer(d) // on 127.0.0.1
	defer web.Close()
	defer d.Close() // ends the page's event stream before web.Close waits for it

	before := browserProcesses(t) // another program's browsers, if any
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests may run as root
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	defer cancelBrowser()
	ctx, cancelTimeout := context.WithTimeout(ctx, browserTimeout)
	defer cancelTimeout()

	// The page is up when the first node's table lists its two peers, the
	// graph has drawn three nodes and three connections, the chart has a
	// line per protocol, the event stream is live and the discovery table
	// has the other two nodes.
	steps := []struct{ what, js string }{
		{"the peers in the table", `document.querySelectorAll('#peers tbody tr[data-peer]').length === 2`},
		{"the graph", `document.querySelectorAll('#graph circle').length === 3 && document.querySelectorAll('#graph line').length === 3`},
		{"traffic in the chart", `document.querySelectorAll('#chart-in polyline').length === 3`},
		{"the live stream", `document.getElementById('status').textContent === 'live'`},
		{"the discovery table", `document.querySelectorAll('#discovery tbody tr').length >= 2`},
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(web.URL+"/")); err != nil {
		t.Fatal(err)
	}
	for _, step := range steps {
		start := time.Now()
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](step.js,
			chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(100*time.Millisecond)))
		if err != nil {
			t.Fatalf("waiting for %s: %v", step.what, err)
		}
		t.Logf("%s after %v", step.what, time.Since(start).Round(time.Millisecond))
	}
	peerNames := evaluate[[]string](ctx, t, `[...document.querySelectorAll('#peers tbody tr[data-peer] td:first-child')].map(td => td.firstChild.textContent)`)
	circles := evaluate[int](ctx, t, `document.querySelectorAll('#graph circle').length`)
	lines := evaluate[int](ctx, t, `document.querySelectorAll('#graph line').length`)
	protocols := evaluate[[]string](ctx, t, `[...document.querySelectorAll('#traffic-legend li[data-proto]')].map(li => li.dataset.proto)`)
	tableRows := evaluate[int](ctx, t, `document.querySelectorAll('#discovery tbody tr').length`)
	status := evaluate[string](ctx, t, `document.getElementById('status').textContent`)
	t.Logf("peers %v, graph %d circles and %d lines, protocols %v, %d discovery rows, status %q",
		peerNames, circles, lines, protocols, tableRows, status)
	if strings.Join(peerNames, ",") != "bravo/v1.0.0/linux-amd64/go1.26,charlie/v1.0.0/linux-amd64/go1.26" {
		t.Errorf("peer names %q", peerNames)
	}
	if strings.Join(protocols, ",") != "blocks,chat,p2p" {
		t.Errorf("protocols in the chart %q", protocols)
	}

	// A few more seconds of traffic for the picture, when it is kept.
	update := os.Getenv("UPDATE_SCREENSHOT") == "1"
	if update {
		if err := chromedp.Do(ctx, chromedp.Sleep(12*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	screenshot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.ArtifactDir(), "dashboard.png")
	if err := os.WriteFile(out, screenshot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", out, len(screenshot))
	if update {
		if err := os.WriteFile("../../docs/dashboard.png", screenshot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("docs/dashboard.png updated")
	}

	// A node alone: the page says there are no peers and draws the node.
	lone := startLone(t)
	dl := dashboard.New(lone, dashboard.Config{})
	webLone := httptest.NewServer(dl)
	defer webLone.Close()
	defer dl.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(webLone.URL+"/")); err != nil {
		t.Fatal(err)
	}
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('status').textContent === 'live' &&
		document.querySelector('#peers tbody td.empty') !== null &&
		document.querySelectorAll('#graph circle').length === 1 && document.querySelectorAll('#graph line').length === 0`,
		chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(100*time.Millisecond)))
	if err != nil {
		t.Fatalf("waiting for the page of a node without peers: %v", err)
	}
	if got := evaluate[string](ctx, t, `document.querySelector('#peers tbody td.empty').textContent`); got != "No peers connected." {
		t.Errorf("empty peer table says %q", got)
	}
	if got := evaluate[string](ctx, t, `document.getElementById('discovery').textContent`); got != "Discovery is off." {
		t.Errorf("discovery panel says %q", got)
	}
	lonePNG, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), "dashboard-lone.png"), lonePNG, 0o644); err != nil {
		t.Fatal(err)
	}

	// Close the browser and check that none of its processes is left:
	// neither those of its profile nor its crash handler (which names no
	// profile and is reparented to init).
	running := len(newProcesses(t, before))
	closing := time.Now()
	if err := chromedp.Cancel(ctx); err != nil {
		t.Errorf("closing the browser: %v", err)
	}
	cancelAlloc()
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := newProcesses(t, before)
		if len(left) == 0 {
			t.Logf("%d Chromium processes ran; all gone %v after closing", running, time.Since(closing).Round(time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromium processes left after the test: %s", strings.Join(left, "; "))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// browserProcesses returns the running processes of Chromium (zombies
// waiting for init to reap them aside), by pid.
func browserProcesses(t *testing.T) map[string]string {
	t.Helper()
	out, err := exec.Command("ps", "-eo", "pid=,stat=,comm=").Output()
	if err != nil {
		t.Fatalf("ps: %v", err)
	}
	procs := make(map[string]string)
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) < 3 || strings.HasPrefix(f[1], "Z") || !strings.HasPrefix(f[2], "chrom") {
			continue
		}
		procs[f[0]] = f[2]
	}
	return procs
}

// newProcesses lists the Chromium processes running now that were not in
// before.
func newProcesses(t *testing.T, before map[string]string) []string {
	var left []string
	for pid, name := range browserProcesses(t) {
		if _, ok := before[pid]; !ok {
			left = append(left, pid+" "+name)
		}
	}
	return left
}

// evaluate returns the value of a JavaScript expression on the page.
func evaluate[T any](ctx context.Context, t *testing.T, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}
