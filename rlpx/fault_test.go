package rlpx

import (
	"bytes"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/seednet/p2p/faultnet"
	"github.com/seednet/p2p/internal/testutil"
)

// faultDeadline bounds every handshake, read and write of the fault tests:
// a fault must end in an error well before it, never in a hang.
const faultDeadline = 5 * time.Second

// faultPair returns a loopback TCP connection whose two ends are wrapped
// by faultnet (without faults yet), and RLPx Conns on them that have not
// done the handshake.
func faultPair(t *testing.T) (ini, rec *Conn, iniFault, recFault *faultnet.Conn) {
	t.Helper()
	dialed, accepted := tcpPair(t)
	iniFault = faultnet.Wrap(dialed, faultnet.Config{Seed: 1})
	recFault = faultnet.Wrap(accepted, faultnet.Config{Seed: 2})
	t.Cleanup(func() { iniFault.Close(); recFault.Close() })
	return NewConn(iniFault, nil), NewConn(recFault, nil), iniFault, recFault
}

// handshakeBoth runs the handshake on both sides at once and returns
// their errors.
func handshakeBoth(t *testing.T, iniFault, recFault *faultnet.Conn, timeout time.Duration) (ini, rec *Conn, iniErr, recErr error) {
	t.Helper()
	iniKey, recKey := testutil.NewKey(t), testutil.NewKey(t)
	ini = NewConn(iniFault, &recKey.PublicKey)
	rec = NewConn(recFault, nil)
	deadline := time.Now().Add(timeout)
	ini.SetDeadline(deadline)
	rec.SetDeadline(deadline)
	errc := make(chan error, 1)
	go func() {
		_, err := rec.Handshake(recKey)
		if err != nil {
			rec.Close() // as the server does: the initiator sees the end
		}
		errc <- err
	}()
	_, iniErr = ini.Handshake(iniKey)
	if iniErr != nil {
		ini.Close()
	}
	recErr = <-errc
	return ini, rec, iniErr, recErr
}

