package enode

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/rlp"
)

// Errors of Parse, ParseV4 and ResolveV4. Every parse error wraps
// ErrInvalidNode (errors.Is) and, where there is one, a more precise cause.
var (
	ErrInvalidNode = errors.New("enode: invalid node")
	// ErrMissingPrefix means the input starts with neither "enr:" nor
	// "enode://".
	ErrMissingPrefix = errors.New("missing \"enr:\" or \"enode://\" prefix")
	// ErrHostname means the host of an enode URL is neither an IP address
	// nor a valid DNS name (such as a malformed IPv4 address, 10.3.58.256).
	ErrHostname = errors.New("host is neither an IP address nor a valid DNS name")
)

// maxTextLen is the longest "enr:" text of a record within enr.SizeLimit.
var maxTextLen = len("enr:") + base64.RawURLEncoding.EncodedLen(enr.SizeLimit)

// Parse parses a node in either text form: a record ("enr:" and base64), which
// must verify with one of validSchemes, or an enode URL (see ParseV4).
func Parse(validSchemes enr.IdentityScheme, input string) (*Node, error) {
	switch {
	case strings.HasPrefix(input, "enode://"):
		return ParseV4(input)
	case strings.HasPrefix(input, "enr:"):
	default:
		return nil, fmt.Errorf("%w: %w", ErrInvalidNode, ErrMissingPrefix)
	}
	if len(input) > maxTextLen {
		return nil, fmt.Errorf("%w: %w", ErrInvalidNode, enr.ErrTooBig)
	}
	// Strict decoding rejects non-zero padding bits, so that each record
	// has exactly one text form. Go's base64 decoder skips CR and LF even
	// then, so they are refused first (go-ethereum lets them through).
	if strings.ContainsAny(input, "\r\n") {
		return nil, fmt.Errorf("%w: bad base64: line break in the text", ErrInvalidNode)
	}
	bin, err := base64.RawURLEncoding.Strict().DecodeString(input[len("enr:"):])
	if err != nil {
		return nil, fmt.Errorf("%w: bad base64: %w", ErrInvalidNode, err)
	}
	var r enr.Record
	if err := rlp.DecodeBytes(bin, &r); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidNode, err)
	}
	n, err := New(validSchemes, &r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidNode, err)
	}
	return n, nil
}

// MustParse is Parse with ValidSchemes for constants in code and tests (such
// as bootnode lists): it panics if s is not valid.
func MustParse(s string) *Node {
	n, err := Parse(ValidSchemes, s)
	if err != nil {
		panic(err)
	}
	return n
}

// ParseV4 parses an enode URL:
//
//	enode://<hex public key>@<host>:<tcp port>?discport=<udp port>
//
// The public key is the 128 hex digits of the 64-byte uncompressed key. The
// host is an IPv4 or IPv6 address literal (IPv6 in brackets) or a DNS name.
// ParseV4 never touches the network: a node with a DNS name has no IP
// address (Incomplete reports true, TCPEndpoint and UDPEndpoint report
// none) until ResolveHostname resolves it; Hostname returns the name. A host
// that is neither (such as 10.3.58.256) fails with ErrHostname. Without
// discport the UDP port is the TCP port. Other query parameters are ignored.
//
// The incomplete form "enode://<hex public key>", or the bare hex key, gives
// a node without endpoint (Incomplete reports true).
func ParseV4(rawurl string) (*Node, error) {
	pub, host, tcp, udp, err := parseV4(rawurl)
	if err != nil {
		return nil, err
	}
	if host == "" {
		return NewV4(pub, nil, 0, 0), nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return newV4Addr(pub, netip.Addr{}, tcp, udp).WithHostname(host), nil
	}
	if ip.Zone() != "" {
		return nil, fmt.Errorf("%w: IPv6 zone in %q", ErrInvalidNode, host)
	}
	return newV4Addr(pub, ip.Unmap(), tcp, udp), nil
}

// MustParseV4 is ParseV4 for constants in code and tests: it panics if
// rawurl is not a valid enode URL.
func MustParseV4(rawurl string) *Node {
	n, err := ParseV4(rawurl)
	if err != nil {
		panic(err)
	}
	return n
}

// ResolveV4 parses an enode URL like ParseV4 and resolves its host name, if
// it has one, with ResolveHostname and resolver (net.DefaultResolver if
// nil). The node keeps the name (Hostname).
func ResolveV4(ctx context.Context, resolver *net.Resolver, rawurl string) (*Node, error) {
	n, err := ParseV4(rawurl)
	if err != nil || n.Hostname() == "" {
		return n, err
	}
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	return ResolveHostname(ctx, resolver, n)
}

