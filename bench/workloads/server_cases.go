package workloads

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/seednet/p2p/bench/harness"
)

var serverLibs = []library{oursLib, gethLib}

// serverThroughputCases is workload 3: two Servers of one library, one
// connection; the dialer's Run writes messages as fast as WriteMsg takes
// them, the other's Run reads and discards them and counts. One operation
// is one message; MB/s counts payload bytes. Payloads are random, so
// snappy (on, as both sides speak base protocol 5) cannot shrink them.
func serverThroughputCases() []harness.Case {
	var cases []harness.Case
	for _, sz := range ThroughputSizes {
		data := randomBytes(sz.Size, uint64(sz.Size)+3)
		c := harness.Case{
			Name: "server/" + sz.Name,
			Kind: harness.KindThroughput,
			Check: func() error {
				for _, lib := range serverLibs {
					f, err := startFlow(lib, data, true)
					if err != nil {
						return err
					}
					err = f.send(3)
					f.stop()
					if err != nil {
						return fmt.Errorf("%s: %w", lib.name, err)
					}
				}
				return nil
			},
		}
		for _, lib := range serverLibs {
			c.Impls = append(c.Impls, harness.Impl{Name: lib.name, Run: func(b harness.Budget) (harness.Sample, error) {
				f, err := startFlow(lib, data, false)
				if err != nil {
					return harness.Sample{}, err
				}
				defer f.stop()
				f.deadline = ioDeadline(b)
				return harness.Loop(b, int64(len(data)), f.send)
			}})
		}
		cases = append(cases, c)
	}
	return cases
}

// flow is a pair of Servers with a one-way stream of messages: the
// sender's Run writes the number of messages sendq asks for, the
// receiver's Run reads the number recvq asks for and reports on done.
type flow struct {
	*pair
	data     []byte
	verify   bool // the receiver compares every payload with data
	deadline time.Time
	sendq    chan int
	recvq    chan int
	sent     chan error
	done     chan error
	quit     chan struct{}
}

func startFlow(lib library, data []byte, verify bool) (*flow, error) {
	f := &flow{
		data:     data,
		verify:   verify,
		deadline: time.Now().Add(30 * time.Second),
		sendq:    make(chan int, 1),
		recvq:    make(chan int, 1),
		sent:     make(chan error, 1),
		done:     make(chan error, 1),
		quit:     make(chan struct{}),
	}
	p, err := startPair(lib, f.sendRun, f.recvRun, false)
	if err != nil {
		return nil, err
	}
	f.pair = p
	return f, nil
}

func (f *flow) sendRun(rw msgRW) error {
	for {
		select {
		case n := <-f.sendq:
			var err error
			for range n {
				if err = rw.write(0, f.data); err != nil {
					break
				}
			}
			f.sent <- err
			if err != nil {
				return err
			}
		case <-f.quit:
			return nil
		}
	}
}

func (f *flow) recvRun(rw msgRW) error {
	var buf []byte
	if f.verify {
		buf = make([]byte, 0, len(f.data))
	}
	for {
		var n int
		select {
		case n = <-f.recvq:
		case <-f.quit:
			return nil
		}
		var err error
		for range n {
			var (
				code    uint64
				size    uint32
				payload []byte
			)
			code, size, payload, err = rw.read(buf)
			if err == nil && (code != 0 || int(size) != len(f.data) || (f.verify && !bytes.Equal(payload, f.data))) {
				err = fmt.Errorf("received code %d with %d bytes, want code 0 with %d bytes", code, size, len(f.data))
			}
			if err != nil {
				break
			}
		}
		f.done <- err
		if err != nil {
			return err
		}
	}
}

// send has n messages sent and waits until the receiver read them all.
func (f *flow) send(n int) error {
	f.recvq <- n
	f.sendq <- n
	t := time.NewTimer(time.Until(f.deadline))
	defer t.Stop()
	var errs []error
	for range 2 {
		select {
		case err := <-f.sent:
			errs = append(errs, err)
		case err := <-f.done:
			errs = append(errs, err)
		case <-t.C:
			return errors.New("messages did not arrive in time")
		}
	}
	return errors.Join(errs...)
}

func (f *flow) stop() {
	close(f.quit)
	f.pair.stop()
}

// pingSize is the payload of a ping-pong request and of its reply.
const pingSize = 32

