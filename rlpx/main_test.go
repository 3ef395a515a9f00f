package rlpx

import (
	"net"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/seednet/p2p/internal/testutil"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// tcpPair returns the two ends of a fresh loopback TCP connection.
func tcpPair(t testing.TB) (dialed, accepted net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		c   net.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		ch <- result{c, err}
	}()
	dialed, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Cleanup(func() { dialed.Close(); r.c.Close() })
	return dialed, r.c
}

// connPair runs the handshake over a loopback TCP connection and returns
// the initiator's and the recipient's Conn.
func connPair(t testing.TB) (ini, rec *Conn) {
	t.Helper()
	dialed, accepted := tcpPair(t)
	iniKey, recKey := testutil.NewKey(t), testutil.NewKey(t)
	ini = NewConn(dialed, &recKey.PublicKey)
	rec = NewConn(accepted, nil)
	deadline := time.Now().Add(10 * time.Second)
	ini.SetDeadline(deadline)
	rec.SetDeadline(deadline)
	errc := make(chan error, 1)
	go func() {
		pub, err := rec.Handshake(recKey)
		if err == nil && !pub.Equal(&iniKey.PublicKey) {
			err = errWrongKey
		}
		errc <- err
	}()
	pub, err := ini.Handshake(iniKey)
	if err != nil {
		t.Fatal("initiator:", err)
	}
	if !pub.Equal(&recKey.PublicKey) {
		t.Fatal("initiator sees wrong remote key")
	}
	if err := <-errc; err != nil {
		t.Fatal("recipient:", err)
	}
	ini.SetDeadline(time.Time{})
	rec.SetDeadline(time.Time{})
	return ini, rec
}

type testError string

func (e testError) Error() string { return string(e) }

const errWrongKey = testError("recipient sees wrong remote key")
