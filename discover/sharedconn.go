package discover

import (
	"net"
	"net/netip"
	"sync"
)

// NewSharedConn returns a UDPConn for discovery v5 on the socket of a
// discovery v4 instance: reads come from unhandled, the channel given to
// ListenV4 as Config.Unhandled, where v4 puts the packets that are not v4;
// writes and LocalAddr go to conn. Close makes reads fail with
// net.ErrClosed but leaves conn open: the v4 instance owns it. This is how
// go-ethereum shares one port between the two versions:
//
//	unhandled := make(chan discover.ReadPacket, 100)
//	v4, err := discover.ListenV4(conn, ln, discover.Config{
//		PrivateKey: key,
//		Unhandled:  unhandled,
//	})
//	...
//	v5, err := discover.ListenV5(discover.NewSharedConn(conn, unhandled), ln, discover.Config{
//		PrivateKey: key,
//	})
//	...
//	v5.Close() // first: it does not close conn
//	v4.Close() // closes conn
//
// Give each version its own Config: ListenV5 must not get the Unhandled
// channel (it would pass packets that are not v5 back to it).
func NewSharedConn(conn UDPConn, unhandled <-chan ReadPacket) UDPConn {
	return &sharedConn{conn: conn, unhandled: unhandled, closed: make(chan struct{})}
}

type sharedConn struct {
	conn      UDPConn
	unhandled <-chan ReadPacket
	closeOnce sync.Once
	closed    chan struct{}
}

// ReadFromUDPAddrPort returns the next packet from the channel. A packet
// longer than b is cut to len(b). It fails with net.ErrClosed after Close
// or once the channel is closed.
func (c *sharedConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	select {
	case p, ok := <-c.unhandled:
		if !ok {
			return 0, netip.AddrPort{}, net.ErrClosed
		}
		return copy(b, p.Data), p.Addr, nil
	case <-c.closed:
		return 0, netip.AddrPort{}, net.ErrClosed
	}
}

func (c *sharedConn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	default:
	}
	return c.conn.WriteToUDPAddrPort(b, addr)
}

// Close stops reads; the underlying socket stays open.
func (c *sharedConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return nil
}

func (c *sharedConn) LocalAddr() net.Addr { return c.conn.LocalAddr() }