func isDeadline(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// TestHandshakeFaults runs the RLPx handshake through a faulty network:
// delay lets it finish; corruption, truncation and resets make both sides
// fail with an error, never a panic and never by the deadline.
func TestHandshakeFaults(t *testing.T) {
	tests := []struct {
		name     string
		ini, rec faultnet.Config // faults of the two ends
		wantOK   bool
		// mayWait: the fault may end only at the deadline. The auth's
		// size prefix with its lowest bit flipped is one byte shorter (the
		// ECIES MAC fails at once) or one longer: then the recipient waits
		// for a byte that never comes, as in any length-prefixed protocol,
		// until the deadline (the server's handshake deadline) ends it.
		mayWait bool
	}{
		{name: "delay-jitter", wantOK: true,
			ini: faultnet.Config{Write: faultnet.Faults{Delay: 20 * time.Millisecond, Jitter: 30 * time.Millisecond}},
			rec: faultnet.Config{Write: faultnet.Faults{Delay: 20 * time.Millisecond, Jitter: 30 * time.Millisecond}}},
		{name: "slow-link", wantOK: true,
			ini: faultnet.Config{Write: faultnet.Faults{BytesPerSecond: 4096}},
			rec: faultnet.Config{Read: faultnet.Faults{Delay: 10 * time.Millisecond}}},
		{name: "corrupt-auth-size", ini: faultnet.Config{Write: faultnet.Faults{CorruptAt: []int64{1}}}, mayWait: true},
		{name: "corrupt-auth-body", ini: faultnet.Config{Write: faultnet.Faults{CorruptAt: []int64{100}}}},
		{name: "corrupt-auth-random", ini: faultnet.Config{Seed: 3, Write: faultnet.Faults{Corrupt: 1}}},
		{name: "corrupt-ack", rec: faultnet.Config{Write: faultnet.Faults{CorruptAt: []int64{120}}}},
		{name: "corrupt-ack-on-read", ini: faultnet.Config{Read: faultnet.Faults{CorruptAt: []int64{60}}}},
		{name: "truncate-auth", ini: faultnet.Config{Write: faultnet.Faults{TruncateAfter: 100}}},
		{name: "truncate-ack", rec: faultnet.Config{Write: faultnet.Faults{TruncateAfter: 50}}},
		{name: "reset-auth", ini: faultnet.Config{Write: faultnet.Faults{ResetAfter: 100}}},
		{name: "reset-ack", rec: faultnet.Config{Write: faultnet.Faults{ResetAfter: 50}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, iniF, recF := faultPair(t)
			iniF.SetWriteFaults(tt.ini.Write)
			iniF.SetReadFaults(tt.ini.Read)
			recF.SetWriteFaults(tt.rec.Write)
			recF.SetReadFaults(tt.rec.Read)
			timeout := faultDeadline
			if tt.mayWait {
				timeout = time.Second
			}
			start := time.Now()
			ini, rec, iniErr, recErr := handshakeBoth(t, iniF, recF, timeout)
			took := time.Since(start)
			t.Logf("initiator: %v; recipient: %v; %v; faults %+v %+v", iniErr, recErr, took.Round(time.Millisecond), iniF.Stats(), recF.Stats())
			if tt.wantOK {
				if iniErr != nil || recErr != nil {
					t.Fatalf("handshake failed: initiator %v, recipient %v", iniErr, recErr)
				}
				ini.SetDeadline(time.Now().Add(faultDeadline))
				rec.SetDeadline(time.Now().Add(faultDeadline))
				exchange(t, ini, rec, 3, []byte("after a slow handshake"))
				return
			}
			if iniErr == nil && recErr == nil {
				t.Fatal("handshake succeeded through the fault")
			}
			if tt.mayWait {
				if iniErr == nil || recErr == nil || took > 3*time.Second {
					t.Fatalf("initiator %v, recipient %v after %v; want both to fail by the 1 s deadline", iniErr, recErr, took)
				}
				return
			}
			// The side that got the bad bytes fails at once; the other
			// one sees the connection end. Neither waits for the deadline.
			if isDeadline(iniErr) || isDeadline(recErr) || took > faultDeadline/2 {
				t.Fatalf("a side waited for the deadline: initiator %v, recipient %v, after %v", iniErr, recErr, took)
			}
		})
	}
}

// TestFrameFaults breaks the stream after a clean handshake: a flipped
// bit fails the MAC check, a truncated or reset stream gives an error,
// and delay with jitter only slows the messages down.
func TestFrameFaults(t *testing.T) {
	msg := bytes.Repeat([]byte("frame "), 20) // 120 bytes: header 32, body 128 with the code, MAC 16
	tests := []struct {
		name    string
		write   faultnet.Faults // on the initiator's writes
		read    faultnet.Faults // on the recipient's reads
		wantErr func(error) bool
	}{
		{name: "delay-jitter", write: faultnet.Faults{Delay: 2 * time.Millisecond, Jitter: 8 * time.Millisecond}},
		{name: "read-delay", read: faultnet.Faults{Delay: 2 * time.Millisecond, Jitter: 5 * time.Millisecond}},
		{name: "corrupt-header", write: faultnet.Faults{CorruptAt: []int64{2}}, wantErr: is(ErrBadHeaderMAC)},
		{name: "corrupt-header-mac", write: faultnet.Faults{CorruptAt: []int64{20}}, wantErr: is(ErrBadHeaderMAC)},
		{name: "corrupt-body", write: faultnet.Faults{CorruptAt: []int64{40}}, wantErr: is(ErrBadFrameMAC)},
		{name: "corrupt-frame-mac", write: faultnet.Faults{CorruptAt: []int64{32 + 128 + 3}}, wantErr: is(ErrBadFrameMAC)},
		{name: "corrupt-second-frame", write: faultnet.Faults{CorruptAt: []int64{176 + 50}}, wantErr: is(ErrBadFrameMAC)},
		{name: "corrupt-random", write: faultnet.Faults{Corrupt: 0.5}, wantErr: is(ErrBadHeaderMAC, ErrBadFrameMAC)},
		{name: "corrupt-on-read", read: faultnet.Faults{CorruptAt: []int64{60}}, wantErr: is(ErrBadFrameMAC)},
		{name: "truncate-in-header", write: faultnet.Faults{TruncateAfter: 10}, wantErr: notTimeout},
		{name: "truncate-in-body", write: faultnet.Faults{TruncateAfter: 100}, wantErr: notTimeout},
		{name: "reset-in-header", write: faultnet.Faults{ResetAfter: 10}, wantErr: notTimeout},
		{name: "reset-in-body", write: faultnet.Faults{ResetAfter: 100}, wantErr: notTimeout},
		{name: "reset-on-read", read: faultnet.Faults{ResetAfter: 300}, wantErr: is(faultnet.ErrReset)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, iniF, recF := faultPair(t)
			ini, rec, iniErr, recErr := handshakeBoth(t, iniF, recF, faultDeadline)
			if iniErr != nil || recErr != nil {
				t.Fatalf("handshake: %v, %v", iniErr, recErr)
			}
			iniF.SetWriteFaults(tt.write)
			recF.SetReadFaults(tt.read)
			ini.SetDeadline(time.Now().Add(faultDeadline))
			rec.SetDeadline(time.Now().Add(faultDeadline))

			const n = 20
			werr := make(chan error, 1)
			go func() {
				for i := range n {
					if _, err := ini.Write(uint64(i), msg); err != nil {
						werr <- err
						return
					}
				}
				werr <- nil
			}()
			var readErr error
			got := 0
			for got < n {
				code, data, _, err := rec.Read()
				if err != nil {
					readErr = err
					break
				}
				if code != uint64(got) || !bytes.Equal(data, msg) {
					t.Fatalf("message %d: code %d, %d bytes: a corrupted frame was accepted", got, code, len(data))
				}
				got++
			}
			writeErr := <-werr
			t.Logf("read %d messages, read error %v, write error %v, faults %+v / %+v", got, readErr, writeErr, iniF.Stats(), recF.Stats())
			if tt.wantErr == nil {
				if readErr != nil || writeErr != nil {
					t.Fatalf("read %v, write %v", readErr, writeErr)
				}
				return
			}
			if readErr == nil {
				t.Fatal("all messages read through the fault")
			}
			if !tt.wantErr(readErr) {
				t.Fatalf("read error %v", readErr)
			}
			// A failed Read closes the connection: later calls fail too.
			if _, _, _, err := rec.Read(); err == nil {
				t.Fatal("Read after the failure succeeded")
			}
			if _, err := rec.Write(0, nil); err == nil {
				t.Fatal("Write after the failed Read succeeded")
			}
		})
	}
}

// is returns a check that an error is one of want.
func is(want ...error) func(error) bool {
	return func(err error) bool {
		for _, w := range want {
			if errors.Is(err, w) {
				return true
			}
		}
		return false
	}
}

// notTimeout accepts any error but a deadline's: the end of the stream
// must be seen as it happens.
func notTimeout(err error) bool { return err != nil && !isDeadline(err) }
