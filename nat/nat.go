package nat

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Interface maps ports on a NAT gateway and tells the external address.
// It has go-ethereum's shape, so code written for its nat package works
// with this one.
type Interface interface {
	// AddMapping asks the gateway to forward extport of protocol ("TCP" or
	// "UDP") to intport on this host for lifetime, and returns the external
	// port it got, which may differ from extport. name describes the
	// mapping where the gateway shows one.
	AddMapping(protocol string, extport, intport int, name string, lifetime time.Duration) (uint16, error)
	// DeleteMapping removes a mapping that AddMapping made.
	DeleteMapping(protocol string, extport, intport int) error
	// ExternalIP returns the gateway's address on the internet.
	ExternalIP() (net.IP, error)
	// String names the method, for logs.
	String() string
}

// Errors.
var (
	// ErrNoGateway: discovery found no gateway that speaks the protocol.
	ErrNoGateway = errors.New("nat: no gateway found")
	// ErrNoMapping: the method cannot map ports (STUN, ExtIP).
	ErrNoMapping = errors.New("nat: this method does not map ports")
)

// Timeouts of discovery and of one request.
const (
	discoverTimeout = 3 * time.Second
	requestTimeout  = 3 * time.Second
)

// Parse returns the Interface that spec names:
//
//	"" or "none"       nil: no NAT handling
//	"any"              UPnP and NAT-PMP, whichever answers first
//	"upnp"             UPnP IGD
//	"pmp"              NAT-PMP with the default gateway
//	"pmp:192.168.0.1"  NAT-PMP with that gateway
//	"stun"             STUN with the default servers
//	"stun:host:port"   STUN with that server
//	"extip:1.2.3.4"    the given external address, no port mapping
//
// The method names are not case sensitive. It does not touch the network.
func Parse(spec string) (Interface, error) {
	method, arg, hasArg := strings.Cut(spec, ":")
	switch strings.ToLower(method) {
	case "", "none", "off":
		if hasArg {
			return nil, fmt.Errorf("nat: %q takes no argument", method)
		}
		return nil, nil
	case "any", "auto", "on":
		if hasArg {
			return nil, fmt.Errorf("nat: %q takes no argument", method)
		}
		return Any(), nil
	case "upnp":
		if hasArg {
			return nil, fmt.Errorf("nat: %q takes no argument", method)
		}
		return UPnP(), nil
	case "pmp", "natpmp", "nat-pmp":
		if !hasArg {
			return PMP(nil), nil
		}
		ip := net.ParseIP(arg)
		if ip == nil {
			return nil, fmt.Errorf("nat: %q is not an IP address (want pmp:192.168.0.1)", arg)
		}
		return PMP(ip), nil
	case "stun":
		if !hasArg {
			return STUN(""), nil
		}
		if _, _, err := net.SplitHostPort(arg); err != nil {
			return nil, fmt.Errorf("nat: STUN server %q: want host:port, such as stun.example.org:3478", arg)
		}
		return STUN(arg), nil
	case "extip":
		ip, err := netip.ParseAddr(arg)
		if err != nil {
			return nil, fmt.Errorf("nat: %q is not an IP address (want extip:1.2.3.4)", arg)
		}
		return ExtIP(ip.AsSlice()), nil
	}
	return nil, fmt.Errorf("nat: unknown method %q (want any, none, upnp, pmp[:gateway], stun[:host:port] or extip:IP)", method)
}

// ExtIP is an external address the operator knows. It maps no ports:
// AddMapping reports extport, assuming the operator forwarded it.
type ExtIP net.IP

func (ip ExtIP) ExternalIP() (net.IP, error) { return net.IP(ip), nil }
func (ip ExtIP) String() string              { return "extip:" + net.IP(ip).String() }

// AddMapping does nothing and returns extport.
func (ExtIP) AddMapping(protocol string, extport, intport int, name string, lifetime time.Duration) (uint16, error) {
	return uint16(extport), nil
}

