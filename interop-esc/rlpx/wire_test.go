// Package rlpx_test checks, on the socket, the wire forms that go-ethereum
// v1.9.7 (the p2p code of Elastos ESC nodes) sends and accepts, against our
// rlpx.Conn and p2p.Server. v1.9.7 has no separate rlpx package: its RLPx
// code is unexported inside package p2p, so the v1.9.7 side is always its
// p2p.Server.
//
// What v1.9.7 does, as these tests observe it:
//   - Handshake: it sends an EIP-8 auth when it dials and answers an EIP-8
//     auth with an EIP-8 ack (TestHandshake). It still accepts a pre-EIP-8
//     auth and answers it with a pre-EIP-8 ack, as we do (TestPreEIP8Auth).
//   - Hello: base protocol version 5, so snappy is on in both directions
//     after Hello (TestHandshake sends compressible messages both ways and
//     checks their size on the wire).
//   - Disconnect: it sends [reason], a list (TestGethSendsDisconnectList),
//     and decodes only that form: a bare reason reads as "disconnect
//     requested" there (TestGethDecodesDisconnect). Our p2p.Server sends
//     the list form.
package rlpx_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	gethp2p "github.com/ethereum/go-ethereum/p2p"
	gethenode "github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/goleak"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/crypto/ecies"
	"github.com/seednet/p2p/rlp"
	"github.com/seednet/p2p/rlpx"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// v1.9.7's Server.Stop leaves these behind: the dial loop's idle
		// task sleeps until the dial history expires (up to 30 s) and cannot
		// be cancelled, and goleveldb v1.0.0's pool drainer of the node
		// database lingers for a second after the database is closed.
		goleak.IgnoreAnyFunction("github.com/ethereum/go-ethereum/p2p.waitExpireTask.Do"),
		goleak.IgnoreAnyFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"),
	)
}

const (
	protoName    = "bulk"
	protoVersion = 1
	protoLength  = 3
	baseLength   = 16 // first code of the sub-protocol on the wire

	discMsg = 0x01
)

// hello is the devp2p Hello message, decoded and encoded with our rlp.
type hello struct {
	Version    uint64
	Name       string
	Caps       []p2p.Cap
	ListenPort uint64
	ID         []byte
	Rest       []rlp.RawValue `rlp:"tail"`
}

// compressible returns n bytes that snappy shrinks to well under half.
func compressible(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		if i%8 == 0 {
			b[i] = seed + byte(i/8)
		}
	}
	return b
}

// gethNode is a v1.9.7 p2p.Server running the bulk protocol: on each peer
// it sends one compressible message (code 0) and then forwards every
// message it receives to got.
type gethNode struct {
	srv    *gethp2p.Server
	key    *ecdsa.PrivateKey // in our representation
	events chan *gethp2p.PeerEvent
	got    chan []byte
}

var gethFirst = compressible(64<<10, 1)

func startGeth(t *testing.T) *gethNode {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	// v1.9.7 needs the key on its own curve type (its ECIES looks up
	// parameters by curve).
	gethKey, err := gethcrypto.ToECDSA(crypto.FromECDSA(key))
	if err != nil {
		t.Fatal(err)
	}
	g := &gethNode{key: key, events: make(chan *gethp2p.PeerEvent, 16), got: make(chan []byte, 16)}
	g.srv = &gethp2p.Server{Config: gethp2p.Config{
		PrivateKey: gethKey, MaxPeers: 5, Name: "geth-v1.9.7", ListenAddr: "127.0.0.1:0", NoDiscovery: true,
		Protocols: []gethp2p.Protocol{{Name: protoName, Version: protoVersion, Length: protoLength,
			Run: func(peer *gethp2p.Peer, rw gethp2p.MsgReadWriter) error {
				if err := gethp2p.Send(rw, 0, gethFirst); err != nil {
					return err
				}
				for {
					msg, err := rw.ReadMsg()
					if err != nil {
						return err
					}
					var b []byte
					if err := msg.Decode(&b); err != nil {
						return err
					}
					g.got <- b
				}
			}}},
	}}
	if err := g.srv.Start(); err != nil {
		t.Fatal(err)
	}
	sub := g.srv.SubscribeEvents(g.events)
	t.Cleanup(func() {
		sub.Unsubscribe()
		g.srv.Stop()
	})
	return g
}

func (g *gethNode) addr() string {
	return fmt.Sprintf("127.0.0.1:%d", g.srv.Self().TCP())
}

// waitDrop returns the error of v1.9.7's next peer drop event.
func (g *gethNode) waitDrop(t *testing.T) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-g.events:
			if ev.Type == gethp2p.PeerEventTypeDrop {
				return ev.Error
			}
		case <-deadline:
			t.Fatal("geth saw no drop")
		}
	}
}

