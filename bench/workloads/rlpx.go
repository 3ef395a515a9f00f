package workloads

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"net"
	"time"

	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	gethrlpx "github.com/ethereum/go-ethereum/p2p/rlpx"

	"github.com/seednet/p2p/bench/harness"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/rlpx"
)

// Batching policy of the "ours+batch" sender. A real sender (the server's
// write loop) calls WriteBuffered for each queued message and Flush when
// its queue runs dry. This sender's queue never runs dry, so it flushes
// after BatchMsgs messages or once BatchBytes of payload are buffered,
// whichever comes first, and always after the last message of a batch of
// operations. At 64 KiB and above that is a flush per message, the same as
// Write. (The rlpx writer also flushes by itself whenever its 64 KiB
// buffer fills.)
const (
	BatchMsgs  = 64
	BatchBytes = 64 << 10
)

// msgConn is what both libraries' rlpx.Conn offer after the handshake.
type msgConn interface {
	Read() (code uint64, data []byte, wireSize int, err error)
	Write(code uint64, data []byte) (uint32, error)
	SetSnappy(bool)
	SetDeadline(time.Time) error
	Close() error
}

// batchConn is our Conn's batching API; go-ethereum has none.
type batchConn interface {
	WriteBuffered(code uint64, data []byte) (uint32, error)
	Flush() error
}

// handshakeFunc wraps c in one library's rlpx.Conn and runs the handshake
// with key self; dest is the recipient's key when this side initiates and
// nil otherwise. It returns the connection and the remote public key in
// uncompressed form.
type handshakeFunc func(c net.Conn, self KeyPair, dest *KeyPair) (msgConn, []byte, error)

func oursHandshake(c net.Conn, self KeyPair, dest *KeyPair) (msgConn, []byte, error) {
	var d *ecdsa.PublicKey
	if dest != nil {
		d = &dest.Ours.PublicKey
	}
	conn := rlpx.NewConn(c, d)
	pub, err := conn.Handshake(self.Ours)
	if err != nil {
		return nil, nil, err
	}
	return conn, crypto.FromECDSAPub(pub), nil
}

func gethHandshake(c net.Conn, self KeyPair, dest *KeyPair) (msgConn, []byte, error) {
	var d *ecdsa.PublicKey
	if dest != nil {
		d = &dest.Geth.PublicKey
	}
	conn := gethrlpx.NewConn(c, d)
	pub, err := conn.Handshake(self.Geth)
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	return conn, gethcrypto.FromECDSAPub(pub), nil
}

// ioDeadline bounds every socket operation of a sample beyond its budget,
// so a broken implementation fails instead of hanging.
func ioDeadline(b harness.Budget) time.Time {
	return time.Now().Add(b.Warmup + 2*b.Measure + 30*time.Second)
}

