package enr

import (
	"errors"
	"fmt"
)

// SizeLimit is the largest encoded size of a record, in bytes (EIP-778).
// Larger records are rejected when decoding (ErrTooBig) and cannot be signed.
const SizeLimit = 300

// Errors of decoding, signing and verifying records. Decoding errors may also
// wrap an error of package rlp, such as rlp.ErrCanonInt for a non-canonical
// sequence number.
var (
	// ErrTooBig means the encoded record is larger than SizeLimit bytes.
	ErrTooBig = fmt.Errorf("enr: record bigger than %d bytes", SizeLimit)
	// ErrNotSorted means the keys of a decoded record are not in ascending order.
	ErrNotSorted = errors.New("enr: record keys are not sorted")
	// ErrDuplicateKey means a decoded record holds a key twice.
	ErrDuplicateKey = errors.New("enr: record contains duplicate key")
	// ErrIncompletePair means a decoded record ends with a key without a value.
	ErrIncompletePair = errors.New("enr: record contains incomplete key/value pair")
	// ErrInvalidRecord means the record is not a list of [signature, seq, ...]
	// with a string signature and an integer seq, or a key is not a string.
	ErrInvalidRecord = errors.New("enr: invalid record structure")
	// ErrNotSigned is returned by EncodeRLP for a record that has no signature.
	ErrNotSigned = errors.New("enr: record is not signed")
	// ErrNoID means the record has no "id" entry naming its identity scheme.
	ErrNoID = errors.New("enr: record has no identity scheme")
	// ErrUnknownScheme means the record's identity scheme is not among the
	// valid ones given for verification.
	ErrUnknownScheme = errors.New("enr: unknown identity scheme")
	// ErrInvalidSig means the signature does not verify. Identity schemes
	// return it (possibly wrapped) from Verify.
	ErrInvalidSig = errors.New("enr: invalid signature")
	// ErrNotFound is wrapped in the *KeyError that Load returns when the
	// record has no entry with the requested key.
	ErrNotFound = errors.New("missing")
)

// KeyError is the error of Load: the entry with the given key is missing
// (Err is ErrNotFound) or its value does not decode into the entry type.
type KeyError struct {
	Key string
	Err error
}

func (e *KeyError) Error() string {
	if e.Err == ErrNotFound {
		return fmt.Sprintf("enr: missing %q entry", e.Key)
	}
	return fmt.Sprintf("enr: invalid %q entry: %v", e.Key, e.Err)
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *KeyError) Unwrap() error { return e.Err }

// IsNotFound reports whether err says that a key was not in the record.
func IsNotFound(err error) bool {
	return errors.Is(err, ErrNotFound)
}
