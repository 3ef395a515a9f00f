package p2p

import (
	"errors"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/rlp"
)

// captureWriter keeps the last message written to it.
type captureWriter struct{ msg Msg }

func (w *captureWriter) WriteMsg(msg Msg) error { w.msg = msg; return nil }

type oneField struct{ S string }
type twoFields struct{ A, B string }
type message string

// TestDecodeSymmetricWithSendItems: a one-item list decodes into a value
// that is not list-shaped; everything else behaves as before.
func TestDecodeSymmetricWithSendItems(t *testing.T) {
	items := func(elems ...any) func(MsgWriter) error {
		return func(w MsgWriter) error { return SendItems(w, 0, elems...) }
	}
	value := func(v any) func(MsgWriter) error {
		return func(w MsgWriter) error { return Send(w, 0, v) }
	}
	strp := func(s string) *string { return &s }
	cases := []struct {
		name    string
		send    func(MsgWriter) error
		into    any    // a pointer to a zero value
		want    any    // what it points to after Decode
		wantErr string // part of the error
	}{
		{"one item into string", items("bar"), new(string), "bar", ""},
		{"one item into named string", items("bar"), new(message), message("bar"), ""},
		{"one item into []string", items("bar"), new([]string), []string{"bar"}, ""},
		{"one item into *string", items("bar"), new(*string), strp("bar"), ""},
		{"one item into uint", items(uint(42)), new(uint), uint(42), ""},
		{"one item into []byte", items([]byte{1, 2, 3}), new([]byte), []byte{1, 2, 3}, ""},
		{"one item into [3]byte", items([3]byte{1, 2, 3}), new([3]byte), [3]byte{1, 2, 3}, ""},
		{"one item into big.Int", items(big.NewInt(1000)), new(big.Int), *big.NewInt(1000), ""},
		{"one item into struct", items("bar"), new(oneField), oneField{"bar"}, ""},
		{"one item into RawValue", items("bar"), new(rlp.RawValue), rlp.RawValue{0xC4, 0x83, 'b', 'a', 'r'}, ""},
		{"one item into any", items("bar"), new(any), any([]any{[]byte("bar")}), ""},
		{"value into string", value("bar"), new(string), "bar", ""},
		{"two items into string", items("a", "b"), new(string), "", "list of 2 items"},
		{"no items into string", items(), new(string), "", "list of 0 items"},
		{"one item into two-field struct", items("bar"), new(twoFields), twoFields{"bar", ""}, "too few"},
		{"two items into two-field struct", items("a", "b"), new(twoFields), twoFields{"a", "b"}, ""},
		{"value into []string", value("bar"), new([]string), []string(nil), "used Send with a single value"},
		{"one item of wrong type", items("a string too long for a uint"), new(uint), uint(0), "one item"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var w captureWriter
			if err := tc.send(&w); err != nil {
				t.Fatal(err)
			}
			err := w.msg.Decode(tc.into)
			got := reflect.ValueOf(tc.into).Elem().Interface()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
				}
				if !errors.Is(err, ErrInvalidMsg) || discReasonFor(err) != DiscProtocolError {
					t.Fatalf("error %v does not wrap ErrInvalidMsg", err)
				}
				if !reflect.DeepEqual(got, tc.want) { // as package rlp leaves it
					t.Fatalf("after the failed decode: %#v, want %#v", got, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("decoded %#v, want %#v", got, tc.want)
			}
		})
	}
}

// TestDecodeErrorSaysWhat: the error names the payload's shape and the
// destination type.
func TestDecodeErrorSaysWhat(t *testing.T) {
	var w captureWriter
	SendItems(&w, 3, "a", "b")
	var s message
	err := w.msg.Decode(&s)
	for _, want := range []string{"code 0x3", "list of 2 items", "*p2p.message", "SendItems"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// TestDecodeErrorEmptyOrGarbage: an empty payload, and one whose first
// bytes are no RLP header, are described as such.
func TestDecodeErrorEmptyOrGarbage(t *testing.T) {
	var s string
	empty := Msg{Code: 1, Size: 0, Payload: newPayloadReader(nil)}
	if err := empty.Decode(&s); err == nil || !strings.Contains(err.Error(), "payload is empty") {
		t.Errorf("empty payload: %v", err)
	}
	garbage := Msg{Code: 1, Size: 1, Payload: newPayloadReader([]byte{0xB9})} // a long string header cut short
	if err := garbage.Decode(&s); err == nil || !strings.Contains(err.Error(), "do not begin an RLP value") {
		t.Errorf("garbage payload: %v", err)
	}
}

// TestDiscReasonForExported: DiscReasonFor is the server's mapping, with
// nil as a Run that returned nil.
func TestDiscReasonForExported(t *testing.T) {
	if DiscReasonFor(nil) != DiscQuitting || DiscReasonFor(ErrInvalidMsg) != DiscProtocolError || DiscReasonFor(DiscSelf) != DiscSelf {
		t.Fatal("DiscReasonFor")
	}
	p := NewPeer(enode.ID{1}, "x", nil)
	if _, ok := p.DisconnectReason(); ok {
		t.Fatal("reason before Disconnect")
	}
	p.Disconnect(DiscUselessPeer)
	if r, ok := p.DisconnectReason(); !ok || r != DiscUselessPeer {
		t.Fatalf("DisconnectReason %v %v", r, ok)
	}
}
