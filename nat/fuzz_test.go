package nat

import (
	"bufio"
	"bytes"
	"net/url"
	"testing"
)

// Every decoder of network input, fuzzed: none may panic.

func FuzzPMP(f *testing.F) {
	f.Add([]byte{0, 128, 0, 0, 0, 0, 1, 2, 198, 51, 100, 9})
	f.Add([]byte{0, 130, 0, 0, 0, 0, 0, 9, 0x76, 0x5f, 0x76, 0x61, 0, 0, 0x1c, 0x20})
	f.Fuzz(func(t *testing.T, b []byte) {
		parsePMPAddress(b)
		parsePMPMapping(b, pmpOpMapUDP)
		parsePMPMapping(b, pmpOpMapTCP)
	})
}

func FuzzSTUN(f *testing.F) {
	f.Add([]byte("\x01\x01\x00\x0c\x21\x12\xa4\x42000000000000\x00\x20\x00\x08\x00\x01\xa1\x47\xe1\x12\xa6\x43"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var tid [12]byte
		if len(b) >= 20 {
			copy(tid[:], b[8:20])
		}
		parseSTUNResponse(b, tid)
	})
}

func FuzzSSDP(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nLOCATION: http://10.77.1.1:5000/rootDesc.xml\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) { parseSSDPResponse(b) })
}

func FuzzDescription(f *testing.F) {
	f.Add([]byte(testDescription))
	loc, _ := url.Parse("http://10.77.1.1:5000/rootDesc.xml")
	f.Fuzz(func(t *testing.T, b []byte) { parseDescription(bytes.NewReader(b), loc) })
}

func FuzzSOAP(f *testing.F) {
	f.Add([]byte(`<s:Envelope><s:Body><r><NewExternalIPAddress>1.2.3.4</NewExternalIPAddress></r></s:Body></s:Envelope>`))
	f.Add([]byte(`<detail><UPnPError><errorCode>725</errorCode></UPnPError></detail>`))
	f.Fuzz(func(t *testing.T, b []byte) { parseSOAPResponse(bytes.NewReader(b)) })
}

func FuzzRouteTable(f *testing.F) {
	f.Add([]byte("Iface\tDestination\tGateway\tFlags\nl0\t00000000\t01014D0A\t0003\n"))
	f.Fuzz(func(t *testing.T, b []byte) { parseRouteTable(bufio.NewScanner(bytes.NewReader(b))) })
}
