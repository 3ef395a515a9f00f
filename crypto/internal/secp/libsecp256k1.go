//go:build libsecp256k1

package secp

/*
#cgo LDFLAGS: -lsecp256k1
#include <string.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <secp256k1_ecdh.h>

// The default illegal-argument callback aborts the process. The Go side checks
// arguments before calling in, and with this callback an argument it missed
// makes the call return 0 instead.
static void p2p_secp_illegal(const char *msg, void *data) {
	(void)msg;
	(void)data;
}

static secp256k1_context *p2p_secp_context(const unsigned char *seed32) {
	// SIGN and VERIFY are what libsecp256k1 before 0.2 needs for these
	// operations; 0.2 and later treat the flags as NONE.
	secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY);
	if (ctx == NULL) {
		return NULL;
	}
	secp256k1_context_set_illegal_callback(ctx, p2p_secp_illegal, NULL);
	if (!secp256k1_context_randomize(ctx, seed32)) {
		secp256k1_context_destroy(ctx);
		return NULL;
	}
	return ctx;
}

static int p2p_secp_parse_pubkey(const secp256k1_context *ctx, secp256k1_pubkey *pk, const unsigned char *pub64) {
	unsigned char buf[65];
	buf[0] = 0x04;
	memcpy(buf + 1, pub64, 64);
	return secp256k1_ec_pubkey_parse(ctx, pk, buf, sizeof(buf));
}

static void p2p_secp_serialize_pubkey(const secp256k1_context *ctx, unsigned char *out64, const secp256k1_pubkey *pk) {
	unsigned char buf[65];
	size_t len = sizeof(buf);
	secp256k1_ec_pubkey_serialize(ctx, buf, &len, pk, SECP256K1_EC_UNCOMPRESSED);
	memcpy(out64, buf + 1, 64);
}

static int p2p_secp_pubkey(const secp256k1_context *ctx, unsigned char *out64, const unsigned char *seckey32) {
	secp256k1_pubkey pk;
	if (!secp256k1_ec_pubkey_create(ctx, &pk, seckey32)) {
		return 0;
	}
	p2p_secp_serialize_pubkey(ctx, out64, &pk);
	return 1;
}

static int p2p_secp_sign(const secp256k1_context *ctx, unsigned char *sig65, const unsigned char *hash32, const unsigned char *seckey32) {
	secp256k1_ecdsa_recoverable_signature sig;
	int recid = 0;
	// A NULL nonce function selects RFC 6979; the result has low S.
	if (!secp256k1_ecdsa_sign_recoverable(ctx, &sig, hash32, seckey32, NULL, NULL)) {
		return 0;
	}
	secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, sig65, &recid, &sig);
	sig65[64] = (unsigned char)recid;
	return 1;
}

static int p2p_secp_recover(const secp256k1_context *ctx, unsigned char *out64, const unsigned char *sig65, const unsigned char *hash32) {
	secp256k1_ecdsa_recoverable_signature sig;
	secp256k1_pubkey pk;
	if (sig65[64] > 3) {
		return 0;
	}
	if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, sig65, sig65[64])) {
		return 0;
	}
	if (!secp256k1_ecdsa_recover(ctx, &pk, &sig, hash32)) {
		return 0;
	}
	p2p_secp_serialize_pubkey(ctx, out64, &pk);
	return 1;
}

static int p2p_secp_verify(const secp256k1_context *ctx, const unsigned char *pub64, const unsigned char *hash32, const unsigned char *sig64) {
	secp256k1_ecdsa_signature sig;
	secp256k1_pubkey pk;
	if (!p2p_secp_parse_pubkey(ctx, &pk, pub64)) {
		return 0;
	}
	if (!secp256k1_ecdsa_signature_parse_compact(ctx, &sig, sig64)) {
		return 0;
	}
	// secp256k1_ecdsa_verify rejects S in the upper half of the order.
	return secp256k1_ecdsa_verify(ctx, &sig, hash32, &pk);
}

// p2p_secp_copy_x makes secp256k1_ecdh output the bare x coordinate instead of
// its default SHA-256 of the compressed point.
static int p2p_secp_copy_x(unsigned char *output, const unsigned char *x32, const unsigned char *y32, void *data) {
	(void)y32;
	(void)data;
	memcpy(output, x32, 32);
	return 1;
}

static int p2p_secp_ecdh(const secp256k1_context *ctx, unsigned char *out32, const unsigned char *pub64, const unsigned char *seckey32) {
	secp256k1_pubkey pk;
	if (!secp256k1_ec_seckey_verify(ctx, seckey32)) {
		return 0;
	}
	if (!p2p_secp_parse_pubkey(ctx, &pk, pub64)) {
		return -1;
	}
	return secp256k1_ecdh(ctx, out32, &pk, seckey32, p2p_secp_copy_x, NULL);
}
*/
import "C"

