package enode

import (
	"encoding/json"
	"errors"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestParseID(t *testing.T) {
	hex64 := strings.Repeat("0f", 32)
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"plain", hex64, true},
		{"0x prefix", "0x" + hex64, true},
		{"upper case", strings.ToUpper(hex64), true},
		{"short", hex64[:62], false},
		{"long", hex64 + "00", false},
		{"odd", hex64[:63], false},
		{"not hex", "zz" + hex64[2:], false},
		{"empty", "", false},
		{"only prefix", "0x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := ParseID(tt.in)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				if id.String() != hex64 {
					t.Fatalf("got %s", id)
				}
				return
			}
			if !errors.Is(err, ErrInvalidID) {
				t.Fatalf("error %v, want ErrInvalidID", err)
			}
		})
	}
}

func TestIDText(t *testing.T) {
	id := HexID(specID)
	if id.TerminalString() != specID[:16] {
		t.Errorf("TerminalString %s", id.TerminalString())
	}
	if got := id.GoString(); got != `enode.HexID("`+specID+`")` {
		t.Errorf("GoString %s", got)
	}
	b, err := json.Marshal(id)
	if err != nil || string(b) != `"`+specID+`"` {
		t.Fatalf("json %s %v", b, err)
	}
	var back ID
	if err := json.Unmarshal(b, &back); err != nil || back != id {
		t.Fatalf("json round trip %v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`"abc"`), &back); !errors.Is(err, ErrInvalidID) {
		t.Fatalf("bad json: %v", err)
	}
	if id.IsZero() || !(ID{}).IsZero() {
		t.Error("IsZero")
	}
	defer func() {
		if recover() == nil {
			t.Error("HexID did not panic")
		}
	}()
	HexID("nope")
}

func randID(r *rand.Rand) (id ID) {
	for i := range id {
		id[i] = byte(r.Uint32())
	}
	return id
}

func xorBig(a, b ID) *big.Int {
	var x ID
	for i := range x {
		x[i] = a[i] ^ b[i]
	}
	return new(big.Int).SetBytes(x[:])
}

func TestDistCmp(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		target, a, b := randID(r), randID(r), randID(r)
		if r.IntN(4) == 0 {
			b = a
		}
		if r.IntN(4) == 0 {
			copy(b[:r.IntN(32)], a[:]) // long common prefix
		}
		want := xorBig(a, target).Cmp(xorBig(b, target))
		if got := DistCmp(target, a, b); got != want {
			t.Fatalf("DistCmp(%x, %x, %x) = %d, want %d", target, a, b, got, want)
		}
	}
}

func TestLogDist(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		a := randID(r)
		b := a
		// Flip a random bit and randomize some below it.
		n := r.IntN(257)
		if n > 0 {
			b = RandomID(a, n)
		}
		want := xorBig(a, b).BitLen()
		if got := LogDist(a, b); got != want || got != n {
			t.Fatalf("LogDist = %d, want %d (n %d)", got, want, n)
		}
	}
	if got := LogDist(ID{}, ID{0x80}); got != 256 {
		t.Errorf("max distance %d", got)
	}
	if got := LogDist(ID{}, ID{31: 1}); got != 1 {
		t.Errorf("min distance %d", got)
	}
}

func TestRandomIDClamps(t *testing.T) {
	a := HexID(specID)
	if RandomID(a, -1) != a || RandomID(a, 0) != a {
		t.Error("distance 0 changed the ID")
	}
	if LogDist(a, RandomID(a, 1000)) != 256 {
		t.Error("distance above 256 not clamped")
	}
}

func TestDistanceAllocs(t *testing.T) {
	a, b := HexID(specID), RandomID(HexID(specID), 200)
	tests := []struct {
		name string
		f    func()
	}{
		{"DistCmp", func() { DistCmp(a, b, a) }},
		{"LogDist", func() { LogDist(a, b) }},
		{"RandomID", func() { RandomID(a, 255) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(100, tt.f); n != 0 {
				t.Fatalf("%v allocations", n)
			}
		})
	}
}
