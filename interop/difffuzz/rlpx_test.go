package difffuzz

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"hash"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/crypto/ecies"
	gethrlpx "github.com/ethereum/go-ethereum/p2p/rlpx"
	"github.com/golang/snappy"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/rlp"
	"github.com/seednet/p2p/rlpx"
)

// The RLPx target needs our Conn and go-ethereum's in the same session
// state. Our Conn only gets its secrets from a handshake, so the harness
// plays the initiator by hand (rlpx.md, pre-EIP-8 auth, which our
// recipient answers with a pre-EIP-8 ack), derives the secrets itself and
// gives them to go-ethereum's Conn through InitWithSecrets. It then writes
// frames by hand with those secrets, so that the fuzzer controls the
// plaintext of headers and bodies while every MAC is right (unless the
// input asks for a bad one).

// memConn is a net.Conn that reads from a buffer and collects writes.
type memConn struct {
	r bytes.Reader
	w bytes.Buffer
}

func (c *memConn) Read(b []byte) (int, error)       { return c.r.Read(b) }
func (c *memConn) Write(b []byte) (int, error)      { return c.w.Write(b) }
func (c *memConn) Close() error                     { return nil }
func (c *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }

// initiator is the hand-played initiator: fixed static and ephemeral
// keys and nonce, and the auth it sends (encrypted once).
type initiator struct {
	static, eph *ecdsa.PrivateKey
	nonce       [32]byte
	recipient   *ecdsa.PrivateKey // our side's static key (ours's type)
	auth        []byte
}

var (
	initOnce sync.Once
	initVal  *initiator
	initErr  error
)

func keyFrom(b byte) *ecdsa.PrivateKey {
	k, err := gethcrypto.ToECDSA(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		panic(err)
	}
	return k
}

func getInitiator() (*initiator, error) {
	initOnce.Do(func() {
		in := &initiator{static: keyFrom(0x11), eph: keyFrom(0x22)}
		for i := range in.nonce {
			in.nonce[i] = byte(i) + 0x30
		}
		var err error
		in.recipient, err = crypto.ToECDSA(bytes.Repeat([]byte{0x33}, 32))
		if err != nil {
			initErr = err
			return
		}
		recPub, err := gethcrypto.UnmarshalPubkey(crypto.FromECDSAPub(&in.recipient.PublicKey))
		if err != nil {
			initErr = err
			return
		}
		// auth = sig || keccak(eph-pub) || static-pub || nonce || 0x00, the
		// signature over static-shared-secret ^ nonce by the ephemeral key.
		static, err := ecies.ImportECDSA(in.static).GenerateShared(ecies.ImportECDSAPublic(recPub), 16, 16)
		if err != nil {
			initErr = err
			return
		}
		signed := xor(static, in.nonce[:])
		sig, err := gethcrypto.Sign(signed, in.eph)
		if err != nil {
			initErr = err
			return
		}
		plain := append([]byte{}, sig...)
		plain = append(plain, gethcrypto.Keccak256(gethcrypto.FromECDSAPub(&in.eph.PublicKey)[1:])...)
		plain = append(plain, gethcrypto.FromECDSAPub(&in.static.PublicKey)[1:]...)
		plain = append(plain, in.nonce[:]...)
		plain = append(plain, 0)
		in.auth, initErr = ecies.Encrypt(rand.Reader, ecies.ImportECDSAPublic(recPub), plain, nil, nil)
		initVal = in
	})
	return initVal, initErr
}

func xor(a, b []byte) []byte {
	out := make([]byte, len(a))
	for i := range a {
		out[i] = a[i] ^ b[i]
	}
	return out
}

// session is one handshake's result: our recipient Conn on its memConn,
// and the secrets, from which go-ethereum's Conns and the hand frame
// writer are made.
type session struct {
	ours            *rlpx.Conn
	oursIO          *memConn
	aesKey, macKey  []byte
	initEgressSeed  []byte // (mac ^ recipient nonce) || auth
	initIngressSeed []byte // (mac ^ initiator nonce) || ack
}