// pingPongCases is workload 4: over one connection between two Servers of
// one library, a request of 32 bytes (code 0) and its reply (code 1,
// echoing the request). The dialer's Run hands its MsgReadWriter to the
// benchmark goroutine, which writes each request and reads the reply
// itself; the other side's Run answers. Latency is per round trip.
func pingPongCases() []harness.Case {
	req := randomBytes(pingSize, 32)
	c := harness.Case{
		Name: "server/pingpong/32B",
		Kind: harness.KindLatency,
		Check: func() error {
			for _, lib := range serverLibs {
				if _, err := pingPongRun(lib, req)(harness.Budget{MaxOps: 3}); err != nil {
					return fmt.Errorf("%s: %w", lib.name, err)
				}
			}
			return nil
		},
	}
	for _, lib := range serverLibs {
		c.Impls = append(c.Impls, harness.Impl{Name: lib.name, Run: pingPongRun(lib, req)})
	}
	return []harness.Case{c}
}

func pingPongRun(lib library, req []byte) func(harness.Budget) (harness.Sample, error) {
	return func(b harness.Budget) (harness.Sample, error) {
		quit := make(chan struct{})
		rws := make(chan msgRW, 1)
		client := func(rw msgRW) error {
			rws <- rw
			<-quit
			return nil
		}
		echo := func(rw msgRW) error {
			buf := make([]byte, 0, pingSize)
			for {
				code, _, payload, err := rw.read(buf)
				if err != nil {
					return err
				}
				if code != 0 {
					return fmt.Errorf("echo: got code %d", code)
				}
				if err := rw.write(1, payload); err != nil {
					return err
				}
			}
		}
		p, err := startPair(lib, client, echo, false)
		if err != nil {
			return harness.Sample{}, err
		}
		defer func() {
			close(quit)
			p.stop()
		}()
		rw := <-rws
		buf := make([]byte, 0, pingSize)
		return harness.LatencyLoop(b, func() error {
			if err := rw.write(0, req); err != nil {
				return err
			}
			code, _, reply, err := rw.read(buf)
			if err != nil {
				return err
			}
			if code != 1 || !bytes.Equal(reply, req) {
				return fmt.Errorf("reply: code %d, %d bytes, want the request echoed with code 1", code, len(reply))
			}
			return nil
		})
	}
}

// connSetupCases is workload 5: one operation is a complete connection
// between two Servers of one library and its end, one after another: TCP
// connect, RLPx handshake, Hello exchange, the protocol's Run called on
// both sides, then the dialer disconnects and both sides report the peer
// dropped. Ours dials through AddPeer (its dial scheduler) and ends with
// RemovePeer; geth's connection is dialed here and given to SetupConn,
// which is what its dial scheduler does (geth will not redial a node
// within 35 s), and ended with Peer.Disconnect.
func connSetupCases() []harness.Case {
	c := harness.Case{
		Name: "server/setup",
		Kind: harness.KindRate,
		Check: func() error {
			for _, lib := range serverLibs {
				if _, err := connSetupRun(lib)(harness.Budget{MaxOps: 2}); err != nil {
					return fmt.Errorf("%s: %w", lib.name, err)
				}
			}
			return nil
		},
	}
	for _, lib := range serverLibs {
		c.Impls = append(c.Impls, harness.Impl{Name: lib.name, Run: connSetupRun(lib)})
	}
	return []harness.Case{c}
}

func connSetupRun(lib library) func(harness.Budget) (harness.Sample, error) {
	return func(b harness.Budget) (harness.Sample, error) {
		started := make(chan struct{}, 2)
		run := func(rw msgRW) error {
			started <- struct{}{}
			for {
				if _, _, _, err := rw.read(nil); err != nil {
					return err
				}
			}
		}
		a, err := lib.start(serverConfig{run: run, events: true})
		if err != nil {
			return harness.Sample{}, err
		}
		defer a.stop()
		srvB, err := lib.start(serverConfig{run: run, events: true})
		if err != nil {
			return harness.Sample{}, err
		}
		defer srvB.stop()
		const timeout = 10 * time.Second
		return harness.Loop(b, 0, func(n int) error {
			for range n {
				if err := a.connect(srvB); err != nil {
					return fmt.Errorf("connect: %w", err)
				}
				if err := waitN(started, 2, timeout); err != nil {
					return fmt.Errorf("protocol start: %w", err)
				}
				a.disconnect(srvB)
				if err := a.waitDrop(timeout); err != nil {
					return err
				}
				if err := srvB.waitDrop(timeout); err != nil {
					return err
				}
			}
			return nil
		})
	}
}
