package discover

import (
	"net/netip"
	"testing"
	"time"

	"github.com/seednet/p2p/discover/v4wire"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/internal/testutil"
)

// pingHandling is a node on a memConn and a PING for it from a sender at
// from, bonded or not.
type pingHandling struct {
	udp    *UDPv4
	conn   *memConn
	packet []byte
	from   netip.AddrPort
}

func newPingHandling(t testing.TB, bonded bool) *pingHandling {
	t.Helper()
	conn := newMemConn()
	key := testutil.NewKey(t)
	cfg := Config{PrivateKey: key, LimitLAN: true}
	quiet(&cfg)
	udp, err := ListenV4(conn, enode.NewLocalNode(nil, key), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { udp.Close() })
	skey := testutil.NewKey(t)
	from := netip.MustParseAddrPort("127.0.0.9:30303")
	packet, _, err := v4wire.Encode(skey, &v4wire.Ping{
		Version: 4, From: v4wire.NewEndpoint(from, 30303), To: udp.ourEndpoint(),
		Expiration: future(), ENRSeq: 1_700_000_000_000,
	})
	if err != nil {
		t.Fatal(err)
	}
	if bonded {
		udp.db.UpdateLastPongReceived(enode.PubkeyToIDV4(&skey.PublicKey), from.Addr(), time.Now())
	}
	return &pingHandling{udp: udp, conn: conn, packet: packet, from: from}
}

func (h *pingHandling) handle() {
	h.udp.handlePacket(h.packet, h.from)
	h.conn.mu.Lock()
	h.conn.writes = h.conn.writes[:0]
	h.conn.mu.Unlock()
}

var pingSenders = []struct {
	name   string
	bonded bool
}{
	{"bonded", true},
	{"unverified", false},
}

// BenchmarkHandlePing measures the handling of one PING, from a bonded
// sender and from one without endpoint proof.
func BenchmarkHandlePing(b *testing.B) {
	for _, s := range pingSenders {
		b.Run(s.name, func(b *testing.B) {
			h := newPingHandling(b, s.bonded)
			b.ReportAllocs()
			for b.Loop() {
				h.handle()
			}
		})
	}
}

// TestHandlePingAllocs checks the allocations of handling one PING.
func TestHandlePingAllocs(t *testing.T) {
	for _, s := range pingSenders {
		t.Run(s.name, func(t *testing.T) {
			h := newPingHandling(t, s.bonded)
			allocs := testing.AllocsPerRun(100, h.handle)
			t.Logf("%.0f allocs per PING", allocs)
			// Mostly signing the Pong and recovering the sender's key;
			// the bonded sender's node record is built too.
			if allocs > 110 && !raceEnabled {
				t.Fatalf("%.0f allocs per PING, want at most 110", allocs)
			}
		})
	}
}