import (
	"crypto/rand"
	"unsafe"
)

// LibSecp256k1 is the backend on the system's libsecp256k1 (modules recovery
// and ecdh), linked with cgo. It is compiled only with the build tag
// libsecp256k1.
//
// Signing, public key derivation and ECDH are constant-time in
// libsecp256k1, and its base point multiplication is blinded with the random
// seed the context is created with. Verification and recovery work on public
// data only and are variable-time.
type LibSecp256k1 struct{}

var _ Backend = LibSecp256k1{}

// cctx is created once, when the package is initialised. A
// libsecp256k1 context is only read by the functions used here, so it is safe
// for concurrent use.
var cctx = newContext()

func newContext() *C.secp256k1_context {
	var seed [32]byte
	rand.Read(seed[:])
	ctx := C.p2p_secp_context(cbytes(seed[:]))
	if ctx == nil {
		panic("secp: cannot create the libsecp256k1 context")
	}
	return ctx
}

// cbytes passes b to C. The C functions above do not keep the pointer.
func cbytes(b []byte) *C.uchar {
	return (*C.uchar)(unsafe.Pointer(&b[0]))
}

// Name implements Backend.
func (LibSecp256k1) Name() string { return "libsecp256k1" }

// PublicKey implements Backend.
func (LibSecp256k1) PublicKey(seckey *[32]byte) ([64]byte, error) {
	var out [64]byte
	if C.p2p_secp_pubkey(cctx, cbytes(out[:]), cbytes(seckey[:])) != 1 {
		return [64]byte{}, ErrInvalidPrivateKey
	}
	return out, nil
}

// Sign implements Backend.
func (LibSecp256k1) Sign(hash, seckey *[32]byte) ([65]byte, error) {
	var out [65]byte
	if C.p2p_secp_sign(cctx, cbytes(out[:]), cbytes(hash[:]), cbytes(seckey[:])) != 1 {
		return [65]byte{}, ErrInvalidPrivateKey
	}
	return out, nil
}

// Recover implements Backend.
func (LibSecp256k1) Recover(hash *[32]byte, sig *[65]byte) ([64]byte, error) {
	var out [64]byte
	if sig[64] > 3 {
		return out, ErrInvalidRecoveryID
	}
	if C.p2p_secp_recover(cctx, cbytes(out[:]), cbytes(sig[:]), cbytes(hash[:])) != 1 {
		return [64]byte{}, ErrInvalidSignature
	}
	return out, nil
}

// Verify implements Backend.
func (LibSecp256k1) Verify(pub *[64]byte, hash *[32]byte, sig *[64]byte) bool {
	return C.p2p_secp_verify(cctx, cbytes(pub[:]), cbytes(hash[:]), cbytes(sig[:])) == 1
}

// ECDH implements Backend.
func (LibSecp256k1) ECDH(seckey *[32]byte, pub *[64]byte) ([32]byte, error) {
	var out [32]byte
	switch C.p2p_secp_ecdh(cctx, cbytes(out[:]), cbytes(pub[:]), cbytes(seckey[:])) {
	case 1:
		return out, nil
	case -1:
		return [32]byte{}, ErrInvalidPublicKey
	default:
		return [32]byte{}, ErrInvalidPrivateKey
	}
}
