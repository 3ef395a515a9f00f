package main

import (
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/internal/testutil"
)

// silentNode returns a node whose UDP port never answers.
func silentNode(t *testing.T) *enode.Node {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	port := conn.LocalAddr().(*net.UDPAddr).Port
	return enode.NewV4(&testutil.NewKey(t).PublicKey, net.IP{127, 0, 0, 1}, port, port)
}

// match fails the test unless out matches re.
func match(t *testing.T, what, out, re string) {
	t.Helper()
	if !regexp.MustCompile(re).MatchString(out) {
		t.Errorf("%s: output does not match %q:\n%s", what, re, out)
	}
}

func TestDiscv4Commands(t *testing.T) {
	srv := startServer(t, &p2p.Server{})
	self := srv.Self()
	id := self.ID().String()

	out, _, err := runCmd(t, "discv4", "ping", self.String(), "-listen", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	match(t, "ping", out, `^pong from `+id+` in \S+\nnode record: enr:\S+\n$`)

	// Resolve the enode URL: the record comes back.
	out, _, err = runCmd(t, "discv4", "resolve", self.URLv4(), "-listen", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	match(t, "resolve", out, fmt.Sprintf(`^node record \(seq %d\): %s\nudp endpoint: %s\ntcp endpoint: %s\n$`,
		self.Seq(), regexp.QuoteMeta(self.String()), regexp.QuoteMeta(udpEndpoint(self)), regexp.QuoteMeta(tcpEndpoint(self))))

	silent := silentNode(t).URLv4()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"discv4", "ping", silent, "-listen", "127.0.0.1:0", "-timeout", "300ms"}, "no answer within 300ms"},
		{[]string{"discv4", "resolve", silent, "-listen", "127.0.0.1:0", "-timeout", "300ms"}, "no answer within 300ms"},
		{[]string{"discv4", "ping", "enode://nonsense"}, "NODE \"enode://nonsense\""},
		{[]string{"discv4", "ping", self.String(), "-timeout", "0s"}, "-timeout must be positive"},
		{[]string{"discv4", "ping", self.String(), "-listen", "nonsense"}, "-listen: "},
		{[]string{"discv4", "ping", self.String(), "-nodekey", "/nonexistent/key"}, "-nodekey: "},
		{[]string{"discv4", "crawl", t.TempDir() + "/nodes.json"}, "-bootnodes is empty"},
	} {
		if _, _, err := runCmd(t, tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.args, err, tt.want)
		}
	}
}

func udpEndpoint(n *enode.Node) string {
	ep, _ := n.UDPEndpoint()
	return ep.String()
}

func tcpEndpoint(n *enode.Node) string {
	ep, _ := n.TCPEndpoint()
	return ep.String()
}

func TestDiscv5Commands(t *testing.T) {
	srv := startServer(t, &p2p.Server{})
	self := srv.Self()
	id := self.ID().String()
	srv.DiscoveryV5().RegisterTalkHandler("echo", func(_ *enode.Node, _ *net.UDPAddr, msg []byte) []byte {
		return append([]byte("re:"), msg...)
	})

	out, _, err := runCmd(t, "discv5", "ping", self.String(), "-listen", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	match(t, "ping", out, fmt.Sprintf(`^pong from %s in \S+\nits record's seq: %d\nit sees us at: 127\.0\.0\.1:\d+\n$`, id, self.Seq()))

	out, _, err = runCmd(t, "discv5", "resolve", self.URLv4(), "-listen", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	match(t, "resolve", out, fmt.Sprintf(`^node record \(seq %d\): %s\n`, self.Seq(), regexp.QuoteMeta(self.String())))

	out, _, err = runCmd(t, "discv5", "talk", self.String(), "echo", "0x0102ff", "-listen", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	match(t, "talk", out, `^TALKRESP from `+id+` in \S+, 6 bytes: 72653a0102ff\n$`)
	out, _, err = runCmd(t, "discv5", "talk", self.String(), "nosuchproto", "", "-listen", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	match(t, "talk of an unknown protocol", out, `^empty TALKRESP from `+id+` in \S+: it does not know protocol "nosuchproto"\n$`)

	silent := silentNode(t).URLv4()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"discv5", "ping", silent, "-listen", "127.0.0.1:0", "-timeout", "300ms"}, "no answer within 300ms"},
		{[]string{"discv5", "talk", silent, "echo", "01", "-listen", "127.0.0.1:0", "-timeout", "300ms"}, "no answer within 300ms"},
		{[]string{"discv5", "talk", self.String(), "echo", "xyz"}, "MESSAGE-HEX \"xyz\" is not hex"},
		{[]string{"discv5", "lookup"}, "-bootnodes is empty"},
		{[]string{"discv5", "lookup", "nonsense", "-bootnodes", self.String()}, "TARGET \"nonsense\" is neither"},
	} {
		if _, _, err := runCmd(t, tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.args, err, tt.want)
		}
	}
}

// startNetwork starts n servers on loopback, each with the first as its
// bootnode, with discovery only (no dialing) and no logs.
func startNetwork(t *testing.T, n int) []*p2p.Server {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	servers := []*p2p.Server{startServer(t, &p2p.Server{NoDial: true, Logger: quiet})}
	boot := []*enode.Node{servers[0].Self()}
	for range n - 1 {
		servers = append(servers, startServer(t, &p2p.Server{NoDial: true, BootstrapNodes: boot, Logger: quiet}))
	}
	return servers
}

// A lookup through a bootnode of a small network finds its nodes.
func TestDiscv5Lookup(t *testing.T) {
	servers := startNetwork(t, 4)
	target := servers[3].Self()
	// The servers find each other in the background; a lookup at once
	// finds what the bootnode knows, which may not yet be all.
	var out string
	for try := 0; try < 20; try++ {
		var err error
		out, _, err = runCmd(t, "discv5", "lookup", target.ID().String(), "-bootnodes", servers[0].Self().String(), "-listen", "127.0.0.1:0", "-timeout", "5s")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out, target.ID().String()+"   0 ") {
			break
		}
	}
	match(t, "lookup", out, `^lookup of `+target.ID().String()+`: \d+ nodes in \S+, closest first`)
	// The target itself, at distance 0, with its record.
	match(t, "lookup", out, `\n`+target.ID().String()+`   0 127\.0\.0\.1:\d+ +enr:\S+\n`)
}
