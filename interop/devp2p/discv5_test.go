package devp2p_test

import (
	"bytes"
	"context"
	"net"
	"os/exec"
	"regexp"
	"testing"
	"time"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/discover"
	"github.com/seednet/p2p/enode"
)

// TestDiscv5Suite runs `devp2p discv5 test` against our UDPv5, started
// with discover.ListenV5 on 127.0.0.1 with the default configuration; the
// suite listens on 127.0.0.1 and 127.0.0.2.
func TestDiscv5Suite(t *testing.T) {
	tool := devp2pTool(t)
	key, _ := crypto.GenerateKey()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IP{127, 0, 0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	ln := enode.NewLocalNode(nil, key)
	disc, err := discover.ListenV5(conn, ln, discover.Config{PrivateKey: key})
	if err != nil {
		t.Fatal(err)
	}
	defer disc.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool, "discv5", "test",
		"-listen1", "127.0.0.1", "-listen2", "127.0.0.2", disc.Self().String())
	out, err := cmd.CombinedOutput()
	t.Logf("devp2p discv5 test:\n%s", out)
	m := regexp.MustCompile(`(\d+)/(\d+) tests passed`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no summary in the output (err %v)", err)
	}
	if !bytes.Equal(m[1], m[2]) || string(m[2]) != "10" {
		t.Fatalf("%s/%s tests passed, want 10/10", m[1], m[2])
	}
	t.Logf("stats after the suite: %+v", disc.Stats())
}
