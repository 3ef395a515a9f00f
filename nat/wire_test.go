package nat

import (
	"bufio"
	"encoding/hex"
	"errors"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		spec, want, err string
	}{
		{"", "<nil>", ""},
		{"none", "<nil>", ""},
		{"any", "UPnP or NAT-PMP", ""},
		{"ANY", "UPnP or NAT-PMP", ""},
		{"upnp", "UPnP", ""},
		{"pmp", "NAT-PMP", ""},
		{"pmp:192.168.0.1", "NAT-PMP", ""},
		{"stun", "STUN", ""},
		{"stun:stun.example.org:3478", "STUN(stun.example.org:3478)", ""},
		{"extip:1.2.3.4", "extip:1.2.3.4", ""},
		{"extip:::1", "extip:::1", ""},
		{"extip:1.2.3", "", "not an IP address"},
		{"pmp:gateway", "", "not an IP address"},
		{"stun:nohostport", "", "want host:port"},
		{"upnp:x", "", "takes no argument"},
		{"magic", "", "unknown method"},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			got, err := Parse(tc.spec)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s := "<nil>"
			if got != nil {
				s = got.String()
			}
			if s != tc.want {
				t.Fatalf("got %s, want %s", s, tc.want)
			}
		})
	}
}

func TestExtIP(t *testing.T) {
	n, _ := Parse("extip:203.0.113.7")
	ip, err := n.ExternalIP()
	if err != nil || ip.String() != "203.0.113.7" {
		t.Fatal(ip, err)
	}
	if p, err := n.AddMapping("TCP", 30303, 30303, "x", time.Minute); p != 30303 || err != nil {
		t.Fatal(p, err)
	}
}