func newSession(tb testing.TB) *session {
	in, err := getInitiator()
	if err != nil {
		tb.Fatal(err)
	}
	mc := &memConn{}
	mc.r.Reset(in.auth)
	ours := rlpx.NewConn(mc, nil)
	if _, err := ours.Handshake(in.recipient); err != nil {
		tb.Fatal("our handshake with the hand-played initiator:", err)
	}
	ack := bytes.Clone(mc.w.Bytes())
	mc.w.Reset()
	plain, err := ecies.ImportECDSA(in.static).Decrypt(ack, nil, nil)
	if err != nil || len(plain) < 96 {
		tb.Fatalf("decrypting our ack (%d bytes): %v", len(ack), err)
	}
	remoteEph, err := gethcrypto.UnmarshalPubkey(append([]byte{4}, plain[:64]...))
	if err != nil {
		tb.Fatal(err)
	}
	respNonce := plain[64:96]
	ecdhe, err := ecies.ImportECDSA(in.eph).GenerateShared(ecies.ImportECDSAPublic(remoteEph), 16, 16)
	if err != nil {
		tb.Fatal(err)
	}
	shared := gethcrypto.Keccak256(ecdhe, gethcrypto.Keccak256(respNonce, in.nonce[:]))
	aesKey := gethcrypto.Keccak256(ecdhe, shared)
	macKey := gethcrypto.Keccak256(ecdhe, aesKey)
	return &session{
		ours:            ours,
		oursIO:          mc,
		aesKey:          aesKey,
		macKey:          macKey,
		initEgressSeed:  append(xor(macKey, respNonce), in.auth...),
		initIngressSeed: append(xor(macKey, in.nonce[:]), ack...),
	}
}

func keccakOf(seed []byte) hash.Hash {
	h := gethcrypto.NewKeccakState()
	h.Write(seed)
	return h
}

// gethConn returns go-ethereum's Conn on a fresh memConn in the initiator's
// role (recipient false) or in the role of our Conn (recipient true).
func (s *session) gethConn(recipient bool) (*gethrlpx.Conn, *memConn) {
	mc := &memConn{}
	c := gethrlpx.NewConn(mc, nil)
	sec := gethrlpx.Secrets{AES: s.aesKey, MAC: s.macKey,
		EgressMAC: keccakOf(s.initEgressSeed), IngressMAC: keccakOf(s.initIngressSeed)}
	if recipient {
		sec.EgressMAC, sec.IngressMAC = sec.IngressMAC, sec.EgressMAC
	}
	c.InitWithSecrets(sec)
	return c, mc
}

// frameWriter writes frames as the initiator, by rlpx.md.
type frameWriter struct {
	enc cipher.Stream
	mac hash.Hash
	blk cipher.Block
	out bytes.Buffer
}

func (s *session) frameWriter() *frameWriter {
	a, _ := aes.NewCipher(s.aesKey)
	m, _ := aes.NewCipher(s.macKey)
	return &frameWriter{enc: cipher.NewCTR(a, make([]byte, 16)), mac: keccakOf(s.initEgressSeed), blk: m}
}

// macStep updates the MAC state with aes(mac-secret, digest[:16]) ^ seed
// and returns the new digest's first 16 bytes.
func (w *frameWriter) macStep(seed []byte) []byte {
	var b [16]byte
	w.blk.Encrypt(b[:], w.mac.Sum(nil)[:16])
	w.mac.Write(xor(b[:], seed))
	return w.mac.Sum(nil)[:16]
}

// write writes one frame: the 16-byte header plaintext and the body
// plaintext (padded to 16 bytes by the caller, or not). badHeaderMAC and
// badFrameMAC flip a bit of the MACs.
func (w *frameWriter) write(header, body []byte, badHeaderMAC, badFrameMAC bool) {
	h := make([]byte, 16)
	w.enc.XORKeyStream(h, header)
	hmac := w.macStep(h)
	if badHeaderMAC {
		hmac[0] ^= 1
	}
	w.out.Write(h)
	w.out.Write(hmac)
	b := make([]byte, len(body))
	w.enc.XORKeyStream(b, body)
	w.mac.Write(b)
	fmac := w.macStep(w.mac.Sum(nil)[:16])
	if badFrameMAC {
		fmac[0] ^= 1
	}
	w.out.Write(b)
	w.out.Write(fmac)
}

// message writes a well-formed message frame.
func (w *frameWriter) message(code uint64, payload []byte, compress bool) {
	if compress {
		payload = snappy.Encode(nil, payload)
	}
	body := append(rlp.AppendUint64(nil, code), payload...)
	header := make([]byte, 16)
	header[0], header[1], header[2] = byte(len(body)>>16), byte(len(body)>>8), byte(len(body))
	copy(header[3:], []byte{0xc2, 0x80, 0x80})
	w.write(header, pad16(body), false, false)
}

func pad16(b []byte) []byte {
	if n := len(b) % 16; n != 0 {
		b = append(b, make([]byte, 16-n)...)
	}
	return b
}

type reader interface {
	Read() (uint64, []byte, int, error)
}

type readResult struct {
	code uint64
	data []byte
}

