package p2p

import (
	"testing"

	"github.com/seednet/p2p/rlp"
)

// FuzzDecodeMessage feeds arbitrary payloads to the decoders of network
// input in this package: Hello, Disconnect, and Msg.Decode with its
// one-item-list rule. None may panic, and Decode must agree with itself:
// a payload that decodes into a []string of one element decodes into a
// string with that value.
func FuzzDecodeMessage(f *testing.F) {
	for _, seed := range [][]byte{
		{0xC4, 0x83, 'b', 'a', 'r'}, // ["bar"]
		{0x83, 'b', 'a', 'r'},       // "bar"
		{0xC2, 0x61, 0x62},          // ["a", "b"]
		{0xC0}, {0xC1, 0x04}, {0x04}, {},
		mustEncodeHello(f),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeDisconnect(data)
		var hello helloMsg
		rlp.DecodeBytes(data, &hello)

		msg := func() Msg { return Msg{Code: 0, Size: uint32(len(data)), Payload: newPayloadReader(data)} }
		var list []string
		listErr := msg().Decode(&list)
		var s string
		strErr := msg().Decode(&s)
		var st struct{ A, B uint }
		msg().Decode(&st)
		if listErr == nil && len(list) == 1 {
			if strErr != nil || s != list[0] {
				t.Fatalf("payload %x: []string %q but string %q, %v", data, list, s, strErr)
			}
		}
	})
}

func mustEncodeHello(f *testing.F) []byte {
	key, _ := newKeyNoTest()
	b, err := encodeHello("seed", []Cap{{"echo", 1}}, 30303, key)
	if err != nil {
		f.Fatal(err)
	}
	return b
}
