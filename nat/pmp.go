package nat

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// pmp is a NAT-PMP gateway.
type pmp struct {
	gw netip.Addr
}

// discoverPMP checks that gw (the default gateway when nil) answers
// NAT-PMP, by asking it for the external address.
func discoverPMP(ctx context.Context, gw net.IP) (Interface, error) {
	var addr netip.Addr
	if gw != nil {
		a, ok := netip.AddrFromSlice(gw)
		if !ok || !a.Unmap().Is4() {
			return nil, fmt.Errorf("NAT-PMP gateway %v is not an IPv4 address", gw)
		}
		addr = a.Unmap()
	} else {
		a, err := defaultGateway()
		if err != nil {
			return nil, err
		}
		addr = a
	}
	n := &pmp{gw: addr}
	if _, err := n.externalIP(ctx); err != nil {
		return nil, fmt.Errorf("%w: %s does not answer NAT-PMP: %w", ErrNoGateway, addr, err)
	}
	return n, nil
}

func (n *pmp) String() string { return "NAT-PMP(" + n.gw.String() + ")" }

func (n *pmp) ExternalIP() (net.IP, error) {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	ip, err := n.externalIP(ctx)
	if err != nil {
		return nil, err
	}
	return ip.AsSlice(), nil
}

func (n *pmp) externalIP(ctx context.Context) (netip.Addr, error) {
	resp, err := n.request(ctx, pmpAddressRequest())
	if err != nil {
		return netip.Addr{}, err
	}
	return parsePMPAddress(resp)
}

func pmpOp(protocol string) (byte, error) {
	switch strings.ToUpper(protocol) {
	case "UDP":
		return pmpOpMapUDP, nil
	case "TCP":
		return pmpOpMapTCP, nil
	}
	return 0, fmt.Errorf("nat: protocol %q is neither TCP nor UDP", protocol)
}

// AddMapping maps extport (a wish: the gateway picks) to intport. name is
// not used: NAT-PMP has no descriptions.
func (n *pmp) AddMapping(protocol string, extport, intport int, name string, lifetime time.Duration) (uint16, error) {
	op, err := pmpOp(protocol)
	if err != nil {
		return 0, err
	}
	if lifetime <= 0 {
		return 0, fmt.Errorf("nat: NAT-PMP mapping lifetime must be positive, is %v", lifetime)
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	resp, err := n.request(ctx, pmpMapRequest(op, uint16(intport), uint16(extport), lifetime))
	if err != nil {
		return 0, err
	}
	m, err := parsePMPMapping(resp, op)
	if err != nil {
		return 0, err
	}
	if m.internal != uint16(intport) {
		return 0, fmt.Errorf("%w: mapping for internal port %d, asked for %d", errPMPResponse, m.internal, intport)
	}
	return m.external, nil
}

// DeleteMapping deletes the mapping of intport.
func (n *pmp) DeleteMapping(protocol string, extport, intport int) error {
	op, err := pmpOp(protocol)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	resp, err := n.request(ctx, pmpMapRequest(op, uint16(intport), 0, 0))
	if err != nil {
		return err
	}
	_, err = parsePMPMapping(resp, op)
	return err
}

// pmpFirstWait is the first retransmission interval; it doubles after
// each try (RFC 6886, section 3.1), until ctx ends.
const pmpFirstWait = 250 * time.Millisecond

// request sends req to the gateway until a response comes or ctx ends.
// The socket is connected, so only the gateway's packets arrive.
func (n *pmp) request(ctx context.Context, req []byte) ([]byte, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp4", netip.AddrPortFrom(n.gw, pmpPort).String())
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	buf := make([]byte, 32)
	for wait := pmpFirstWait; ; wait *= 2 {
		if _, err := conn.Write(req); err != nil {
			return nil, err
		}
		deadline := time.Now().Add(wait)
		if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
			deadline = d
		}
		conn.SetReadDeadline(deadline)
		for {
			k, err := conn.Read(buf)
			if err != nil {
				if ctx.Err() != nil {
					return nil, fmt.Errorf("NAT-PMP: no answer from %s: %w", n.gw, ctx.Err())
				}
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					break // send again
				}
				return nil, err
			}
			// The response to another request (a late one) has another
			// opcode; wait for ours.
			if k >= 2 && buf[1] == pmpResponseFlag+req[1] {
				return buf[:k], nil
			}
		}
	}
}
