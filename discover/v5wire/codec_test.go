package v5wire

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/internal/testutil"
	"github.com/seednet/p2p/rlp"
)

// testRecords returns n signed records of random keys.
func testRecords(tb testing.TB, n int) []*enr.Record {
	tb.Helper()
	recs := make([]*enr.Record, n)
	for i := range recs {
		var r enr.Record
		r.Set(enr.IPv4Addr(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})))
		r.Set(enr.UDP(30303 + i))
		r.SetSeq(uint64(i + 1))
		if err := enode.SignV4(&r, testutil.NewKey(tb)); err != nil {
			tb.Fatal(err)
		}
		recs[i] = &r
	}
	return recs
}

// testMessages returns one message of each type, with every field set.
func testMessages(tb testing.TB) []Packet {
	tb.Helper()
	return []Packet{
		&Ping{ReqID: []byte{1, 2, 3, 4}, ENRSeq: 77},
		&Ping{ReqID: []byte{}, ENRSeq: 0},
		&Pong{ReqID: []byte{0xff, 0, 0, 0, 0, 0, 0, 0x80}, ENRSeq: 1 << 60, ToIP: net.IP{192, 0, 2, 1}, ToPort: 30303},
		&Pong{ReqID: []byte{9}, ENRSeq: 2, ToIP: net.ParseIP("2001:db8::1"), ToPort: 65535},
		&Findnode{ReqID: []byte{5}, Distances: []uint{256, 255, 254, 0}},
		&Findnode{ReqID: []byte{6}, Distances: []uint{}},
		&Nodes{ReqID: []byte{7}, RespCount: 3, Nodes: testRecords(tb, 3)},
		&Nodes{ReqID: []byte{8}, RespCount: 1, Nodes: []*enr.Record{}},
		&TalkRequest{ReqID: []byte{10, 11}, Protocol: "test-proto", Message: []byte("hello, talk")},
		&TalkRequest{ReqID: []byte{12}, Protocol: "", Message: []byte{}},
		&TalkResponse{ReqID: []byte{13}, Message: bytes.Repeat([]byte{0xab}, 500)},
		&TalkResponse{ReqID: []byte{14}, Message: []byte{}},
	}
}

// checkDecoded compares a decoded message with the one that was sent.
func checkDecoded(tb testing.TB, got, want Packet) {
	tb.Helper()
	if n, ok := got.(*Nodes); ok {
		nodes, err := n.VerifiedNodes()
		if err != nil || len(nodes) != len(n.Nodes) {
			tb.Fatalf("NODES: %d verified nodes for %d records: %v", len(nodes), len(n.Nodes), err)
		}
		for i, node := range nodes {
			if node.Seq() != n.Nodes[i].Seq() || !bytes.Equal(node.Record().Signature(), n.Nodes[i].Signature()) {
				tb.Fatalf("NODES: verified node %d is not record %d", i, i)
			}
		}
		cpy := *n
		cpy.schemes = nil
		got = &cpy
	}
	if !reflect.DeepEqual(got, want) {
		tb.Fatalf("decoded %s differs\n got %+v\nwant %+v", want.Name(), got, want)
	}
}

func TestHandshakeAndMessages(t *testing.T) {
	tp := newTestPair(t)
	ping := &Ping{ReqID: []byte{1}, ENRSeq: 5}
	node, got := tp.handshake(t, ping)
	if node == nil || node.ID() != tp.a.id() {
		t.Fatalf("handshake node %v", node)
	}
	checkDecoded(t, got, ping)
	if tp.b.c.SessionNode(tp.a.id(), tp.a.addr) == nil || tp.a.c.SessionNode(tp.b.id(), tp.b.addr) == nil {
		t.Fatal("missing session after handshake")
	}
	// Both ways under the session, every message type.
	for _, m := range testMessages(t) {
		t.Run(m.Name(), func(t *testing.T) {
			for _, dir := range []struct{ from, to *testNode }{{tp.a, tp.b}, {tp.b, tp.a}} {
				src, n, got, err := send(t, dir.from, dir.to, m, nil)
				if err != nil {
					t.Fatal(err)
				}
				if src != dir.from.id() || n != nil {
					t.Fatalf("from %v with node %v", src, n)
				}
				checkDecoded(t, got, m)
			}
		})
	}
}