func rlpString(b []byte) []byte {
	enc, err := rlp.EncodeToBytes(b)
	if err != nil {
		panic(err)
	}
	return enc
}

// recConn records every byte read from the socket.
type recConn struct {
	net.Conn
	mu  sync.Mutex
	got []byte
}

func (c *recConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.mu.Lock()
	c.got = append(c.got, b[:n]...)
	c.mu.Unlock()
	return n, err
}

// firstHandshakeMsg describes the first handshake message in what the peer
// sent: EIP-8 messages start with a 2-byte size, pre-EIP-8 ones directly
// with the ECIES ephemeral key (0x04).
func (c *recConn) firstHandshakeMsg() (eip8 bool, size int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.got) < 3 {
		return false, 0
	}
	if c.got[0] == 0x04 {
		return false, 0
	}
	return c.got[2] == 0x04, 2 + int(binary.BigEndian.Uint16(c.got))
}

// session is our side of a connection to v1.9.7 after Hello.
type session struct {
	conn  *rlpx.Conn
	rec   *recConn
	hello hello
}

// connect sets up a connection between our rlpx.Conn and g, dialed by us
// or by g, and exchanges Hello on it.
func connect(t *testing.T, g *gethNode, weDial bool) *session {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	var fd net.Conn
	if weDial {
		fd, err = net.Dial("tcp", g.addr())
		if err != nil {
			t.Fatal(err)
		}
	} else {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		url := fmt.Sprintf("enode://%x@127.0.0.1:%d", crypto.FromECDSAPub(&key.PublicKey)[1:], ln.Addr().(*net.TCPAddr).Port)
		g.srv.AddPeer(gethenode.MustParse(url))
		t.Cleanup(func() { g.srv.RemovePeer(gethenode.MustParse(url)) })
		fd, err = ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
	}
	fd.SetDeadline(time.Now().Add(20 * time.Second))
	s := &session{rec: &recConn{Conn: fd}}
	var dest *ecdsa.PublicKey
	if weDial {
		dest = &g.key.PublicKey
	}
	s.conn = rlpx.NewConn(s.rec, dest)
	t.Cleanup(func() { s.conn.Close() })
	remote, err := s.conn.Handshake(key)
	if err != nil {
		t.Fatal("handshake:", err)
	}
	if !bytes.Equal(crypto.FromECDSAPub(remote), crypto.FromECDSAPub(&g.key.PublicKey)) {
		t.Fatal("handshake gave the wrong remote key")
	}

	ours, err := rlp.EncodeToBytes(&hello{
		Version: 5, Name: "seednet-rlpx", Caps: []p2p.Cap{{Name: protoName, Version: protoVersion}},
		ID: crypto.FromECDSAPub(&key.PublicKey)[1:],
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.conn.Write(0x00, ours); err != nil {
		t.Fatal("write Hello:", err)
	}
	code, data, _, err := s.conn.Read()
	if err != nil {
		t.Fatal("read Hello:", err)
	}
	if code != 0x00 {
		t.Fatalf("first message has code %d, want Hello", code)
	}
	if err := rlp.DecodeBytes(data, &s.hello); err != nil {
		t.Fatal("decode Hello:", err)
	}
	if !bytes.Equal(s.hello.ID, crypto.FromECDSAPub(&g.key.PublicKey)[1:]) {
		t.Fatal("Hello carries the wrong ID")
	}
	// Both sides speak version 5: snappy from here on.
	s.conn.SetSnappy(true)
	return s
}

// read reads the next message, skipping Ping and Pong.
func (s *session) read(t *testing.T) (code uint64, data []byte, wireSize int) {
	t.Helper()
	for {
		code, data, wireSize, err := s.conn.Read()
		if err != nil {
			t.Fatal("read:", err)
		}
		if code == 0x02 || code == 0x03 {
			continue
		}
		return code, bytes.Clone(data), wireSize
	}
}

// TestHandshake: the handshake message v1.9.7 sends is EIP-8 in both
// roles, its Hello says version 5, and messages are snappy-compressed in
// both directions.
func TestHandshake(t *testing.T) {
	g := startGeth(t)
	for _, weDial := range []bool{true, false} {
		t.Run(fmt.Sprintf("we-dial=%v", weDial), func(t *testing.T) {
			s := connect(t, g, weDial)
			what := "auth"
			if weDial {
				what = "ack"
			}
			eip8, size := s.rec.firstHandshakeMsg()
			if !eip8 {
				t.Fatalf("v1.9.7's %s is not in the EIP-8 form", what)
			}
			t.Logf("v1.9.7 sent an EIP-8 %s of %d bytes", what, size)
			if s.hello.Version != 5 || s.hello.Name != "geth-v1.9.7" {
				t.Fatalf("v1.9.7's Hello: version %d, name %q", s.hello.Version, s.hello.Name)
			}

			// v1.9.7 → us.
			code, data, wire := s.read(t)
			var got []byte
			if err := rlp.DecodeBytes(data, &got); err != nil || code != baseLength || !bytes.Equal(got, gethFirst) {
				t.Fatalf("from v1.9.7: code %d, %d bytes, decode error %v", code, len(data), err)
			}
			if wire >= len(data)/2 {
				t.Fatalf("from v1.9.7: %d bytes took %d on the wire: not compressed", len(data), wire)
			}
			// us → v1.9.7.
			ours := compressible(64<<10, 2)
			wire32, err := s.conn.Write(baseLength+1, rlpString(ours))
			if err != nil {
				t.Fatal(err)
			}
			if int(wire32) >= len(ours)/2 {
				t.Fatalf("to v1.9.7: %d bytes took %d on the wire: not compressed", len(ours), wire32)
			}
			select {
			case b := <-g.got:
				if !bytes.Equal(b, ours) {
					t.Fatalf("v1.9.7 got %d bytes, not what we sent", len(b))
				}
			case <-time.After(10 * time.Second):
				t.Fatal("v1.9.7 got nothing")
			}
			s.conn.Close()
			g.waitDrop(t)
		})
	}
}

// TestGethSendsDisconnectList: v1.9.7's Disconnect payload is [reason].
func TestGethSendsDisconnectList(t *testing.T) {
	g := startGeth(t)
	s := connect(t, g, false)
	s.read(t) // the protocol's first message: the peer is running
	peers := g.srv.Peers()
	if len(peers) != 1 {
		t.Fatalf("v1.9.7 has %d peers", len(peers))
	}
	peers[0].Disconnect(gethp2p.DiscSubprotocolError)
	code, data, _ := s.read(t)
	if code != discMsg {
		t.Fatalf("got code %d, want Disconnect", code)
	}
	if want := []byte{0xC1, 0x10}; !bytes.Equal(data, want) {
		t.Fatalf("Disconnect payload %x, want %x (the list form)", data, want)
	}
	g.waitDrop(t)
}

// TestGethDecodesDisconnect: v1.9.7 decodes [reason]; a bare reason (what
// go-ethereum v1.10.17 to v1.14 sent) reaches it as "disconnect requested",
// which is why our p2p.Server sends the list form.
func TestGethDecodesDisconnect(t *testing.T) {
	g := startGeth(t)
	for _, tc := range []struct {
		name    string
		payload []byte
		want    string
	}{
		{"list", []byte{0xC1, 0x04}, "too many peers"},
		{"bare", []byte{0x04}, "disconnect requested"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := connect(t, g, true)
			s.read(t)
			if _, err := s.conn.Write(discMsg, tc.payload); err != nil {
				t.Fatal(err)
			}
			if got := g.waitDrop(t); !strings.Contains(got, tc.want) {
				t.Fatalf("v1.9.7 saw %q, want %q", got, tc.want)
			}
		})
	}
}

// TestPreEIP8Auth: an old node's pre-EIP-8 auth is accepted by v1.9.7 and
// by our p2p.Server, each answers with a pre-EIP-8 ack, and the session
// keys agree: the first frame (the recipient's Hello) authenticates and
// decrypts.
func TestPreEIP8Auth(t *testing.T) {
	t.Run("geth-v1.9.7", func(t *testing.T) {
		g := startGeth(t)
		h := preEIP8Hello(t, g.addr(), &g.key.PublicKey)
		if h.Version != 5 || h.Name != "geth-v1.9.7" {
			t.Fatalf("Hello: version %d, name %q", h.Version, h.Name)
		}
	})
	t.Run("ours", func(t *testing.T) {
		key, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		srv := &p2p.Server{PrivateKey: key, MaxPeers: 5, Name: "seednet", ListenAddr: "127.0.0.1:0", NoDiscovery: true,
			Protocols: []p2p.Protocol{{Name: protoName, Version: protoVersion, Length: protoLength,
				Run: func(*p2p.Peer, p2p.MsgReadWriter) error { return nil }}}}
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		defer srv.Stop()
		h := preEIP8Hello(t, fmt.Sprintf("127.0.0.1:%d", srv.Self().TCP()), &key.PublicKey)
		if h.Version != 5 || h.Name != "seednet" {
			t.Fatalf("Hello: version %d, name %q", h.Version, h.Name)
		}
	})
}

// preEIP8Hello dials addr as an old (pre-EIP-8) node would, checks that
// the ack is in the pre-EIP-8 form, derives the session keys and returns
// the Hello in the recipient's first frame after checking both its MACs.
// The formats are those of the RLPx spec and EIP-8 (which describes the
// old ones):
//
//	auth = ECIES(sig || keccak256(ephemeral-pubk) || pubk || nonce || 0x00)  307 bytes
//	ack  = ECIES(ephemeral-pubk || nonce || 0x00)                          210 bytes
func preEIP8Hello(t *testing.T, addr string, remote *ecdsa.PublicKey) hello {
	t.Helper()
	key, err1 := crypto.GenerateKey()
	eph, err2 := crypto.GenerateKey()
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	initNonce := make([]byte, 32)
	rand.Read(initNonce)
	static, err := crypto.ECDH(key, remote)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := crypto.Sign(xor(static, initNonce), eph)
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Join([][]byte{
		sig, crypto.Keccak256(crypto.FromECDSAPub(&eph.PublicKey)[1:]),
		crypto.FromECDSAPub(&key.PublicKey)[1:], initNonce, {0x00},
	}, nil)
	auth, err := ecies.Encrypt(rand.Reader, remote, body, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(auth) != 307 {
		t.Fatalf("auth is %d bytes, want 307", len(auth))
	}

	fd, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	fd.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := fd.Write(auth); err != nil {
		t.Fatal(err)
	}
	ack := make([]byte, 210)
	if _, err := io.ReadFull(fd, ack); err != nil {
		t.Fatal("read ack:", err)
	}
	plain, err := ecies.Decrypt(key, ack, nil, nil)
	if err != nil {
		t.Fatal("the ack is not in the pre-EIP-8 form:", err)
	}
	if len(plain) != 97 {
		t.Fatalf("ack body is %d bytes, want 97", len(plain))
	}
	remoteEph, err := crypto.UnmarshalPubkey(append([]byte{0x04}, plain[:64]...))
	if err != nil {
		t.Fatal(err)
	}
	respNonce := plain[64:96]

	ephShared, err := crypto.ECDH(eph, remoteEph)
	if err != nil {
		t.Fatal(err)
	}
	shared := crypto.Keccak256(ephShared, crypto.Keccak256(respNonce, initNonce))
	aesSecret := crypto.Keccak256(ephShared, shared)
	macSecret := crypto.Keccak256(ephShared, aesSecret)
	// The initiator's ingress MAC starts from mac-secret ^ initiator-nonce
	// and the ack.
	ingress := crypto.NewKeccakState()
	ingress.Write(xor(macSecret, initNonce))
	ingress.Write(ack)
	macCipher, _ := aes.NewCipher(macSecret)
	encCipher, _ := aes.NewCipher(aesSecret)
	stream := cipher.NewCTR(encCipher, make([]byte, aes.BlockSize))
	// mac updates ingress with seed and returns the new 16-byte MAC.
	mac := func(seed []byte) []byte {
		b := make([]byte, aes.BlockSize)
		macCipher.Encrypt(b, ingress.Sum(nil)[:16])
		ingress.Write(xor(b, seed))
		return ingress.Sum(nil)[:16]
	}

	head := make([]byte, 32)
	if _, err := io.ReadFull(fd, head); err != nil {
		t.Fatal("read frame header:", err)
	}
	if !bytes.Equal(mac(head[:16]), head[16:]) {
		t.Fatal("bad header MAC: the session keys differ")
	}
	stream.XORKeyStream(head[:16], head[:16])
	size := int(head[0])<<16 | int(head[1])<<8 | int(head[2])
	frame := make([]byte, (size+15)/16*16+16)
	if _, err := io.ReadFull(fd, frame); err != nil {
		t.Fatal("read frame:", err)
	}
	body, frameMAC := frame[:len(frame)-16], frame[len(frame)-16:]
	ingress.Write(body)
	if !bytes.Equal(mac(ingress.Sum(nil)[:16]), frameMAC) {
		t.Fatal("bad frame MAC")
	}
	stream.XORKeyStream(body, body)
	code, rest, err := rlp.SplitUint64(body[:size])
	if err != nil || code != 0x00 {
		t.Fatalf("first frame: code %d, error %v; want Hello", code, err)
	}
	var h hello
	if err := rlp.DecodeBytes(rest, &h); err != nil {
		t.Fatal("decode Hello:", err)
	}
	if !bytes.Equal(h.ID, crypto.FromECDSAPub(remote)[1:]) {
		t.Fatal("Hello carries the wrong ID")
	}
	return h
}

func xor(a, b []byte) []byte {
	out := make([]byte, len(a))
	for i := range a {
		out[i] = a[i] ^ b[i]
	}
	return out
}