// readAll reads messages until the first error.
func readAll(r reader) ([]readResult, error) {
	var res []readResult
	for {
		code, data, _, err := r.Read()
		if err != nil {
			return res, err
		}
		res = append(res, readResult{code, bytes.Clone(data)})
	}
}

// FuzzRLPxFrames checks RLPx framing both ways with the same session:
//
//  1. A message (code and payload from the input) written by our Conn and
//     by go-ethereum's in the same role gives the same bytes, which
//     go-ethereum's Conn on the other end reads back.
//  2. The same message written by go-ethereum's Conn as the initiator and
//     by the hand frame writer gives the same bytes (a check of the
//     harness).
//  3. After it, frames that the input describes (see fuzzFrames) follow;
//     our Conn and go-ethereum's in our role read the whole stream. They
//     must read the same messages, the first being the message of 1., and
//     both stop at the same frame.
func FuzzRLPxFrames(f *testing.F) {
	for _, s := range rlpxSeeds() {
		f.Add(s.code, s.payload, s.snappy, s.frames)
	}
	f.Fuzz(func(t *testing.T, code uint64, payload []byte, compress bool, frames []byte) {
		if len(payload) > 1<<16 || len(frames) > 1<<16 {
			return
		}
		s := newSession(t)
		s.ours.SetSnappy(compress)
		gRec, gRecIO := s.gethConn(true)
		gRec.SetSnappy(compress)
		gIni, gIniIO := s.gethConn(false)
		gIni.SetSnappy(compress)

		// 1. Our writer against go-ethereum's.
		_, errO := s.ours.Write(code, payload)
		_, errG := gRec.Write(code, payload)
		if !sameOutcome(t, "Write", payload, errO, errG) {
			return
		}
		if errO == nil {
			if !bytes.Equal(s.oursIO.w.Bytes(), gRecIO.w.Bytes()) {
				t.Fatalf("Write(%d, %x) snappy=%v: ours %x, geth %x", code, payload, compress, s.oursIO.w.Bytes(), gRecIO.w.Bytes())
			}
			gIniIO.r.Reset(s.oursIO.w.Bytes())
			c, d, _, err := gIni.Read()
			if err != nil || c != code || !bytes.Equal(d, payload) {
				t.Fatalf("geth read our Write(%d, %x): %d, %x, %v", code, payload, c, d, err)
			}
		}

		// 2. go-ethereum's writer against the hand writer.
		w := s.frameWriter()
		var first []readResult
		if errO == nil {
			if _, err := gIni.Write(code, payload); err != nil {
				t.Fatal(err)
			}
			w.message(code, payload, compress)
			if !bytes.Equal(gIniIO.w.Bytes(), w.out.Bytes()) {
				t.Fatalf("harness: geth writes %x, the hand writer %x", gIniIO.w.Bytes(), w.out.Bytes())
			}
			first = []readResult{{code, payload}}
		}

		// 3. The stream, read by both.
		fuzzFrames(w, frames)
		s.oursIO.r.Reset(w.out.Bytes())
		gRecIO.r.Reset(w.out.Bytes())
		msgsO, errO := readAll(s.ours)
		msgsG, errG := readAll(gRec)
		if len(msgsO) != len(msgsG) {
			t.Fatalf("stream %x (frames %x, snappy=%v): ours read %d messages then %v, geth %d then %v",
				w.out.Bytes(), frames, compress, len(msgsO), errO, len(msgsG), errG)
		}
		for i := range msgsO {
			if msgsO[i].code != msgsG[i].code || !bytes.Equal(msgsO[i].data, msgsG[i].data) {
				t.Fatalf("frames %x message %d: ours (%d, %x), geth (%d, %x)", frames, i, msgsO[i].code, msgsO[i].data, msgsG[i].code, msgsG[i].data)
			}
		}
		if len(first) == 1 && (len(msgsO) == 0 || msgsO[0].code != code || !bytes.Equal(msgsO[0].data, payload)) {
			t.Fatalf("our Conn did not read back geth's Write(%d, %x): %v", code, payload, errO)
		}
		if errO == io.ErrUnexpectedEOF && errG == io.EOF && len(msgsO) == len(msgsG) {
			// D10: the stream ends inside a frame, right after its
			// header. go-ethereum reads header and body with separate
			// io.ReadFull calls, so nothing read for the body is io.EOF
			// to it; ours says the frame was cut. At a clean end between
			// frames both say io.EOF (TestRLPxCleanEOF).
			errO = io.EOF
		}
		if eofO, eofG := errors.Is(errO, io.EOF) || errors.Is(errO, io.ErrUnexpectedEOF),
			errors.Is(errG, io.EOF) || errors.Is(errG, io.ErrUnexpectedEOF); eofO != eofG || errO == io.EOF != (errG == io.EOF) {
			t.Fatalf("stream %x (frames %x, snappy=%v): both read %d messages, then ours: %v, geth: %v",
				w.out.Bytes(), frames, compress, len(msgsO), errO, errG)
		}
	})
}