// listen opens a listener on the IPv4 loopback address.
func listen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// closeNow closes c with a reset instead of the FIN handshake, so that
// thousands of short connections leave no sockets in TIME_WAIT.
func closeNow(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

// handshakeCase: complete handshakes, both sides in this process, each over
// a fresh loopback TCP connection; one operation is one pair.
func handshakeCase() harness.Case {
	ini, rec := mustKeyPair(), mustKeyPair()
	return harness.Case{
		Name: "rlpx/handshake",
		Kind: harness.KindRate,
		Impls: []harness.Impl{
			{Name: "ours", Run: handshakeRun(oursHandshake, ini, rec)},
			{Name: harness.Baseline, Run: handshakeRun(gethHandshake, ini, rec)},
		},
		Check: func() error {
			for _, hs := range []handshakeFunc{oursHandshake, gethHandshake} {
				if _, err := handshakeRun(hs, ini, rec)(harness.Budget{MaxOps: 1}); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

func handshakeRun(hs handshakeFunc, ini, rec KeyPair) func(harness.Budget) (harness.Sample, error) {
	wantIni := crypto.FromECDSAPub(&ini.Ours.PublicKey)
	wantRec := crypto.FromECDSAPub(&rec.Ours.PublicKey)
	return func(b harness.Budget) (harness.Sample, error) {
		ln, err := listen()
		if err != nil {
			return harness.Sample{}, err
		}
		defer ln.Close()
		deadline := ioDeadline(b)
		results := make(chan error, 1)
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.SetDeadline(deadline)
				_, pub, err := hs(c, rec, nil)
				if err == nil && !bytes.Equal(pub, wantIni) {
					err = errors.New("recipient saw the wrong initiator key")
				}
				closeNow(c)
				results <- err
			}
		}()
		return harness.Loop(b, 0, func(n int) error {
			for range n {
				c, err := net.Dial("tcp", ln.Addr().String())
				if err != nil {
					return err
				}
				c.SetDeadline(deadline)
				_, pub, err := hs(c, ini, &rec)
				if err == nil && !bytes.Equal(pub, wantRec) {
					err = errors.New("initiator saw the wrong recipient key")
				}
				closeNow(c)
				if rerr := <-results; err == nil {
					err = rerr
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// ThroughputSizes are the payload sizes of the frame throughput cases.
var ThroughputSizes = []struct {
	Name string
	Size int
}{{"256B", 256}, {"4KiB", 4 << 10}, {"64KiB", 64 << 10}, {"1MiB", 1 << 20}}

// throughputCases: one-way frames over loopback TCP, random (so
// incompressible) payloads; the sender writes as fast as it can and the
// receiver reads and discards. One operation is one message; MB/s counts
// payload bytes. Ours runs twice: Write (a flush per message, as geth) and
// WriteBuffered with the batching policy above.
func throughputCases() []harness.Case {
	var cases []harness.Case
	for _, snappy := range []bool{false, true} {
		for _, sz := range ThroughputSizes {
			mode := "plain"
			if snappy {
				mode = "snappy"
			}
			data := randomBytes(sz.Size, uint64(sz.Size))
			impls := []harness.Impl{
				{Name: "ours", Run: throughputRun(oursHandshake, data, snappy, false)},
				{Name: "ours+batch", Run: throughputRun(oursHandshake, data, snappy, true)},
				{Name: harness.Baseline, Run: throughputRun(gethHandshake, data, snappy, false)},
			}
			cases = append(cases, harness.Case{
				Name:  fmt.Sprintf("rlpx/%s/%s", sz.Name, mode),
				Kind:  harness.KindThroughput,
				Impls: impls,
				Check: func() error {
					for _, im := range []struct {
						hs    handshakeFunc
						batch bool
					}{{oursHandshake, false}, {oursHandshake, true}, {gethHandshake, false}} {
						s, err := newStream(im.hs, data, snappy, im.batch, true, time.Now().Add(30*time.Second))
						if err != nil {
							return err
						}
						err = s.send(3)
						s.close()
						if err != nil {
							return err
						}
					}
					return nil
				},
			})
		}
	}
	return cases
}

func throughputRun(hs handshakeFunc, data []byte, snappy, batch bool) func(harness.Budget) (harness.Sample, error) {
	return func(b harness.Budget) (harness.Sample, error) {
		s, err := newStream(hs, data, snappy, batch, false, ioDeadline(b))
		if err != nil {
			return harness.Sample{}, err
		}
		defer s.close()
		return harness.Loop(b, int64(len(data)), s.send)
	}
}

// msgCode is the code of every message in a stream.
const msgCode = 0x10

// stream is a connected pair: the initiator sends, the recipient's
// goroutine reads.
type stream struct {
	snd, rcv msgConn
	data     []byte
	batch    bool
	verify   bool // the receiver checks every message's code and payload
	want     chan int
	done     chan error
}

func newStream(hs handshakeFunc, data []byte, snappy, batch, verify bool, deadline time.Time) (*stream, error) {
	snd, rcv, err := connPair(hs, deadline)
	if err != nil {
		return nil, err
	}
	snd.SetSnappy(snappy)
	rcv.SetSnappy(snappy)
	if batch {
		if _, ok := snd.(batchConn); !ok {
			snd.Close()
			rcv.Close()
			return nil, errors.New("this Conn cannot batch")
		}
	}
	s := &stream{snd: snd, rcv: rcv, data: data, batch: batch, verify: verify,
		want: make(chan int), done: make(chan error, 1)}
	go s.receive()
	return s, nil
}

// receive reads the number of messages each send announces.
func (s *stream) receive() {
	for n := range s.want {
		var err error
		for range n {
			var (
				code uint64
				data []byte
			)
			code, data, _, err = s.rcv.Read()
			if err == nil && s.verify && (code != msgCode || !bytes.Equal(data, s.data)) {
				err = fmt.Errorf("received code %d with %d bytes, want code %d with %d bytes", code, len(data), msgCode, len(s.data))
			}
			if err != nil {
				break
			}
		}
		s.done <- err
	}
}

// send writes n messages and waits until the receiver has read them all.
func (s *stream) send(n int) error {
	s.want <- n
	var err error
	if s.batch {
		err = s.sendBatched(n)
	} else {
		for range n {
			if _, err = s.snd.Write(msgCode, s.data); err != nil {
				break
			}
		}
	}
	if err != nil {
		// Unblock the receiver, then report the write error.
		s.snd.Close()
		<-s.done
		return fmt.Errorf("write: %w", err)
	}
	if err := <-s.done; err != nil {
		return fmt.Errorf("read: %w", err)
	}
	return nil
}

func (s *stream) sendBatched(n int) error {
	bc := s.snd.(batchConn)
	msgs, bytes := 0, 0
	for i := range n {
		if _, err := bc.WriteBuffered(msgCode, s.data); err != nil {
			return err
		}
		msgs++
		bytes += len(s.data)
		if msgs >= BatchMsgs || bytes >= BatchBytes || i == n-1 {
			if err := bc.Flush(); err != nil {
				return err
			}
			msgs, bytes = 0, 0
		}
	}
	return nil
}

func (s *stream) close() {
	close(s.want)
	s.snd.Close()
	s.rcv.Close()
}

// connPair connects an initiator and a recipient of one library over
// loopback TCP and runs both handshakes.
func connPair(hs handshakeFunc, deadline time.Time) (ini, rec msgConn, err error) {
	ln, err := listen()
	if err != nil {
		return nil, nil, err
	}
	defer ln.Close()
	iniKey, recKey := mustKeyPair(), mustKeyPair()
	type result struct {
		c   msgConn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			ch <- result{nil, err}
			return
		}
		c.SetDeadline(deadline)
		mc, _, err := hs(c, recKey, nil)
		ch <- result{mc, err}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		ln.Close()
		<-ch
		return nil, nil, err
	}
	c.SetDeadline(deadline)
	ini, _, err = hs(c, iniKey, &recKey)
	if err != nil {
		c.Close()
	}
	r := <-ch
	if err == nil {
		err = r.err
	}
	if err != nil {
		if ini != nil {
			ini.Close()
		}
		if r.c != nil {
			r.c.Close()
		}
		return nil, nil, fmt.Errorf("handshake: %w", err)
	}
	return ini, r.c, nil
}
