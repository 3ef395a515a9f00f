// Package rlpx_test checks that our rlpx.Conn and go-ethereum's rlpx.Conn
// (v1.17.10) complete the handshake in both roles and exchange frames both
// ways, with and without snappy.
package rlpx_test

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	gethrlpx "github.com/ethereum/go-ethereum/p2p/rlpx"
	"go.uber.org/goleak"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/rlpx"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// transport is what both implementations offer after the handshake.
type transport interface {
	Read() (uint64, []byte, int, error)
	Write(uint64, []byte) (uint32, error)
	SetSnappy(bool)
	Close() error
}

// keys holds one node key in both libraries' representations.
type keys struct {
	ours *ecdsa.PrivateKey
	geth *ecdsa.PrivateKey
}

func newKeys(t *testing.T) keys {
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	g, err := gethcrypto.ToECDSA(crypto.FromECDSA(k))
	if err != nil {
		t.Fatal(err)
	}
	return keys{ours: k, geth: g}
}

func tcpPair(t *testing.T) (dialed, accepted net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		ch <- c
	}()
	dialed, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	accepted = <-ch
	if accepted == nil {
		t.Fatal("accept failed")
	}
	deadline := time.Now().Add(30 * time.Second)
	dialed.SetDeadline(deadline)
	accepted.SetDeadline(deadline)
	return dialed, accepted
}

// pair connects an initiator and a recipient, one of them ours and the
// other go-ethereum's, and runs the handshake on both.
func pair(t *testing.T, oursInitiates bool) (ini, rec transport) {
	dialed, accepted := tcpPair(t)
	iniKey, recKey := newKeys(t), newKeys(t)
	type result struct {
		pub []byte
		err error
	}
	ch := make(chan result, 1)
	var iniPub []byte
	var err error
	if oursInitiates {
		g := gethrlpx.NewConn(accepted, nil)
		go func() {
			pub, err := g.Handshake(recKey.geth)
			ch <- result{gethcrypto.FromECDSAPub(pub), err}
		}()
		o := rlpx.NewConn(dialed, &recKey.ours.PublicKey)
		var pub *ecdsa.PublicKey
		pub, err = o.Handshake(iniKey.ours)
		if err == nil {
			iniPub = crypto.FromECDSAPub(pub)
		}
		ini, rec = o, g
	} else {
		o := rlpx.NewConn(accepted, nil)
		go func() {
			pub, err := o.Handshake(recKey.ours)
			var b []byte
			if err == nil {
				b = crypto.FromECDSAPub(pub)
			}
			ch <- result{b, err}
		}()
		gethDest, _ := gethcrypto.UnmarshalPubkey(crypto.FromECDSAPub(&recKey.ours.PublicKey))
		g := gethrlpx.NewConn(dialed, gethDest)
		var pub *ecdsa.PublicKey
		pub, err = g.Handshake(iniKey.geth)
		if err == nil {
			iniPub = gethcrypto.FromECDSAPub(pub)
		}
		ini, rec = g, o
	}
	if err != nil {
		t.Fatal("initiator handshake:", err)
	}
	r := <-ch
	if r.err != nil {
		t.Fatal("recipient handshake:", r.err)
	}
	if !bytes.Equal(iniPub, crypto.FromECDSAPub(&recKey.ours.PublicKey)) {
		t.Fatal("initiator sees the wrong key")
	}
	if !bytes.Equal(r.pub, crypto.FromECDSAPub(&iniKey.ours.PublicKey)) {
		t.Fatal("recipient sees the wrong key")
	}
	t.Cleanup(func() { ini.Close(); rec.Close() })
	return ini, rec
}

func payload(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, 7))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	if seed%2 == 0 {
		for i := range b {
			if i%4 != 0 {
				b[i] = 0 // compressible
			}
		}
	}
	return b
}

func send(t *testing.T, from, to transport, code uint64, data []byte) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		_, err := from.Write(code, data)
		errc <- err
	}()
	gotCode, got, _, err := to.Read()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("write: %v", err)
	}
	if gotCode != code || !bytes.Equal(got, data) {
		t.Fatalf("got code %d with %d bytes, want code %d with %d bytes", gotCode, len(got), code, len(data))
	}
}

func TestInterop(t *testing.T) {
	sizes := []int{0, 1, 31, 32, 33, 1000, 4096, 64 << 10, 1<<20 + 3, 8 << 20}
	for _, oursInitiates := range []bool{true, false} {
		for _, snappy := range []bool{false, true} {
			name := fmt.Sprintf("ours-initiates=%v/snappy=%v", oursInitiates, snappy)
			t.Run(name, func(t *testing.T) {
				ini, rec := pair(t, oursInitiates)
				ini.SetSnappy(snappy)
				rec.SetSnappy(snappy)
				for i, size := range sizes {
					data := payload(size, uint64(i))
					send(t, ini, rec, uint64(16+i), data)
					send(t, rec, ini, uint64(200+i), data)
				}
			})
		}
	}
}