// TestHandshakeKnownRecord: a node that knows our record (the WHOAREYOU
// has its seq) gets no record in the handshake, and uses the one it knows.
func TestHandshakeKnownRecord(t *testing.T) {
	tp := newTestPair(t)
	_, _, got, _ := send(t, tp.a, tp.b, &Ping{ReqID: []byte{1}}, nil)
	w := &Whoareyou{Nonce: got.(*Unknown).Nonce, RecordSeq: tp.a.node().Seq(), Node: tp.a.node()}
	_, _, got, err := send(t, tp.b, tp.a, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	challenge := got.(*Whoareyou)
	challenge.Node = tp.b.node()
	enc, _, err := tp.a.c.Encode(tp.b.id(), tp.b.addr, &Ping{ReqID: []byte{2}}, challenge)
	if err != nil {
		t.Fatal(err)
	}
	// PING [0x02, 0x80]: type, list header, request ID, seq.
	head := sizeofStaticPacketData + sizeofHandshakeAuthHead + idSigSize + pubkeySize
	if want := head + 4 + gcmTagSize; len(enc) != want {
		t.Fatalf("handshake of %d bytes, want %d (no record)", len(enc), want)
	}
	_, node, _, err := tp.b.c.Decode(enc, tp.a.addr)
	if err != nil {
		t.Fatal(err)
	}
	if node != tp.a.node() {
		t.Fatalf("node %v, want the one B knew", node)
	}
}

func TestUnknownAndReplay(t *testing.T) {
	tp := newTestPair(t)
	ping := &Ping{ReqID: []byte{1}}

	// No session: random packet, decoded as Unknown with its nonce.
	enc, nonce, err := tp.a.c.Encode(tp.b.id(), tp.b.addr, ping, nil)
	if err != nil {
		t.Fatal(err)
	}
	src, _, p, err := tp.b.c.Decode(enc, tp.a.addr)
	if err != nil || src != tp.a.id() {
		t.Fatalf("from %v: %v", src, err)
	}
	if u, ok := p.(*Unknown); !ok || u.Nonce != nonce || u.Reason != ErrUnknownSession {
		t.Fatalf("got %#v, want Unknown with nonce %x", p, nonce)
	}

	// The handshake packet, replayed, is refused: its challenge is used.
	_, _, got, _ := send(t, tp.b, tp.a, &Whoareyou{Nonce: nonce}, nil)
	challenge := got.(*Whoareyou)
	challenge.Node = tp.b.node()
	hs, _, err := tp.a.c.Encode(tp.b.id(), tp.b.addr, ping, challenge)
	if err != nil {
		t.Fatal(err)
	}
	hs = bytes.Clone(hs)
	if _, _, _, err := tp.b.c.Decode(hs, tp.a.addr); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := tp.b.c.Decode(hs, tp.a.addr); !errors.Is(err, ErrUnexpectedHandshake) {
		t.Fatalf("replayed handshake: %v", err)
	}

	// A message packet decodes once; its replay is refused, as is that
	// of the handshake's nonce in a message packet.
	msg, _, err := tp.a.c.Encode(tp.b.id(), tp.b.addr, ping, nil)
	if err != nil {
		t.Fatal(err)
	}
	msg = bytes.Clone(msg)
	if _, _, p, err := tp.b.c.Decode(msg, tp.a.addr); err != nil || p.Kind() != PingMsg {
		t.Fatalf("message: %v, %v", p, err)
	}
	if _, _, p, err := tp.b.c.Decode(msg, tp.a.addr); !errors.Is(err, ErrReplayedNonce) || p != nil {
		t.Fatalf("replayed message: %v, %v", p, err)
	}
	// From another address there is no session.
	other := netip.MustParseAddrPort("10.9.9.9:1")
	if _, _, p, _ := tp.b.c.Decode(msg, other); p.(*Unknown).Reason != ErrUnknownSession {
		t.Fatalf("from another address: %#v", p)
	}
	// An IPv4-mapped address is the same endpoint.
	if msg, _, err = tp.a.c.Encode(tp.b.id(), tp.b.addr, ping, nil); err != nil {
		t.Fatal(err)
	}
	msg = bytes.Clone(msg)
	mapped := netip.AddrPortFrom(netip.AddrFrom16(tp.a.addr.Addr().As16()), tp.a.addr.Port())
	if _, _, p, err := tp.b.c.Decode(msg, mapped); err != nil || p.Kind() != PingMsg {
		t.Fatalf("from the mapped address: %v, %v", p, err)
	}
	// A node that lost its session (restarted) sees Unknown.
	restarted := newTestNode(t, tp.b.key, tp.b.addr, Config{})
	if _, _, p, _ := restarted.c.Decode(msg, tp.a.addr); p.(*Unknown).Reason != ErrUnknownSession {
		t.Fatalf("after restart: %#v", p)
	}
	// A session with other keys sees Unknown too, ErrMessageDecrypt.
	k := newSessionID(tp.a.id(), tp.a.addr)
	restarted.c.sc.storeSession(k, newSession(k.id, [16]byte{1}, [16]byte{2}, tp.a.node()))
	if _, _, p, _ := restarted.c.Decode(msg, tp.a.addr); p.(*Unknown).Reason != ErrMessageDecrypt {
		t.Fatalf("with wrong keys: %#v", p)
	}
}

func TestChallengeTimeout(t *testing.T) {
	tp := newTestPair(t)
	_, _, got, _ := send(t, tp.a, tp.b, &Ping{}, nil)
	_, _, got, _ = send(t, tp.b, tp.a, &Whoareyou{Nonce: got.(*Unknown).Nonce}, nil)
	challenge := got.(*Whoareyou)
	challenge.Node = tp.b.node()
	if tp.b.c.CurrentChallenge(tp.a.id(), tp.a.addr) == nil {
		t.Fatal("no current challenge")
	}
	tp.b.clock.Advance(DefaultChallengeTimeout + time.Millisecond)
	if tp.b.c.CurrentChallenge(tp.a.id(), tp.a.addr) != nil {
		t.Fatal("challenge did not expire")
	}
	if _, _, _, err := send(t, tp.a, tp.b, &Ping{}, challenge); !errors.Is(err, ErrUnexpectedHandshake) {
		t.Fatalf("handshake after timeout: %v", err)
	}
}

// TestWhoareyouResend: a challenge sent again is the same packet, and the
// handshake answering it works.
func TestWhoareyouResend(t *testing.T) {
	tp := newTestPair(t)
	_, _, got, _ := send(t, tp.a, tp.b, &Ping{}, nil)
	w := &Whoareyou{Nonce: got.(*Unknown).Nonce}
	first, _, err := tp.b.c.Encode(tp.a.id(), tp.a.addr, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	first = bytes.Clone(first)
	cur := tp.b.c.CurrentChallenge(tp.a.id(), tp.a.addr)
	if cur != w {
		t.Fatal("current challenge is not the one sent")
	}
	again, _, err := tp.b.c.Encode(tp.a.id(), tp.a.addr, cur, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, again) {
		t.Fatal("resent WHOAREYOU differs")
	}
	_, _, got, err = tp.a.c.Decode(again, tp.b.addr)
	if err != nil {
		t.Fatal(err)
	}
	challenge := got.(*Whoareyou)
	challenge.Node = tp.b.node()
	if _, _, _, err := send(t, tp.a, tp.b, &Ping{}, challenge); err != nil {
		t.Fatal(err)
	}
}

func TestSessionEviction(t *testing.T) {
	b := newTestNode(t, testutil.NewKey(t), addrB, Config{MaxSessions: 2})
	var nodes []*testNode
	for i := range 3 {
		n := newTestNode(t, testutil.NewKey(t), netip.AddrPortFrom(addrA.Addr(), uint16(1000+i)), Config{})
		(&testPair{n, b}).handshake(t, &Ping{})
		nodes = append(nodes, n)
	}
	// The first session went when the third came.
	for i, n := range nodes {
		_, _, p, err := send(t, n, b, &Ping{ReqID: []byte{1}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, unknown := p.(*Unknown); unknown != (i == 0) {
			t.Fatalf("node %d: got %T", i, p)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	tp := newTestPair(t)
	tp.handshake(t, &Ping{})
	to := func(p Packet, c *Whoareyou) error {
		_, _, err := tp.a.c.Encode(tp.b.id(), tp.b.addr, p, c)
		return err
	}
	tests := []struct {
		name string
		err  error
		want error // nil: any error
	}{
		{"long request ID", to(&Ping{ReqID: make([]byte, 9)}, nil), ErrInvalidReqID},
		{"too large", to(&TalkRequest{ReqID: []byte{1}, Message: make([]byte, MaxPacketSize)}, nil), ErrPacketTooLarge},
		{"too many records", to(&Nodes{ReqID: []byte{1}, Nodes: testRecords(t, 12)}, nil), ErrPacketTooLarge},
		{"nil record", to(&Nodes{Nodes: []*enr.Record{nil}}, nil), nil},
		{"unsigned record", to(&Nodes{Nodes: []*enr.Record{{}}}, nil), enr.ErrNotSigned},
		{"unknown", to(&Unknown{}, nil), nil},
		{"nil", to(nil, nil), nil},
		{"whoareyou seq without node", to(&Whoareyou{RecordSeq: 1}, nil), nil},
		{"challenge without node", to(&Ping{}, &Whoareyou{ChallengeData: make([]byte, 63)}), nil},
		{"challenge without data", to(&Ping{}, &Whoareyou{Node: tp.b.node()}), nil},
		{"bad resend", to(&Whoareyou{ChallengeData: []byte{1}}, nil), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil || tt.want != nil && !errors.Is(tt.err, tt.want) {
				t.Fatalf("error %v, want %v", tt.err, tt.want)
			}
		})
	}
	// Errors leave the session usable.
	if _, _, p, err := send(t, tp.a, tp.b, &Ping{ReqID: []byte{1}}, nil); err != nil || p.Kind() != PingMsg {
		t.Fatalf("after errors: %v, %v", p, err)
	}
}

// TestMaxSizePacket: the largest message that fits is accepted both ways.
func TestMaxSizePacket(t *testing.T) {
	tp := newTestPair(t)
	tp.handshake(t, &Ping{})
	overhead := sizeofStaticPacketData + sizeofMessageAuthData + gcmTagSize
	// TALKRESP [0x01, msg]: type, list header (3), request ID, msg header (3).
	msg := make([]byte, MaxPacketSize-overhead-1-3-1-3)
	enc, _, err := tp.a.c.Encode(tp.b.id(), tp.b.addr, &TalkResponse{ReqID: []byte{1}, Message: msg}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(enc) != MaxPacketSize {
		t.Fatalf("packet of %d bytes", len(enc))
	}
	if _, _, p, err := tp.b.c.Decode(enc, tp.a.addr); err != nil || len(p.(*TalkResponse).Message) != len(msg) {
		t.Fatalf("decode: %v", err)
	}
	_, _, err = tp.a.c.Encode(tp.b.id(), tp.b.addr, &TalkResponse{ReqID: []byte{1}, Message: append(msg, 0)}, nil)
	if !errors.Is(err, ErrPacketTooLarge) {
		t.Fatalf("one byte more: %v", err)
	}
}

// TestNodesVerified: the records of NODES verify against the schemes of the
// codec that decoded them; the bad ones are left out, with an error each.
func TestNodesVerified(t *testing.T) {
	var null enr.Record
	enode.SignNull(&null, enode.ID{1})
	good := testRecords(t, 2)
	badSig, err := rlp.EncodeToBytes(good[1])
	if err != nil {
		t.Fatal(err)
	}
	badSig[len(badSig)-1] ^= 1 // another key: the signature fails
	var bad enr.Record
	if err := rlp.DecodeBytes(badSig, &bad); err != nil {
		t.Fatal(err)
	}
	msg := &Nodes{ReqID: []byte{1}, RespCount: 1, Nodes: []*enr.Record{good[0], &null, &bad, good[1]}}

	for _, tt := range []struct {
		name    string
		schemes enr.IdentityScheme // nil: ValidSchemes, which reject "null"
		errs    []error
	}{
		{"default", nil, []error{enr.ErrUnknownScheme, enr.ErrInvalidSig}},
		{"testing", enode.ValidSchemesForTesting, []error{enr.ErrInvalidSig}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tp := &testPair{
				a: newTestNode(t, mustKey(t, nodeAKey), addrA, Config{}),
				b: newTestNode(t, mustKey(t, nodeBKey), addrB, Config{ValidSchemes: tt.schemes}),
			}
			tp.handshake(t, &Ping{})
			_, _, p, err := send(t, tp.a, tp.b, msg, nil)
			if err != nil {
				t.Fatal(err)
			}
			nodes, err := p.(*Nodes).VerifiedNodes()
			if !errors.Is(err, ErrInvalidRecord) {
				t.Fatalf("error %v", err)
			}
			for _, e := range tt.errs {
				if !errors.Is(err, e) {
					t.Errorf("error %v does not wrap %v", err, e)
				}
			}
			var want []*enr.Record
			want = append(want, good[0])
			if tt.schemes != nil {
				want = append(want, &null)
			}
			want = append(want, good[1])
			if len(nodes) != len(want) {
				t.Fatalf("%d nodes, want %d", len(nodes), len(want))
			}
			for i, n := range nodes {
				if n.Seq() != want[i].Seq() {
					t.Errorf("node %d has seq %d, want %d", i, n.Seq(), want[i].Seq())
				}
			}
		})
	}
	if _, err := (&Nodes{Nodes: []*enr.Record{nil}}).VerifiedNodes(); !errors.Is(err, ErrInvalidRecord) {
		t.Errorf("nil record: %v", err)
	}
}

func TestIsInvalidHeader(t *testing.T) {
	c := newTestNode(t, testutil.NewKey(t), addrB, Config{}).c
	for _, tt := range []struct {
		input []byte
		want  bool
	}{
		{make([]byte, 10), true},
		{make([]byte, MaxPacketSize+1), true},
		{make([]byte, 100), true},
	} {
		_, _, _, err := c.Decode(tt.input, addrA)
		if IsInvalidHeader(err) != tt.want {
			t.Errorf("%d bytes: %v", len(tt.input), err)
		}
	}
	if IsInvalidHeader(ErrMessageDecrypt) || IsInvalidHeader(nil) {
		t.Error("IsInvalidHeader of other errors")
	}
}

func TestLogInfo(t *testing.T) {
	for _, p := range append(testMessages(t), &Whoareyou{}, &Unknown{Reason: ErrUnknownSession}, &Findnode{OpID: 3}) {
		info := p.AppendLogInfo(nil)
		attrs := p.AppendLogAttrs(nil)
		if len(info) != 2*len(attrs) {
			t.Errorf("%s: %d log values, %d attrs", p.Name(), len(info), len(attrs))
		}
		for i, a := range attrs {
			if info[2*i] != a.Key {
				t.Errorf("%s: key %v, attr %s", p.Name(), info[2*i], a.Key)
			}
		}
		if !strings.HasSuffix(p.Name(), "/v5") {
			t.Errorf("name %q", p.Name())
		}
		if p.Kind() < UnknownPacket-1 {
			p.SetRequestID([]byte{42})
			if !bytes.Equal(p.RequestID(), []byte{42}) {
				t.Errorf("%s: SetRequestID", p.Name())
			}
		}
	}
}

func TestPongToAddrPort(t *testing.T) {
	for _, tt := range []struct {
		ip   net.IP
		want string
		ok   bool
	}{
		{net.IP{1, 2, 3, 4}, "1.2.3.4:9", true},
		{net.IPv4(1, 2, 3, 4), "1.2.3.4:9", true},
		{net.ParseIP("::1"), "[::1]:9", true},
		{net.IP{1, 2, 3}, "", false},
		{nil, "", false},
	} {
		ap, ok := (&Pong{ToIP: tt.ip, ToPort: 9}).ToAddrPort()
		if ok != tt.ok || ok && ap.String() != tt.want {
			t.Errorf("%v: %v %v", tt.ip, ap, ok)
		}
	}
}