// parseV4 splits an enode URL. host is empty for the incomplete form.
func parseV4(rawurl string) (pub *ecdsa.PublicKey, host string, tcp, udp uint16, err error) {
	fail := func(format string, args ...any) (*ecdsa.PublicKey, string, uint16, uint16, error) {
		return nil, "", 0, 0, fmt.Errorf("%w: "+format, append([]any{ErrInvalidNode}, args...)...)
	}
	// The incomplete form: a key, with or without the scheme.
	if rest := strings.TrimPrefix(rawurl, "enode://"); !strings.ContainsAny(rest, "@:/?#") {
		pub, err := parsePubkey(rest)
		if err != nil {
			return fail("%w", err)
		}
		return pub, "", 0, 0, nil
	}
	u, err := url.Parse(rawurl)
	if err != nil {
		return fail("%w", err)
	}
	if u.Scheme != "enode" {
		return fail("scheme %q, want \"enode\"", u.Scheme)
	}
	if u.User == nil {
		return fail("missing public key before '@'")
	}
	if _, hasPassword := u.User.Password(); hasPassword {
		return fail("unexpected ':' in public key")
	}
	if pub, err = parsePubkey(u.User.Username()); err != nil {
		return fail("%w", err)
	}
	if u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.Fragment != "" {
		return fail("unexpected path or fragment")
	}
	host = u.Hostname()
	switch {
	case host == "":
		return fail("missing host")
	case strings.HasPrefix(u.Host, "["):
		if ip, err := netip.ParseAddr(host); err != nil || !ip.Is6() {
			return fail("%q in brackets is not an IPv6 address", host)
		}
	case !isIPLiteral(host) && !isHostname(host):
		return fail("%q: %w", host, ErrHostname)
	}
	if tcp, err = parsePort(u.Port()); err != nil {
		return fail("TCP port: %w", err)
	}
	udp = tcp
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return fail("query: %w", err)
	}
	if d, ok := q["discport"]; ok {
		if len(d) != 1 {
			return fail("discport given %d times", len(d))
		}
		if udp, err = parsePort(d[0]); err != nil {
			return fail("discport: %w", err)
		}
	}
	return pub, host, tcp, udp, nil
}

func isIPLiteral(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// isHostname reports whether s is a valid DNS name: labels of 1 to 63
// letters, digits, hyphens and underscores, not starting or ending with a
// hyphen, separated by dots, at most 253 characters without the optional
// final dot. A name of digits and dots only is a malformed IPv4 address,
// not a name.
func isHostname(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 || strings.Trim(s, "0123456789.") == "" {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
			if !ok {
				return false
			}
		}
	}
	return true
}

func parsePubkey(s string) (*ecdsa.PublicKey, error) {
	if len(s) != 128 {
		return nil, fmt.Errorf("public key must be 128 hex digits, got %d characters", len(s))
	}
	var raw [64]byte
	if _, err := hex.Decode(raw[:], []byte(s)); err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	pub, err := crypto.UnmarshalRawPubkey(raw[:])
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	return pub, nil
}

func parsePort(s string) (uint16, error) {
	if s == "" {
		return 0, errors.New("missing port")
	}
	if s[0] == '+' || s[0] == '-' {
		return 0, fmt.Errorf("invalid port %q", s)
	}
	p, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("invalid port %q", s)
	}
	return uint16(p), nil
}

// NewV4 makes a node from a public key and endpoint, as known from an enode
// URL. Its record carries the key, address and ports but no signature, so it
// cannot be relayed to other nodes; String gives the enode URL. ip may be nil
// (an incomplete node); ports outside 1..65535 are left out. pubkey must not
// be nil.
func NewV4(pubkey *ecdsa.PublicKey, ip net.IP, tcp, udp int) *Node {
	addr, _ := netip.AddrFromSlice(ip)
	return newV4Addr(pubkey, addr.Unmap(), clampPort(tcp), clampPort(udp))
}

func clampPort(p int) uint16 {
	if p <= 0 || p > 0xffff {
		return 0
	}
	return uint16(p)
}

func newV4Addr(pubkey *ecdsa.PublicKey, ip netip.Addr, tcp, udp uint16) *Node {
	var r enr.Record
	switch {
	case ip.Is4():
		r.Set(enr.IPv4Addr(ip))
	case ip.Is6():
		r.Set(enr.IPv6Addr(ip.WithZone("")))
	}
	if tcp != 0 {
		r.Set(enr.TCP(tcp))
	}
	if udp != 0 {
		r.Set(enr.UDP(udp))
	}
	r.Set(Secp256k1(*pubkey))
	if err := r.SetSig(v4CompatID{}, []byte{}); err != nil {
		panic(err) // the record is far below the size limit and has a key
	}
	return newNodeWithID(&r, PubkeyToIDV4(pubkey))
}

// URLv4 returns the node's enode URL. A node with a host name (Hostname)
// shows the name in place of its IP address, as the URL it came from did. A
// node with neither gives the incomplete form enode://<key>. A node without
// secp256k1 key (another identity scheme) shows "<scheme>.<node ID>" in place
// of the key, which ParseV4 does not accept.
func (n *Node) URLv4() string {
	var nodeid string
	if pub := n.Pubkey(); pub != nil {
		var raw [64]byte
		pub.X.FillBytes(raw[:32])
		pub.Y.FillBytes(raw[32:])
		nodeid = hex.EncodeToString(raw[:])
	} else {
		nodeid = n.r.IdentityScheme() + "." + n.id.String()
	}
	u := url.URL{Scheme: "enode"}
	switch {
	case n.hostname != "":
		u.Host = net.JoinHostPort(n.hostname, strconv.Itoa(int(n.tcp)))
	case n.ip.IsValid():
		u.Host = netip.AddrPortFrom(n.ip, n.tcp).String()
	default:
		u.Host = nodeid
		return u.String()
	}
	u.User = url.User(nodeid)
	if n.udp != n.tcp {
		u.RawQuery = "discport=" + strconv.Itoa(int(n.udp))
	}
	return u.String()
}

// encodeRecord returns the encoding of a signed record.
func encodeRecord(r *enr.Record) ([]byte, error) {
	var buf bytes.Buffer
	if err := r.EncodeRLP(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
