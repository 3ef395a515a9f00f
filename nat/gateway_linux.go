package nat

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"strings"
)

// defaultGateway returns the IPv4 gateway of the default route, read from
// /proc/net/route.
func defaultGateway() (netip.Addr, error) {
	f, err := os.Open("/proc/net/route")
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: %w", ErrNoGateway, err)
	}
	defer f.Close()
	return parseRouteTable(bufio.NewScanner(f))
}

// parseRouteTable finds the default route in /proc/net/route's format:
// Iface, Destination, Gateway, Flags, ... with addresses in hex, in the
// host's byte order (little-endian on every platform Go's linux/* runs on
// but a few; the gateway's bytes are reversed accordingly).
func parseRouteTable(sc *bufio.Scanner) (netip.Addr, error) {
	const rtfGateway = 0x2
	sc.Scan() // header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || f[1] != "00000000" {
			continue
		}
		flags, err := hex.DecodeString(fmt.Sprintf("%08s", f[3]))
		if err != nil || len(flags) != 4 || binary.BigEndian.Uint32(flags)&rtfGateway == 0 {
			continue
		}
		gw, err := hex.DecodeString(f[2])
		if err != nil || len(gw) != 4 {
			continue
		}
		return netip.AddrFrom4([4]byte{gw[3], gw[2], gw[1], gw[0]}), nil
	}
	return netip.Addr{}, fmt.Errorf("%w: no default route", ErrNoGateway)
}