func TestPMPWire(t *testing.T) {
	req := pmpMapRequest(pmpOpMapTCP, 30303, 30304, 2*time.Hour)
	if got := hex.EncodeToString(req); got != "00020000765f766000001c20" {
		t.Fatalf("mapping request %s", got)
	}
	ip, err := parsePMPAddress([]byte{0, 128, 0, 0, 0, 0, 1, 2, 198, 51, 100, 9})
	if err != nil || ip != netip.MustParseAddr("198.51.100.9") {
		t.Fatal(ip, err)
	}
	m, err := parsePMPMapping([]byte{0, 130, 0, 0, 0, 0, 0, 9, 0x76, 0x5f, 0x76, 0x61, 0, 0, 0x1c, 0x20}, pmpOpMapTCP)
	if err != nil || m.internal != 30303 || m.external != 30305 || m.lifetime != 2*time.Hour {
		t.Fatalf("%+v %v", m, err)
	}
	for name, b := range map[string][]byte{
		"short":        {0, 128},
		"wrong op":     {0, 129, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4},
		"refused":      {0, 128, 0, 2, 0, 0, 0, 0, 1, 2, 3, 4},
		"version":      {1, 128, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4},
		"truncated ip": {0, 128, 0, 0, 0, 0, 0, 0, 1, 2},
	} {
		if _, err := parsePMPAddress(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	var perr pmpError
	if _, err := parsePMPAddress([]byte{0, 128, 0, 2, 0, 0, 0, 0, 1, 2, 3, 4}); !errors.As(err, &perr) || !strings.Contains(err.Error(), "refused") {
		t.Errorf("result code 2: %v", err)
	}
}

// TestSTUNVector decodes the IPv4 sample response of RFC 5769, section
// 2.2 (its MESSAGE-INTEGRITY and FINGERPRINT are not checked: a Binding
// request without credentials has none to check against).
func TestSTUNVector(t *testing.T) {
	resp, _ := hex.DecodeString("0101003c2112a442b7e7a701bc34d686fa87dfae" +
		"8022000b7465737420766563746f7220" +
		"002000080001a147e112a643" +
		"000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7" +
		"80280004c07d4c96")
	tid := [12]byte(resp[8:20])
	ap, err := parseSTUNResponse(resp, tid)
	if err != nil || ap != netip.MustParseAddrPort("192.0.2.1:32853") {
		t.Fatal(ap, err)
	}
	if _, err := parseSTUNResponse(resp, [12]byte{}); !errors.Is(err, errSTUNNotOurs) {
		t.Fatalf("other transaction: %v", err)
	}
	for n := range len(resp) {
		if _, err := parseSTUNResponse(resp[:n], tid); err == nil && n >= stunHeaderSize+4 {
			// A prefix may still be a whole message with fewer attributes
			// only if its length field says so, which here it does not.
			t.Fatalf("prefix of %d bytes decoded", n)
		}
	}
	// RFC 3489 servers send MAPPED-ADDRESS in the clear.
	plain, _ := hex.DecodeString("0101000c2112a442" + hex.EncodeToString(tid[:]) + "0001000800011f900b4d0201")
	if ap, err := parseSTUNResponse(plain, tid); err != nil || ap != netip.MustParseAddrPort("11.77.2.1:8080") {
		t.Fatal(ap, err)
	}
}

func TestSSDPResponse(t *testing.T) {
	resp := "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: " + igdV1 +
		"\r\nLOCATION: http://10.77.1.1:5000/rootDesc.xml\r\nSERVER: test\r\n\r\n"
	loc, err := parseSSDPResponse([]byte(resp))
	if err != nil || loc.String() != "http://10.77.1.1:5000/rootDesc.xml" {
		t.Fatal(loc, err)
	}
	for name, b := range map[string]string{
		"no location": "HTTP/1.1 200 OK\r\nST: x\r\n\r\n",
		"ftp":         "HTTP/1.1 200 OK\r\nLOCATION: ftp://x/\r\n\r\n",
		"status":      "HTTP/1.1 404 Not Found\r\nLOCATION: http://x/\r\n\r\n",
		"garbage":     "\x00\x01",
		"too long":    "HTTP/1.1 200 OK\r\nLOCATION: http://x/" + strings.Repeat("a", maxSSDPSize) + "\r\n\r\n",
	} {
		if _, err := parseSSDPResponse([]byte(b)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

const testDescription = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType><controlURL>/ctl/L3F</controlURL></service></serviceList>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>/ctl/IPConn</controlURL></service></serviceList>
</device></deviceList></device></deviceList></device></root>`

func TestDescription(t *testing.T) {
	loc, _ := url.Parse("http://10.77.1.1:5000/rootDesc.xml")
	typ, ctl, err := parseDescription(strings.NewReader(testDescription), loc)
	if err != nil || typ != wanIPConnV1 || ctl.String() != "http://10.77.1.1:5000/ctl/IPConn" {
		t.Fatal(typ, ctl, err)
	}
	withBase := strings.Replace(testDescription, "<device>", "<URLBase>http://10.0.0.1:80/</URLBase><device>", 1)
	if _, ctl, err := parseDescription(strings.NewReader(withBase), loc); err != nil || ctl.String() != "http://10.0.0.1:80/ctl/IPConn" {
		t.Fatal(ctl, err)
	}
	noWAN := strings.Replace(testDescription, "WANIPConnection", "Other", 1)
	if _, _, err := parseDescription(strings.NewReader(noWAN), loc); !errors.Is(err, ErrNoGateway) {
		t.Fatal(err)
	}
	if _, _, err := parseDescription(strings.NewReader("<root><device>"), loc); err == nil {
		t.Fatal("truncated description decoded")
	}
}

func TestSOAP(t *testing.T) {
	req := string(soapRequest(wanIPConnV1, "AddPortMapping", []soapArg{{"NewPortMappingDescription", "a<b"}}))
	if !strings.Contains(req, `<u:AddPortMapping xmlns:u="`+wanIPConnV1+`">`) || !strings.Contains(req, "a&lt;b") {
		t.Fatal(req)
	}
	ok := `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>` +
		`<u:GetExternalIPAddressResponse xmlns:u="x"><NewExternalIPAddress>11.77.2.1</NewExternalIPAddress></u:GetExternalIPAddressResponse></s:Body></s:Envelope>`
	v, err := parseSOAPResponse(strings.NewReader(ok))
	if err != nil || v["NewExternalIPAddress"] != "11.77.2.1" {
		t.Fatal(v, err)
	}
	fault := `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring>` +
		`<detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>725</errorCode><errorDescription>OnlyPermanentLeasesSupported</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>`
	var se *soapError
	if _, err := parseSOAPResponse(strings.NewReader(fault)); !errors.As(err, &se) || se.code != upnpOnlyPermanentLeases {
		t.Fatal(err)
	}
	deep := strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100)
	if _, err := parseSOAPResponse(strings.NewReader(deep)); err == nil {
		t.Fatal("deep nesting accepted")
	}
}

func TestRouteTable(t *testing.T) {
	table := "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
		"l0\t00014D0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n" +
		"l0\t00000000\t01014D0A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
	gw, err := parseRouteTable(bufio.NewScanner(strings.NewReader(table)))
	if err != nil || gw != netip.MustParseAddr("10.77.1.1") {
		t.Fatal(gw, err)
	}
	if _, err := parseRouteTable(bufio.NewScanner(strings.NewReader(table[:strings.Index(table, "l0\t00000000")]))); !errors.Is(err, ErrNoGateway) {
		t.Fatal(err)
	}
}