// fuzzFrames writes the frames that in describes, up to 8. Each starts
// with a control byte c and a 16-bit body size n, then:
//   - c&1: the 16 header bytes come from the input as they are (the size
//     field may lie); otherwise the header holds n and the header data
//     c2 80 80, or with c&2 13 bytes of header data from the input;
//   - the body: n bytes from the input (fewer if it ends), padded to 16
//     with zeros, or with input bytes if c&4;
//   - c&8 spoils the header MAC, c&16 the frame MAC;
//   - c&32: the body starts with the RLP of the next input byte (a code).
func fuzzFrames(w *frameWriter, in []byte) {
	vb := valueBuilder{in: in}
	for i := 0; i < 8 && len(vb.in) > 0; i++ {
		c := vb.byte()
		var nb [2]byte
		copy(nb[:], vb.bytes(2))
		n := int(binary.BigEndian.Uint16(nb[:])) % 4096
		var body []byte
		if c&32 != 0 {
			body = rlp.AppendUint64(nil, uint64(vb.byte()))
		}
		body = append(body, vb.bytes(n)...)
		header := make([]byte, 16)
		switch {
		case c&1 != 0:
			copy(header, vb.bytes(16))
		default:
			header[0], header[1], header[2] = byte(len(body)>>16), byte(len(body)>>8), byte(len(body))
			if c&2 != 0 {
				copy(header[3:], vb.bytes(13))
			} else {
				copy(header[3:], []byte{0xc2, 0x80, 0x80})
			}
		}
		if r := len(body) % 16; r != 0 {
			p := make([]byte, 16-r)
			if c&4 != 0 {
				copy(p, vb.bytes(len(p)))
			}
			body = append(body, p...)
		}
		w.write(header, body, c&8 != 0, c&16 != 0)
	}
}

type rlpxSeed struct {
	code    uint64
	payload []byte
	snappy  bool
	frames  []byte
}

func rlpxSeeds() []rlpxSeed {
	frame := func(c byte, body ...byte) []byte {
		return append([]byte{c, byte(len(body) >> 8), byte(len(body))}, body...)
	}
	hello := []byte{0x80, 0xc5, 0x05, 0x83, 'a', 'b', 'c'}
	return []rlpxSeed{
		{0, nil, false, nil},
		{16, []byte("hello"), false, frame(0, 0x10, 0x83, 'a', 'b', 'c')},
		{16, bytes.Repeat([]byte{0}, 300), true, frame(32, append([]byte{0x11}, snappy.Encode(nil, []byte("payload"))...)...)},
		{1<<63 + 5, []byte{1}, true, frame(0, 0x10, 0x05, 0xff)}, // bad snappy
		{3, nil, false, frame(0, hello...)},
		{3, nil, false, append(frame(2, append(bytes.Repeat([]byte{0xff}, 13), 0x80)...), frame(0, 0x01)...)},
		{3, nil, false, frame(1, append(bytes.Repeat([]byte{0xff}, 16), 0x80)...)},
		{3, nil, false, frame(8, 0x01, 0x80)},
		{3, nil, false, append(frame(0, 0x02, 0xc0), frame(16, 0x03)...)},
		{3, nil, false, frame(4, 0x02, 0xc0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14)},
		{3, nil, false, frame(0, 0x82, 0x00, 0x01)}, // non-canonical code
		{3, nil, false, frame(0, 0xc0)},             // code is a list
		{3, nil, false, frame(0)},                   // empty body
		{^uint64(0), bytes.Repeat([]byte("x"), 5000), true, frame(2, 0x01, 0xc3, 0x80, 0x80, 0x80, 0x80)},
	}
}

// TestRLPxCleanEOF holds the fix of finding F1: a stream that ends between
// two frames reads as io.EOF in both libraries (ours said
// io.ErrUnexpectedEOF).
func TestRLPxCleanEOF(t *testing.T) {
	s := newSession(t)
	w := s.frameWriter()
	w.message(16, []byte("last"), false)
	s.oursIO.r.Reset(w.out.Bytes())
	if _, _, _, err := s.ours.Read(); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.ours.Read(); err != io.EOF {
		t.Fatalf("at the end of the stream: %v, want io.EOF (as go-ethereum's Conn)", err)
	}
}
