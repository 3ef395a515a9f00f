package crypto

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Secp256k1 constants (SEC 2, section 2.4.1).
var (
	testN  = new(big.Int).SetBytes(curveN[:])
	testP  = mustBig("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
	testGx = mustBig("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
	testGy = mustBig("483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")
)

func mustBig(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("bad hex " + s)
	}
	return v
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func bytes32(v *big.Int) []byte { return v.FillBytes(make([]byte, 32)) }

// uncompressed returns 0x04 || x || y.
func uncompressed(x, y *big.Int) []byte {
	return append(append([]byte{0x04}, bytes32(x)...), bytes32(y)...)
}

func TestGenerateKey(t *testing.T) {
	for range 10 {
		key, err := GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		if key.Curve != S256() {
			t.Fatal("key curve is not S256")
		}
		if !S256().IsOnCurve(key.X, key.Y) {
			t.Fatal("public key not on curve")
		}
		again, err := ToECDSA(FromECDSA(key))
		if err != nil {
			t.Fatal(err)
		}
		if !again.Equal(key) {
			t.Fatal("ToECDSA(FromECDSA(key)) differs from key")
		}
	}
}

func TestS256(t *testing.T) {
	p := S256().Params()
	if p.N.Cmp(testN) != 0 || p.P.Cmp(testP) != 0 || p.Gx.Cmp(testGx) != 0 || p.Gy.Cmp(testGy) != 0 || p.BitSize != 256 {
		t.Fatalf("wrong curve parameters %+v", p)
	}
}

func TestToECDSA(t *testing.T) {
	tests := []struct {
		name string
		d    []byte
		ok   bool
	}{
		{"one", bytes32(big.NewInt(1)), true},
		{"N-1", bytes32(new(big.Int).Sub(testN, big.NewInt(1))), true},
		{"zero", make([]byte, 32), false},
		{"N", bytes32(testN), false},
		{"N+1", bytes32(new(big.Int).Add(testN, big.NewInt(1))), false},
		{"all ones", bytes.Repeat([]byte{0xff}, 32), false},
		{"short", make([]byte, 31), false},
		{"long", append(make([]byte, 32), 1), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := ToECDSA(tt.d)
			if !tt.ok {
				if !errors.Is(err, ErrInvalidPrivateKey) {
					t.Fatalf("error %v, want ErrInvalidPrivateKey", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(FromECDSA(key), tt.d) {
				t.Fatalf("FromECDSA = %x, want %x", FromECDSA(key), tt.d)
			}
		})
	}
	one, _ := ToECDSA(bytes32(big.NewInt(1)))
	if one.X.Cmp(testGx) != 0 || one.Y.Cmp(testGy) != 0 {
		t.Fatal("public key of 1 is not G")
	}
}

func TestFromECDSANil(t *testing.T) {
	if FromECDSA(nil) != nil || FromECDSA(&ecdsa.PrivateKey{}) != nil {
		t.Error("FromECDSA of an empty key is not nil")
	}
	huge := &ecdsa.PrivateKey{D: new(big.Int).Lsh(big.NewInt(1), 300)}
	if FromECDSA(huge) != nil {
		t.Error("FromECDSA of a 300-bit scalar is not nil")
	}
	if FromECDSAPub(nil) != nil || FromECDSAPub(&ecdsa.PublicKey{}) != nil || CompressPubkey(nil) != nil {
		t.Error("encoding an empty public key is not nil")
	}
}

func TestHexToECDSA(t *testing.T) {
	const valid = "289c2857d4598e37fb9647507e47a309d6133539bf21a8b9cb6df88fd5232032"
	if _, err := HexToECDSA(valid); err != nil {
		t.Fatal(err)
	}
	if _, err := HexToECDSA(strings.ToUpper(valid)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		"",
		"0x" + valid,
		valid[:63],
		valid + "00",
		"zz" + valid[2:],
		strings.Repeat("0", 64),
		strings.Repeat("f", 64),
	} {
		if _, err := HexToECDSA(bad); !errors.Is(err, ErrInvalidPrivateKey) {
			t.Errorf("HexToECDSA(%q): error %v, want ErrInvalidPrivateKey", bad, err)
		}
	}
}

func TestUnmarshalPubkey(t *testing.T) {
	g := uncompressed(testGx, testGy)
	with := func(f func(b []byte)) []byte {
		b := bytes.Clone(g)
		f(b)
		return b
	}
	tests := []struct {
		name string
		in   []byte
		ok   bool
	}{
		{"G", g, true},
		{"-G", uncompressed(testGx, new(big.Int).Sub(testP, testGy)), true},
		{"empty", nil, false},
		{"short", g[:64], false},
		{"long", append(bytes.Clone(g), 0), false},
		{"no prefix", g[1:], false},
		{"prefix 0x02", with(func(b []byte) { b[0] = 0x02 }), false},
		{"hybrid 0x06", with(func(b []byte) { b[0] = 0x06 }), false},
		{"hybrid 0x07", with(func(b []byte) { b[0] = 0x07 }), false},
		{"off curve", with(func(b []byte) { b[64] ^= 1 }), false},
		{"x = P", uncompressed(testP, testGy), false},
		{"y = P", uncompressed(testGx, testP), false},
		{"zero point", uncompressed(big.NewInt(0), big.NewInt(0)), false},
		// (0, 1) lies on y² = x³ + 1, where it has order 3: the classic
		// invalid-curve point.
		{"invalid curve (0,1)", uncompressed(big.NewInt(0), big.NewInt(1)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub, err := UnmarshalPubkey(tt.in)
			if !tt.ok {
				if !errors.Is(err, ErrInvalidPublicKey) {
					t.Fatalf("error %v, want ErrInvalidPublicKey", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if pub.Curve != S256() {
				t.Fatal("wrong curve")
			}
			if !bytes.Equal(FromECDSAPub(pub), tt.in) {
				t.Fatalf("FromECDSAPub = %x, want %x", FromECDSAPub(pub), tt.in)
			}
			raw, err := UnmarshalRawPubkey(tt.in[1:])
			if err != nil || !raw.Equal(pub) {
				t.Fatalf("UnmarshalRawPubkey = %v, %v", raw, err)
			}
		})
	}
	for i := range g {
		if _, err := UnmarshalPubkey(g[:i]); err == nil {
			t.Fatalf("prefix of length %d accepted", i)
		}
	}
}

func TestCompressPubkey(t *testing.T) {
	for range 20 {
		key, _ := GenerateKey()
		c := CompressPubkey(&key.PublicKey)
		if len(c) != 33 || c[0] != 2+byte(key.Y.Bit(0)) {
			t.Fatalf("bad compressed key %x", c)
		}
		pub, err := DecompressPubkey(c)
		if err != nil {
			t.Fatal(err)
		}
		if !pub.Equal(&key.PublicKey) {
			t.Fatal("DecompressPubkey(CompressPubkey(pub)) differs from pub")
		}
	}
	g := CompressPubkey(&ecdsa.PublicKey{Curve: S256(), X: testGx, Y: testGy})
	want := append([]byte{0x02}, bytes32(testGx)...)
	if !bytes.Equal(g, want) {
		t.Fatalf("CompressPubkey(G) = %x, want %x", g, want)
	}
	bad := [][]byte{
		nil,
		g[:32],
		append(bytes.Clone(g), 0),
		append([]byte{0x04}, g[1:]...),
		append([]byte{0x02}, bytes32(big.NewInt(5))...), // 5³+7 = 132 is no square mod P
		append([]byte{0x02}, bytes32(testP)...),
	}
	for _, b := range bad {
		if _, err := DecompressPubkey(b); !errors.Is(err, ErrInvalidPublicKey) {
			t.Errorf("DecompressPubkey(%x): error %v, want ErrInvalidPublicKey", b, err)
		}
	}
}

func TestSaveLoadECDSA(t *testing.T) {
	dir := t.TempDir()
	key, _ := GenerateKey()
	file := filepath.Join(dir, "nodekey")

	// A pre-existing world-readable file is replaced by a private one.
	if err := os.WriteFile(file, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := SaveECDSA(file, key); err != nil {
		t.Fatal(err)
	}
	content, _ := os.ReadFile(file)
	if string(content) != hex.EncodeToString(FromECDSA(key)) {
		t.Fatalf("file holds %q", content)
	}
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(file)
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
		}
	}
	loaded, err := LoadECDSA(file)
	if err != nil {
		t.Fatal(err)
	}
	if !loaded.Equal(key) {
		t.Fatal("loaded key differs")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}

	hexkey := hex.EncodeToString(FromECDSA(key))
	tests := []struct {
		name, content string
		ok            bool
	}{
		{"newline", hexkey + "\n", true},
		{"crlf", hexkey + "\r\n", true},
		{"spaces", "  " + hexkey + " \n\n", true},
		{"empty", "", false},
		{"short", hexkey[:63], false},
		{"long", hexkey + "00", false},
		{"not hex", "x" + hexkey[1:], false},
		{"inner space", hexkey[:32] + " " + hexkey[32:], false},
		{"zero key", strings.Repeat("0", 64), false},
		{"huge file", hexkey + strings.Repeat(" ", 2000), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(dir, "k")
			if err := os.WriteFile(f, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := LoadECDSA(f)
			if !tt.ok {
				if !errors.Is(err, ErrInvalidPrivateKey) {
					t.Fatalf("error %v, want ErrInvalidPrivateKey", err)
				}
				return
			}
			if err != nil || !got.Equal(key) {
				t.Fatalf("LoadECDSA = %v, %v", got, err)
			}
		})
	}
	if _, err := LoadECDSA(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: error %v, want os.ErrNotExist", err)
	}
	if err := SaveECDSA(filepath.Join(dir, "bad"), &ecdsa.PrivateKey{D: big.NewInt(0)}); !errors.Is(err, ErrInvalidPrivateKey) {
		t.Errorf("saving a zero key: error %v, want ErrInvalidPrivateKey", err)
	}
	if err := SaveECDSA(filepath.Join(dir, "no", "such", "dir"), key); err == nil {
		t.Error("saving into a missing directory succeeded")
	}
}
