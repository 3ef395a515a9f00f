package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/dnsdisc"
	"github.com/seednet/p2p/dnsdisc/dnstest"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/internal/testutil"
)

// syncBuffer is a buffer that a command writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until re matches what buf holds, and returns the match's
// submatches.
func waitFor(t *testing.T, buf *syncBuffer, what string, re string) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := rx.FindStringSubmatch(buf.String()); m != nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no %q in 20 s; output:\n%s", what, re, buf.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// proc is p2pnode running as a subprocess.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
}

func startProc(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: p2pnode(t, args...), stdout: new(syncBuffer), stderr: new(syncBuffer)}
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("p2pnode %q\nstdout:\n%s\nstderr:\n%s", args, p.stdout, p.stderr)
		}
	})
	return p
}

// interrupt sends SIGINT and returns the exit status.
func (p *proc) interrupt(t *testing.T) int {
	t.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := p.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// Two nodes run as programs: the first prints its identity, the second
// connects to it through -bootnodes (its enr:), both log status lines, and
// SIGINT stops them with a summary and exit status 0.
func TestRunNodes(t *testing.T) {
	dir := t.TempDir()
	keyfile := filepath.Join(dir, "a.key")
	a := startProc(t, "-listen", "127.0.0.1:0", "-nodekey", keyfile, "-status.interval", "500ms")
	m := waitFor(t, a.stdout, "first node", `node ID: +([0-9a-f]{64})\nenode URL: +(enode://\S+)\nnode record: +(enr:\S+)\n`)
	id, url, rec := m[1], m[2], m[3]
	waitFor(t, a.stderr, "first node", `msg="wrote a new node key to `+regexp.QuoteMeta(keyfile))
	key, err := crypto.LoadECDSA(keyfile)
	if err != nil {
		t.Fatal(err)
	}
	if want := enode.PubkeyToIDV4(&key.PublicKey).String(); id != want {
		t.Fatalf("printed ID %s, the key file's is %s", id, want)
	}
	n1, err1 := enode.ParseV4(url)
	n2, err2 := enode.Parse(enode.ValidSchemes, rec)
	if err1 != nil || err2 != nil || n1.ID().String() != id || n2.ID().String() != id || n2.TCP() == 0 || n2.UDP() != n2.TCP() {
		t.Fatalf("enode URL %s (%v), record %s (%v)", url, err1, rec, err2)
	}

	b := startProc(t, "run", "-listen", "127.0.0.1:0", "-bootnodes", rec, "-status.interval", "500ms", "-log.format", "json")
	waitFor(t, b.stderr, "second node", `"msg":"Status","peers":1,"in":0,"out":1,"dialsOK":1,`)
	waitFor(t, a.stderr, "first node", `msg=Status peers=1 in=1 out=0 `)

	if code := b.interrupt(t); code != 0 {
		t.Fatalf("second node exited with %d", code)
	}
	for _, want := range []string{`"msg":"Stopping","reason":"interrupt signal received"`, `"msg":"Stopped","peersDisconnected":1,`} {
		if !strings.Contains(b.stderr.String(), want) {
			t.Errorf("second node: no %s in\n%s", want, b.stderr)
		}
	}
	if code := a.interrupt(t); code != 0 {
		t.Fatalf("first node exited with %d", code)
	}
	if !strings.Contains(a.stderr.String(), "msg=Stopped ") || !strings.Contains(a.stderr.String(), " peersAdded=1 ") {
		t.Errorf("first node: no summary in\n%s", a.stderr)
	}
}

// startServer starts a p2p.Server on loopback for a test.
func startServer(t *testing.T, srv *p2p.Server) *p2p.Server {
	t.Helper()
	if srv.PrivateKey == nil {
		srv.PrivateKey = testutil.NewKey(t)
	}
	if srv.MaxPeers == 0 {
		srv.MaxPeers = 10
	}
	if srv.ListenAddr == "" {
		srv.ListenAddr = "127.0.0.1:0"
	}
	if srv.Logger == nil {
		srv.Logger = testutil.Logger(t)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	return srv
}

// runInProcess runs p2pnode's run function in a goroutine until the test
// calls the returned stop function, which returns run's error.
func runInProcess(t *testing.T, args ...string) (stdout, stderr *syncBuffer, stop func() error) {
	t.Helper()
	stdout, stderr = new(syncBuffer), new(syncBuffer)
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, args, stdout, stderr) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			err = <-errc
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stdout, stderr, stop
}

// A node finds its peer in a DNS list (served by NSD on loopback, asked
// through -resolver) with discovery off; -nat extip puts the address in
// its record.
func TestRunDNSAndNAT(t *testing.T) {
	peer := startServer(t, &p2p.Server{NoDiscovery: true})
	tree, err := dnsdisc.MakeTree(1, []*enode.Node{peer.Self()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	url, err := tree.Sign(testutil.NewKey(t), "nodes.example.org")
	if err != nil {
		t.Fatal(err)
	}
	var zone bytes.Buffer
	if err := dnsdisc.WriteZoneFile(&zone, "example.org", tree.ToTXT("nodes.example.org"), dnsdisc.ZoneConfig{Serial: 1}); err != nil {
		t.Fatal(err)
	}
	nsd := dnstest.StartNSD(t, map[string]string{"example.org": zone.String()})

	stdout, stderr, stop := runInProcess(t, "-listen", "127.0.0.1:0", "-nodiscover", "-dns", url,
		"-resolver", nsd.Addr.String(), "-nat", "extip:192.0.2.7", "-status.interval", "100ms")
	waitFor(t, stdout, "node", `enode URL: +enode://[0-9a-f]+@192\.0\.2\.7:\d+`)
	waitFor(t, stderr, "node", `msg="Node running" listen=127.0.0.1:\d+ discovery=off bootnodes=0 static=0 dns=1 nat=extip:192.0.2.7`)
	waitFor(t, stderr, "node", `msg=Status peers=1 in=0 out=1 dialsOK=1 `)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, stderr, "node", `msg=Stopped peersDisconnected=1 natMappingsRemoved=0 `)
}

// The listen address taken: the error names -listen.
func TestRunStartError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, _, err = runCmd(t, "-listen", ln.Addr().String(), "-nodiscover")
	if err == nil || !strings.Contains(err.Error(), "cannot start the node: cannot listen on -listen") || strings.Contains(err.Error(), "Server.") {
		t.Fatalf("error: %v", err)
	}
}

// With discovery v4 off, the node finds its peer over v5 from
// -bootnodesv5.
func TestRunDiscoveryV5Only(t *testing.T) {
	peer := startServer(t, &p2p.Server{NoDiscoveryV4: true})
	_, stderr, stop := runInProcess(t, "-listen", "127.0.0.1:0", "-discovery.v4=false", "-bootnodesv5", peer.Self().String(),
		"-status.interval", "100ms")
	waitFor(t, stderr, "node", `msg="Node running" listen=127.0.0.1:\d+ discovery=v5 bootnodes=0 bootnodesv5=1 `)
	waitFor(t, stderr, "node", `msg=Status peers=1 in=0 out=1 dialsOK=1 `)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
