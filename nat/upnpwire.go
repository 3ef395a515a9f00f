package nat

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// UPnP Internet Gateway Device wire formats. Discovery is SSDP: an HTTP
// request over UDP multicast (M-SEARCH to 239.255.255.250:1900) answered
// by unicast HTTP responses whose LOCATION header is the URL of the
// device's XML description. The description lists devices and their
// services; the service that maps ports is WANIPConnection (v2 or v1) or
// WANPPPConnection, called with SOAP: an HTTP POST of an XML envelope to
// its control URL. Every decoder here bounds its input.

const (
	ssdpAddr          = "239.255.255.250:1900"
	maxSSDPSize       = 2048
	maxDescription    = 256 << 10
	maxSOAPResponse   = 64 << 10
	maxDescriptionDep = 8 // nesting of devices in a description
	soapEnvelopeNS    = "http://schemas.xmlsoap.org/soap/envelope/"

	igdV1       = "urn:schemas-upnp-org:device:InternetGatewayDevice:1"
	igdV2       = "urn:schemas-upnp-org:device:InternetGatewayDevice:2"
	wanIPConnV1 = "urn:schemas-upnp-org:service:WANIPConnection:1"
	wanIPConnV2 = "urn:schemas-upnp-org:service:WANIPConnection:2"
	wanPPPConn  = "urn:schemas-upnp-org:service:WANPPPConnection:1"
)

var errUPnPResponse = errors.New("UPnP: malformed response")

func ssdpSearch(st string) []byte {
	return []byte("M-SEARCH * HTTP/1.1\r\n" +
		"HOST: " + ssdpAddr + "\r\n" +
		"ST: " + st + "\r\n" +
		"MAN: \"ssdp:discover\"\r\n" +
		"MX: 1\r\n\r\n")
}

// parseSSDPResponse returns the description URL of an SSDP response.
func parseSSDPResponse(b []byte) (*url.URL, error) {
	if len(b) > maxSSDPSize {
		return nil, errUPnPResponse
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(b)), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUPnPResponse, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: status %d", errUPnPResponse, resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || (loc.Scheme != "http" && loc.Scheme != "https") || loc.Host == "" {
		return nil, fmt.Errorf("%w: bad LOCATION %q", errUPnPResponse, resp.Header.Get("Location"))
	}
	return loc, nil
}

// upnpDescription is the part of a device description we read.
type upnpDescription struct {
	URLBase string     `xml:"URLBase"`
	Device  upnpDevice `xml:"device"`
}

type upnpDevice struct {
	DeviceType string        `xml:"deviceType"`
	Services   []upnpService `xml:"serviceList>service"`
	Devices    []upnpDevice  `xml:"deviceList>device"`
}

type upnpService struct {
	ServiceType string `xml:"serviceType"`
	ControlURL  string `xml:"controlURL"`
}

// parseDescription finds the best port-mapping service in a description
// fetched from location (WANIPConnection v2, then v1, then WANPPPConnection)
// and returns its type and absolute control URL.
func parseDescription(r io.Reader, location *url.URL) (serviceType string, control *url.URL, err error) {
	var d upnpDescription
	dec := xml.NewDecoder(io.LimitReader(r, maxDescription))
	if err := dec.Decode(&d); err != nil {
		return "", nil, fmt.Errorf("%w: description: %v", errUPnPResponse, err)
	}
	found := make(map[string]string)
	collectServices(&d.Device, found, 0)
	base := location
	if d.URLBase != "" {
		if u, err := url.Parse(strings.TrimSpace(d.URLBase)); err == nil && u.Host != "" {
			base = u
		}
	}
	for _, typ := range []string{wanIPConnV2, wanIPConnV1, wanPPPConn} {
		ctl, ok := found[typ]
		if !ok {
			continue
		}
		u, err := base.Parse(strings.TrimSpace(ctl))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return "", nil, fmt.Errorf("%w: bad control URL %q", errUPnPResponse, ctl)
		}
		return typ, u, nil
	}
	return "", nil, fmt.Errorf("%w: the device has no WANIPConnection or WANPPPConnection service", ErrNoGateway)
}

func collectServices(d *upnpDevice, found map[string]string, depth int) {
	if depth > maxDescriptionDep {
		return
	}
	for _, s := range d.Services {
		typ := strings.TrimSpace(s.ServiceType)
		if _, ok := found[typ]; !ok {
			found[typ] = s.ControlURL
		}
	}
	for i := range d.Devices {
		collectServices(&d.Devices[i], found, depth+1)
	}
}

// soapArg is one argument of a SOAP action, in order.
type soapArg struct{ name, value string }

// soapRequest encodes a SOAP action call.
func soapRequest(serviceType, action string, args []soapArg) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?>` + "\r\n")
	b.WriteString(`<s:Envelope xmlns:s="` + soapEnvelopeNS + `" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>`)
	b.WriteString(`<u:` + action + ` xmlns:u="` + serviceType + `">`)
	for _, a := range args {
		b.WriteString("<" + a.name + ">")
		xml.EscapeText(&b, []byte(a.value))
		b.WriteString("</" + a.name + ">")
	}
	b.WriteString(`</u:` + action + `></s:Body></s:Envelope>`)
	return b.Bytes()
}

// soapError is a UPnP error a device returned (errorCode in a SOAP fault).
type soapError struct {
	code int
	desc string
}

func (e *soapError) Error() string { return fmt.Sprintf("UPnP error %d: %s", e.code, e.desc) }

// UPnP error codes we act on.
const (
	upnpOnlyPermanentLeases = 725
	upnpConflict            = 718
)

// parseSOAPResponse returns the text of the response's leaf elements by
// local name (NewExternalIPAddress, NewReservedPort, ...), or the device's
// error for a fault.
func parseSOAPResponse(r io.Reader) (map[string]string, error) {
	dec := xml.NewDecoder(io.LimitReader(r, maxSOAPResponse))
	values := make(map[string]string)
	var (
		path []string
		text strings.Builder
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errUPnPResponse, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(path) > 16 {
				return nil, fmt.Errorf("%w: nested too deep", errUPnPResponse)
			}
			path = append(path, t.Name.Local)
			text.Reset()
		case xml.CharData:
			if text.Len() < 1024 {
				text.Write(t)
			}
		case xml.EndElement:
			if len(path) == 0 {
				return nil, errUPnPResponse
			}
			name := path[len(path)-1]
			path = path[:len(path)-1]
			if _, ok := values[name]; !ok && len(values) < 64 {
				values[name] = strings.TrimSpace(text.String())
			}
			text.Reset()
		}
	}
	if code, ok := values["errorCode"]; ok {
		var n int
		if _, err := fmt.Sscan(code, &n); err != nil {
			return nil, fmt.Errorf("%w: error code %q", errUPnPResponse, code)
		}
		return nil, &soapError{code: n, desc: values["errorDescription"]}
	}
	if _, ok := values["Fault"]; ok {
		return nil, fmt.Errorf("%w: SOAP fault %q", errUPnPResponse, values["faultstring"])
	}
	return values, nil
}
