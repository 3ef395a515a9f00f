package difffuzz

import (
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"testing"

	gethv4 "github.com/ethereum/go-ethereum/p2p/discover/v4wire"
	gethenode "github.com/ethereum/go-ethereum/p2p/enode"
	gethenr "github.com/ethereum/go-ethereum/p2p/enr"
	gethrlp "github.com/ethereum/go-ethereum/rlp"

	"github.com/seednet/p2p/discover/v4wire"
	"github.com/seednet/p2p/discover/v5wire"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/rlp"
)

// TestKnownDifferences checks that each documented difference (doc.go)
// still holds, with one input each, so that the table is updated when
// either library changes.
func TestKnownDifferences(t *testing.T) {
	unhex := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	key := hexPub(gethKey(t))
	parse := func(s string) (ours, geth error) {
		_, ours = enode.Parse(enode.ValidSchemes, s)
		_, geth = gethenode.Parse(gethenode.ValidSchemes, s)
		return
	}
	for _, c := range []struct {
		name string
		run  func() (ours, geth error)
	}{
		{"D1 SplitListValues with trailing bytes", func() (error, error) {
			in := unhex("c2010203")
			_, o := rlp.SplitListValues(in)
			_, g := gethrlp.SplitListValues(in)
			return o, g
		}},
		{"D2 enode URL with an empty host", func() (error, error) { return parse("enode://" + key + "@:0") }},
		{"D3 RawValue 81 00", func() (error, error) {
			var o rlp.RawValue
			var g gethrlp.RawValue
			return rlp.DecodeBytes(unhex("8100"), &o), gethrlp.DecodeBytes(unhex("8100"), &g)
		}},
		{"D3 record value 81 30", func() (error, error) {
			var o enr.Record
			var g gethenr.Record
			in := unhex("c6303081ff8130")
			return rlp.DecodeBytes(in, &o), gethrlp.DecodeBytes(in, &g)
		}},
		{"D4 enr: text with a line break", func() (error, error) {
			return parse(enrText(t)[:20] + "\n" + enrText(t)[20:])
		}},
		{"D5 enr: text with padding bits", func() (error, error) {
			s := enrText(t)
			last := s[len(s)-1]
			i := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", last)
			s = s[:len(s)-1] + string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[i|1])
			return parse(s)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			o, g := c.run()
			if o == nil || g != nil {
				t.Errorf("ours: %v, geth: %v; want ours to reject and geth to accept (update doc.go)", o, g)
			}
		})
	}
	t.Run("D7 v4 Pong with enr-seq 00", func(t *testing.T) {
		body := unhex("02f5cb8430303030823030823030a030303030303030303030303030303030303030303030303030303030303030308630303030303000")
		in := signV4(t, gethKey(t), body)
		p, _, _, o := v4wire.Decode(in)
		_, _, _, g := gethv4.Decode(in)
		if o != nil || g == nil || !knownSeqDiff(p) {
			t.Errorf("ours: %v, geth: %v; want ours to accept (ENRSeq 0, 00 in Rest) and geth to reject (update doc.go)", o, g)
		}
	})
	t.Run("D8 v5 packet over 1280 bytes", func(t *testing.T) {
		c := newV5Codecs(t)
		in := v5Seeds(t, c.localID)[0] // a message packet without a session
		in = append(in, make([]byte, v5wire.MaxPacketSize+1-len(in))...)
		_, _, _, o := c.ours.Decode(in, v5Remote)
		_, _, _, g := c.geth.Decode(in, v5RemoteText)
		if !errors.Is(o, v5wire.ErrPacketTooLarge) || g != nil {
			t.Errorf("ours: %v, geth: %v; want ours to reject it as too large and geth to accept (update doc.go)", o, g)
		}
	})
	t.Run("D8 v4 packet over 1280 bytes", func(t *testing.T) {
		body := append([]byte{0x05}, mustRLP(t, &v4wire.ENRRequest{Expiration: 1})...)
		in := signV4(t, gethKey(t), append(body, make([]byte, 1300)...)) // bytes after the list are ignored
		_, _, _, o := v4wire.Decode(in)
		_, _, _, g := gethv4.Decode(in)
		if !errors.Is(o, v4wire.ErrPacketTooLarge) || g != nil {
			t.Errorf("ours: %v, geth: %v; want ours to reject it as too large and geth to accept (update doc.go)", o, g)
		}
	})
	t.Run("D9 IPv4-mapped ip6", func(t *testing.T) {
		var r enr.Record
		r.Set(enr.IPv4Addr(netip.MustParseAddr("127.0.0.1")))
		r.Set(enr.IPv6Addr(netip.MustParseAddr("::ffff:8.8.8.8")))
		if err := enode.SignV4(&r, ourKey(t)); err != nil {
			t.Fatal(err)
		}
		var g gethenr.Record
		if err := gethrlp.DecodeBytes(mustRLP(t, &r), &g); err != nil {
			t.Fatal(err)
		}
		o, err := enode.New(enode.ValidSchemes, &r)
		if err != nil {
			t.Fatal(err)
		}
		gn, err := gethenode.New(gethenode.ValidSchemes, &g)
		if err != nil {
			t.Fatal(err)
		}
		if o.IPAddr() != netip.MustParseAddr("127.0.0.1") || gn.IPAddr() != netip.MustParseAddr("::ffff:8.8.8.8") {
			t.Errorf("ours %v, geth %v; want 127.0.0.1 and ::ffff:8.8.8.8 (update doc.go)", o.IPAddr(), gn.IPAddr())
		}
	})
	t.Run("D6 unspecified address", func(t *testing.T) {
		o := enode.MustParse("enode://" + key + "@[::]:30303")
		g := gethenode.MustParse("enode://" + key + "@[::]:30303")
		if o.IPAddr().IsValid() || !g.IPAddr().IsUnspecified() {
			t.Errorf("ours %v, geth %v; want none and :: (update doc.go)", o.IPAddr(), g.IPAddr())
		}
	})
}

// enrText is the text form of a signed record whose base64 does not end
// on a 3-byte boundary (so that its last character has padding bits).
func enrText(t *testing.T) string {
	for _, s := range enrSeeds(t) {
		if strings.HasPrefix(string(s), "enr:") && len(s[4:])%4 != 0 {
			return string(s)
		}
	}
	t.Fatal("no seed with padding bits")
	return ""
}
