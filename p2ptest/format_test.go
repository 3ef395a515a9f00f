package p2ptest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/rlp"
)

func TestRenderRLP(t *testing.T) {
	enc := func(v any) []byte {
		b, err := rlp.EncodeToBytes(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	deep := enc([]any{[]any{[]any{}}})
	for range maxRenderDepth {
		deep = enc([]rlp.RawValue{deep})
	}
	for _, tt := range []struct {
		name string
		in   []byte
		want string
	}{
		{"string", enc("bar"), `"bar"`},
		{"empty string", enc(""), `""`},
		{"single byte", enc(uint(5)), "0x05"},
		{"one printable byte", enc("a"), "0x61"},
		{"binary", enc([]byte{0, 1, 0xff}), "0x0001ff"},
		{"integer", enc(uint(1024)), "0x0400"},
		{"list", enc([]any{"foo", uint(42), []any{}, []string{"x", "yz"}}), `["foo", 0x2a, [], [0x78, "yz"]]`},
		{"empty", nil, "(invalid RLP: unexpected EOF)"},
		{"truncated list", []byte{0xc1}, "(invalid RLP: rlp: value size exceeds available input length)"},
		{"truncated element", []byte{0xc2, 0x82, 0x61}, "[] (invalid RLP: rlp: value size exceeds available input length)"},
		{"trailing bytes", []byte{0x80, 0x01, 0x02}, `"" (and 2 bytes after the value)`},
		{"deep", deep, strings.Repeat("[", maxRenderDepth) + "[...]" + strings.Repeat("]", maxRenderDepth)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := renderRLP(tt.in); got != tt.want {
				t.Errorf("renderRLP(%x) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestRenderRLPLong(t *testing.T) {
	items := make([]string, 100)
	for i := range items {
		items[i] = "item"
	}
	b, _ := rlp.EncodeToBytes(items)
	got := renderRLP(b)
	if len(got) != maxShownText+3 || !strings.HasPrefix(got, `["item", "item"`) || !strings.HasSuffix(got, "...") {
		t.Errorf("renderRLP of a long list: %d characters: %s", len(got), got)
	}
	long := bytes.Repeat([]byte{0xab}, 100)
	if got, want := formatHex(long), "0x"+strings.Repeat("ab", maxShownBytes)+"... (100 bytes)"; got != want {
		t.Errorf("formatHex = %s, want %s", got, want)
	}
}

func TestFormatValue(t *testing.T) {
	type name string
	type bytes32 [32]byte
	type hash []byte
	for _, tt := range []struct {
		in   any
		want string
	}{
		{nil, "nil"},
		{"a\nb", `"a\nb"`},
		{name("x"), `"x"`},
		{[]byte{1, 2}, "0x0102"},
		{hash{3}, "0x03"},
		{rlp.RawValue{0xc0}, "rlp.RawValue(0xc0)"},
		{uint(7), "7"},
		{[]string{"a", "b"}, "[a b]"},
		{struct{ A uint }{1}, "{A:1}"},
		{&struct{ A uint }{1}, "&{A:1}"},
		{strings.Repeat("x", 300), `"` + strings.Repeat("x", maxShownText-1) + "..."},
	} {
		if got := formatValue(tt.in); got != tt.want {
			t.Errorf("formatValue(%#v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// The mapping of Run's error to a reason, against the table in
// p2p.Protocol.Run's doc, including the errors Msg.Decode really returns.
func TestDiscReason(t *testing.T) {
	decodeErr := p2p.Msg{Code: 1, Size: 1, Payload: bytes.NewReader([]byte{0xc1})}.Decode(new(string))
	if decodeErr == nil {
		t.Fatal("decoding 0xc1 succeeded")
	}
	for _, tt := range []struct {
		err  error
		want p2p.DiscReason
	}{
		{nil, p2p.DiscQuitting},
		{p2p.ErrProtocolReturned, p2p.DiscQuitting},
		{p2p.DiscUselessPeer, p2p.DiscUselessPeer},
		{fmt.Errorf("x: %w", p2p.DiscRequested), p2p.DiscRequested},
		{&p2p.RemoteDisconnectError{Reason: p2p.DiscTooManyPeers}, p2p.DiscTooManyPeers},
		{decodeErr, p2p.DiscProtocolError},
		{p2p.ErrInvalidMsg, p2p.DiscProtocolError},
		{fmt.Errorf("x: %w", p2p.ErrInvalidMsgCode), p2p.DiscProtocolError},
		{fmt.Errorf("%w and %w", p2p.ErrInvalidMsg, p2p.DiscSelf), p2p.DiscSelf}, // a reason wins
		{io.EOF, p2p.DiscSubprotocolError},
		{errors.New("boom"), p2p.DiscSubprotocolError},
	} {
		if got := p2p.DiscReasonFor(tt.err); got != tt.want {
			t.Errorf("p2p.DiscReasonFor(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