// DeleteMapping does nothing.
func (ExtIP) DeleteMapping(string, int, int) error { return nil }

// discoverer finds a gateway; it returns ErrNoGateway or another error
// when it cannot. It gives up when ctx ends.
type discoverer func(ctx context.Context) (Interface, error)

// autodisc is an Interface that discovers its gateway on first use and
// then passes calls on to it. A failed discovery is tried again on the
// next call, at most once per retryAfter.
type autodisc struct {
	what     string
	discover discoverer

	mu       sync.Mutex // guards the fields below
	found    Interface
	lastErr  error
	lastTry  time.Time
	inflight chan struct{} // closed when the discovery under way ends
}

const retryAfter = 30 * time.Second

func newAutodisc(what string, d discoverer) *autodisc {
	return &autodisc{what: what, discover: d}
}

func (a *autodisc) get() (Interface, error) {
	a.mu.Lock()
	for {
		if a.found != nil {
			defer a.mu.Unlock()
			return a.found, nil
		}
		if a.inflight == nil {
			break
		}
		wait := a.inflight
		a.mu.Unlock()
		<-wait
		a.mu.Lock()
		if a.found == nil {
			defer a.mu.Unlock()
			return nil, a.lastErr
		}
	}
	if !a.lastTry.IsZero() && time.Since(a.lastTry) < retryAfter {
		defer a.mu.Unlock()
		return nil, a.lastErr
	}
	done := make(chan struct{})
	a.inflight = done
	a.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), discoverTimeout)
	found, err := a.discover(ctx)
	cancel()

	a.mu.Lock()
	defer a.mu.Unlock()
	a.inflight = nil
	close(done)
	a.lastTry = time.Now()
	if err != nil {
		a.lastErr = fmt.Errorf("nat: %s: %w", a.what, err)
		return nil, a.lastErr
	}
	a.found, a.lastErr = found, nil
	return found, nil
}

func (a *autodisc) AddMapping(protocol string, extport, intport int, name string, lifetime time.Duration) (uint16, error) {
	found, err := a.get()
	if err != nil {
		return 0, err
	}
	return found.AddMapping(protocol, extport, intport, name, lifetime)
}

func (a *autodisc) DeleteMapping(protocol string, extport, intport int) error {
	found, err := a.get()
	if err != nil {
		return err
	}
	return found.DeleteMapping(protocol, extport, intport)
}

func (a *autodisc) ExternalIP() (net.IP, error) {
	found, err := a.get()
	if err != nil {
		return nil, err
	}
	return found.ExternalIP()
}

func (a *autodisc) String() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.found != nil {
		return a.found.String()
	}
	return a.what
}

// Any returns an Interface that looks for a UPnP and a NAT-PMP gateway at
// once, on first use, and uses the first that answers.
func Any() Interface {
	return newAutodisc("UPnP or NAT-PMP", func(ctx context.Context) (Interface, error) {
		type result struct {
			i   Interface
			err error
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		results := make(chan result, 2)
		go func() { i, err := discoverUPnP(ctx); results <- result{i, err} }()
		go func() { i, err := discoverPMP(ctx, nil); results <- result{i, err} }()
		var (
			found Interface
			errs  []error
		)
		for range 2 {
			r := <-results
			if r.err == nil && found == nil {
				found = r.i
				cancel() // the other one gives up at once
			} else if r.err != nil {
				errs = append(errs, r.err)
			}
		}
		if found != nil {
			return found, nil
		}
		return nil, errors.Join(errs...)
	})
}

// UPnP returns an Interface that finds a UPnP Internet Gateway Device on
// the LAN on first use.
func UPnP() Interface {
	return newAutodisc("UPnP", discoverUPnP)
}

// PMP returns an Interface that speaks NAT-PMP to gateway, or to the
// default gateway when gateway is nil.
func PMP(gateway net.IP) Interface {
	return newAutodisc("NAT-PMP", func(ctx context.Context) (Interface, error) { return discoverPMP(ctx, gateway) })
}
