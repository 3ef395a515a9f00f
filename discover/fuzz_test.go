package discover

import (
	"net/netip"
	"testing"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/discover/v4wire"
	"github.com/seednet/p2p/enode"
)

// FuzzHandlePacket feeds arbitrary packets to the packet handler: it must
// not panic, and must send nothing for a packet that does not decode.
func FuzzHandlePacket(f *testing.F) {
	key, _ := crypto.GenerateKey()
	for _, p := range []v4wire.Packet{
		&v4wire.Ping{Version: 4, Expiration: future()},
		&v4wire.Pong{ReplyTok: make([]byte, 32), Expiration: future()},
		&v4wire.Findnode{Expiration: future()},
		&v4wire.Neighbors{Nodes: []v4wire.Node{{IP: []byte{127, 0, 0, 1}, UDP: 30303}}, Expiration: future()},
		&v4wire.ENRRequest{Expiration: future()},
	} {
		packet, _, _ := v4wire.Encode(key, p)
		f.Add(packet)
	}
	f.Add([]byte{})
	f.Add(make([]byte, 98))

	conn := newMemConn()
	udpKey, _ := crypto.GenerateKey()
	udp, err := ListenV4(conn, enode.NewLocalNode(nil, udpKey), Config{PrivateKey: udpKey})
	if err != nil {
		f.Fatal(err)
	}
	defer udp.Close()
	from := netip.MustParseAddrPort("127.0.0.9:30303")
	f.Fuzz(func(t *testing.T, data []byte) {
		before := conn.numWrites()
		udp.handlePacket(data, from)
		if _, _, _, err := v4wire.Decode(data); err != nil && conn.numWrites() != before {
			t.Fatalf("sent a packet in answer to garbage (%v)", err)
		}
	})
}
