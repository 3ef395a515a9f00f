package nat

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// NAT-PMP messages (RFC 6886, section 3). Every request begins with the
// version (0) and an opcode; a response has the opcode + 128, a result
// code, and the gateway's seconds since its start of epoch.
//
//	external address request  [0, 0]
//	external address response [0, 128, result:2, epoch:4, ip:4]           12 bytes
//	mapping request           [0, op, 0:2, internal:2, external:2, life:4] 12 bytes
//	mapping response          [0, 128+op, result:2, epoch:4, internal:2,
//	                           external:2, life:4]                        16 bytes
//
// op is 1 for UDP and 2 for TCP. A request with lifetime 0 and external
// port 0 deletes a mapping.
const (
	pmpPort         = 5351
	pmpOpAddress    = 0
	pmpOpMapUDP     = 1
	pmpOpMapTCP     = 2
	pmpResponseFlag = 128
)

// pmpResultText are the result codes of RFC 6886, section 3.5.
var pmpResultText = map[uint16]string{
	1: "unsupported version",
	2: "not authorized or refused",
	3: "network failure",
	4: "out of resources",
	5: "unsupported opcode",
}

// pmpError is a NAT-PMP response with a nonzero result code.
type pmpError struct{ code uint16 }

func (e pmpError) Error() string {
	if s, ok := pmpResultText[e.code]; ok {
		return "NAT-PMP: " + s
	}
	return fmt.Sprintf("NAT-PMP: result code %d", e.code)
}

var errPMPResponse = errors.New("NAT-PMP: malformed response")

func pmpAddressRequest() []byte { return []byte{0, pmpOpAddress} }

func pmpMapRequest(op byte, internal, external uint16, lifetime time.Duration) []byte {
	b := make([]byte, 12)
	b[1] = op
	binary.BigEndian.PutUint16(b[4:], internal)
	binary.BigEndian.PutUint16(b[6:], external)
	binary.BigEndian.PutUint32(b[8:], uint32(lifetime/time.Second))
	return b
}

// pmpHeader checks a response's version, opcode and result.
func pmpHeader(b []byte, op byte, size int) error {
	if len(b) < 4 || b[0] != 0 || b[1] != pmpResponseFlag+op {
		return errPMPResponse
	}
	if code := binary.BigEndian.Uint16(b[2:]); code != 0 {
		return pmpError{code}
	}
	if len(b) < size {
		return errPMPResponse
	}
	return nil
}

// parsePMPAddress decodes an external address response.
func parsePMPAddress(b []byte) (netip.Addr, error) {
	if err := pmpHeader(b, pmpOpAddress, 12); err != nil {
		return netip.Addr{}, err
	}
	return netip.AddrFrom4([4]byte(b[8:12])), nil
}

// pmpMapping is a decoded mapping response.
type pmpMapping struct {
	internal, external uint16
	lifetime           time.Duration
}

// parsePMPMapping decodes a mapping response to a request with op.
func parsePMPMapping(b []byte, op byte) (pmpMapping, error) {
	if err := pmpHeader(b, op, 16); err != nil {
		return pmpMapping{}, err
	}
	return pmpMapping{
		internal: binary.BigEndian.Uint16(b[8:]),
		external: binary.BigEndian.Uint16(b[10:]),
		lifetime: time.Duration(binary.BigEndian.Uint32(b[12:])) * time.Second,
	}, nil
}
