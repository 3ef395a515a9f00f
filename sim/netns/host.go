// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package netns

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"sync"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/discover"
	"github.com/seednet/p2p/enode"
	"golang.org/x/sys/unix"
)

var (
	_ p2p.Network    = (*Host)(nil)
	_ p2p.NodeDialer = (*Host)(nil)
)

// Host is one host namespace of a lab, with one IPv4 address. It
// implements p2p.Network (Listen, ListenUDP) and p2p.NodeDialer (Dial):
// the sockets it makes are in its namespace, and stay there.
type Host struct {
	index int
	ns    string
	addr  netip.Addr

	mu sync.RWMutex // guards fd against close while a thread enters
	fd int          // the namespace, open; -1 once closed
}

// Addr returns the host's address.
func (h *Host) Addr() netip.Addr { return h.addr }

// Namespace returns the name of the host's namespace.
func (h *Host) Namespace() string { return h.ns }

func (h *Host) open() error {
	p, err := nsPath(h.ns)
	if err != nil {
		return err
	}
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("netns: host %d: %w", h.index, err)
	}
	h.mu.Lock()
	h.fd = fd
	h.mu.Unlock()
	return nil
}

func (h *Host) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fd >= 0 {
		unix.Close(h.fd)
		h.fd = -1
	}
}

// do runs f on a thread of its own that has entered the host's namespace,
// so that the sockets f creates are the namespace's.
func (h *Host) do(f func() error) error {
	errc := make(chan error, 1)
	go func() {
		// The thread is locked and never unlocked: once it has entered
		// the namespace it must not run other goroutines, and a
		// goroutine that ends locked to its thread takes the thread
		// with it (the runtime starts new threads from a clean one).
		runtime.LockOSThread()
		if err := h.enter(); err != nil {
			errc <- err
			return
		}
		errc <- f()
	}()
	return <-errc
}

func (h *Host) enter() error {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.fd < 0 {
		return fmt.Errorf("netns: host %d: %w", h.index, net.ErrClosed)
	}
	if err := unix.Setns(h.fd, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("netns: host %d: entering %s: %w", h.index, h.ns, err)
	}
	return nil
}

// Listen listens for TCP connections at address ("host:port") in the
// host's namespace.
func (h *Host) Listen(address string) (net.Listener, error) {
	var ln net.Listener
	err := h.do(func() (err error) {
		ln, err = net.Listen("tcp", address)
		return err
	})
	return ln, err
}

// ListenUDP opens a UDP socket at address in the host's namespace.
func (h *Host) ListenUDP(address string) (discover.UDPConn, error) {
	c, err := h.ListenPacket(address)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ListenPacket is ListenUDP with the socket's own type.
func (h *Host) ListenPacket(address string) (*net.UDPConn, error) {
	var c *net.UDPConn
	err := h.do(func() error {
		pc, err := net.ListenPacket("udp", address)
		if err != nil {
			return err
		}
		c = pc.(*net.UDPConn)
		return nil
	})
	return c, err
}

// Dial connects to the node's IP address and TCP port from the host's
// namespace.
func (h *Host) Dial(ctx context.Context, node *enode.Node) (net.Conn, error) {
	ep, ok := node.TCPEndpoint()
	if !ok {
		return nil, fmt.Errorf("netns: node %s has no TCP endpoint", node.ID().TerminalString())
	}
	return h.DialContext(ctx, "tcp", ep.String())
}

// DialContext is net.Dialer's DialContext run in the host's namespace:
// network is "tcp" or "udp" (or their 4 and 6 forms), address an IP
// address and port (a name would be looked up in the namespace, which has
// no resolver).
func (h *Host) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	var c net.Conn
	err := h.do(func() (err error) {
		var d net.Dialer
		c, err = d.DialContext(ctx, network, address)
		return err
	})
	return c, err
}
