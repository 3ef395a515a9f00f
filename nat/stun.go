package nat

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// DefaultSTUNServers are asked, in turn, by STUN("").
var DefaultSTUNServers = []string{
	"stun.l.google.com:19302",
	"stun1.l.google.com:19302",
	"stun.cloudflare.com:3478",
}

// stun finds the external address with STUN Binding requests. It maps no
// ports: AddMapping returns extport, which is right behind a NAT that
// keeps one external port per internal port for every peer (full cone).
type stun struct {
	servers []string
}

// STUN returns an Interface that asks server (host:port), or the
// DefaultSTUNServers when server is "", for the external address.
func STUN(server string) Interface {
	if server == "" {
		return &stun{servers: DefaultSTUNServers}
	}
	return &stun{servers: []string{server}}
}

func (s *stun) String() string {
	if len(s.servers) == 1 {
		return "STUN(" + s.servers[0] + ")"
	}
	return "STUN"
}

// AddMapping maps nothing and returns extport.
func (s *stun) AddMapping(protocol string, extport, intport int, name string, lifetime time.Duration) (uint16, error) {
	return uint16(extport), nil
}

// DeleteMapping does nothing.
func (s *stun) DeleteMapping(string, int, int) error { return nil }

// ExternalIP asks the servers in turn and returns the first answer.
func (s *stun) ExternalIP() (net.IP, error) {
	var errs []error
	for _, server := range s.servers {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		ap, err := stunQuery(ctx, server)
		cancel()
		if err == nil {
			return ap.Addr().AsSlice(), nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", server, err))
	}
	return nil, errors.Join(errs...)
}

// stunQuery sends Binding requests to server, retransmitting after 500 ms,
// 1 s, 2 s... until a response or the end of ctx.
func stunQuery(ctx context.Context, server string) (ap netip.AddrPort, err error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", server)
	if err != nil {
		return ap, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	var tid [12]byte
	rand.Read(tid[:])
	req := stunRequest(tid)
	buf := make([]byte, stunMaxResponseSize)
	for wait := 500 * time.Millisecond; ; wait *= 2 {
		if _, err := conn.Write(req); err != nil {
			return ap, err
		}
		conn.SetReadDeadline(time.Now().Add(wait))
		for {
			n, err := conn.Read(buf)
			if err != nil {
				if ctx.Err() != nil {
					return ap, fmt.Errorf("no answer: %w", ctx.Err())
				}
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					break
				}
				return ap, err
			}
			res, err := parseSTUNResponse(buf[:n], tid)
			if errors.Is(err, errSTUNNotOurs) {
				continue
			}
			return res, err
		}
	}
}
