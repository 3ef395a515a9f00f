package nat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// upnp is a port-mapping service of an Internet Gateway Device.
type upnp struct {
	serviceType string
	control     *url.URL
	localIP     netip.Addr // our address on the router's LAN
	client      *http.Client
}

// discoverUPnP finds an Internet Gateway Device on the LAN with SSDP and
// reads its description. The first device with a port-mapping service
// wins.
func discoverUPnP(ctx context.Context) (Interface, error) {
	conn, err := net.ListenPacket("udp4", ":0")
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	dst, err := net.ResolveUDPAddr("udp4", ssdpAddr)
	if err != nil {
		return nil, err
	}
	// Ask for v2 and v1 devices, twice, since SSDP runs over UDP.
	for range 2 {
		for _, st := range []string{igdV2, igdV1} {
			if _, err := conn.WriteTo(ssdpSearch(st), dst); err != nil {
				return nil, fmt.Errorf("%w: SSDP search: %w", ErrNoGateway, err)
			}
		}
	}
	buf := make([]byte, maxSSDPSize+1)
	seen := make(map[string]bool)
	var lastErr error
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			if lastErr != nil {
				return nil, fmt.Errorf("%w: %w", ErrNoGateway, lastErr)
			}
			return nil, fmt.Errorf("%w: no answer to SSDP search", ErrNoGateway)
		}
		loc, err := parseSSDPResponse(buf[:n])
		if err != nil {
			lastErr = fmt.Errorf("SSDP answer from %v: %w", from, err)
			continue
		}
		if seen[loc.String()] {
			continue
		}
		seen[loc.String()] = true
		dev, err := newUPnP(ctx, loc)
		if err != nil {
			lastErr = fmt.Errorf("device at %s: %w", loc, err)
			continue
		}
		return dev, nil
	}
}

// newUPnP reads the description at loc and checks that the device answers
// GetExternalIPAddress.
func newUPnP(ctx context.Context, loc *url.URL) (*upnp, error) {
	client := &http.Client{Timeout: requestTimeout}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("description: HTTP status %d", resp.StatusCode)
	}
	typ, control, err := parseDescription(resp.Body, loc)
	if err != nil {
		return nil, err
	}
	localIP, err := localAddrTo(control.Host)
	if err != nil {
		return nil, err
	}
	dev := &upnp{serviceType: typ, control: control, localIP: localIP, client: client}
	if _, err := dev.externalIP(ctx); err != nil {
		return nil, err
	}
	return dev, nil
}

// localAddrTo returns the local address the system would use to reach
// hostport. Connecting a UDP socket sends nothing.
func localAddrTo(hostport string) (netip.Addr, error) {
	if _, _, err := net.SplitHostPort(hostport); err != nil {
		hostport = net.JoinHostPort(hostport, "80")
	}
	c, err := net.Dial("udp4", hostport)
	if err != nil {
		return netip.Addr{}, err
	}
	defer c.Close()
	ap, err := netip.ParseAddrPort(c.LocalAddr().String())
	if err != nil {
		return netip.Addr{}, err
	}
	return ap.Addr().Unmap(), nil
}

func (n *upnp) String() string { return "UPnP(" + n.control.Host + ")" }

// call performs a SOAP action and returns the response's values.
func (n *upnp) call(ctx context.Context, action string, args []soapArg) (map[string]string, error) {
	body := soapRequest(n.serviceType, action, args)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.control.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", `text/xml; charset="utf-8"`)
	req.Header.Set("SOAPAction", `"`+n.serviceType+"#"+action+`"`)
	resp, err := n.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("UPnP %s: %w", action, err)
	}
	defer resp.Body.Close()
	values, err := parseSOAPResponse(resp.Body)
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxSOAPResponse))
	if err != nil {
		return nil, fmt.Errorf("UPnP %s: %w", action, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("UPnP %s: HTTP status %d", action, resp.StatusCode)
	}
	return values, nil
}

func (n *upnp) ExternalIP() (net.IP, error) {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	ip, err := n.externalIP(ctx)
	if err != nil {
		return nil, err
	}
	return ip.AsSlice(), nil
}

func (n *upnp) externalIP(ctx context.Context) (netip.Addr, error) {
	v, err := n.call(ctx, "GetExternalIPAddress", nil)
	if err != nil {
		return netip.Addr{}, err
	}
	ip, err := netip.ParseAddr(v["NewExternalIPAddress"])
	if err != nil {
		return netip.Addr{}, fmt.Errorf("UPnP GetExternalIPAddress: %w: %q", errUPnPResponse, v["NewExternalIPAddress"])
	}
	return ip.Unmap(), nil
}

func upnpProtocol(protocol string) (string, error) {
	switch p := strings.ToUpper(protocol); p {
	case "TCP", "UDP":
		return p, nil
	}
	return "", fmt.Errorf("nat: protocol %q is neither TCP nor UDP", protocol)
}

// AddMapping maps extport to intport on our LAN address. An IGD v2 device
// is asked with AddAnyPortMapping, which may give another external port
// when extport is taken; a v1 device with AddPortMapping. A device that
// accepts only permanent leases (error 725) gets one, which DeleteMapping
// removes at Stop.
func (n *upnp) AddMapping(protocol string, extport, intport int, name string, lifetime time.Duration) (uint16, error) {
	proto, err := upnpProtocol(protocol)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*requestTimeout)
	defer cancel()
	args := func(lease time.Duration) []soapArg {
		return []soapArg{
			{"NewRemoteHost", ""},
			{"NewExternalPort", strconv.Itoa(extport)},
			{"NewProtocol", proto},
			{"NewInternalPort", strconv.Itoa(intport)},
			{"NewInternalClient", n.localIP.String()},
			{"NewEnabled", "1"},
			{"NewPortMappingDescription", name},
			{"NewLeaseDuration", strconv.Itoa(int(lease / time.Second))},
		}
	}
	add := func(lease time.Duration) (uint16, error) {
		if n.serviceType == wanIPConnV2 {
			v, err := n.call(ctx, "AddAnyPortMapping", args(lease))
			if err == nil {
				port, perr := strconv.ParseUint(v["NewReservedPort"], 10, 16)
				if perr != nil {
					return 0, fmt.Errorf("UPnP AddAnyPortMapping: %w: reserved port %q", errUPnPResponse, v["NewReservedPort"])
				}
				return uint16(port), nil
			}
			var se *soapError
			if !errors.As(err, &se) || se.code == upnpOnlyPermanentLeases {
				return 0, err
			}
			// Some v2 devices implement only the v1 action.
		}
		if _, err := n.call(ctx, "AddPortMapping", args(lease)); err != nil {
			return 0, err
		}
		return uint16(extport), nil
	}
	port, err := add(lifetime)
	var se *soapError
	if errors.As(err, &se) && se.code == upnpOnlyPermanentLeases {
		port, err = add(0)
	}
	return port, err
}

// DeleteMapping removes the mapping of extport.
func (n *upnp) DeleteMapping(protocol string, extport, intport int) error {
	proto, err := upnpProtocol(protocol)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	_, err = n.call(ctx, "DeletePortMapping", []soapArg{
		{"NewRemoteHost", ""},
		{"NewExternalPort", strconv.Itoa(extport)},
		{"NewProtocol", proto},
	})
	return err
}
