package crypto

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// maxKeyFileSize bounds what LoadECDSA reads: 64 hex digits and some
// whitespace.
const maxKeyFileSize = 1024

// LoadECDSA reads a secret key from file, which holds it as 64 hex digits.
// Leading and trailing whitespace (such as a final newline) is ignored.
func LoadECDSA(file string) (*ecdsa.PrivateKey, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	defer clear(buf)
	if err != nil {
		return nil, err
	}
	if len(buf) > maxKeyFileSize {
		return nil, fmt.Errorf("key file %s: %w: file too large", file, ErrInvalidPrivateKey)
	}
	key, err := HexToECDSA(string(bytes.TrimSpace(buf)))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", file, err)
	}
	return key, nil
}

// SaveECDSA writes key to file as 64 hex digits with no newline, readable by
// the owner only (mode 0600). It writes a temporary file next to file and
// renames it into place, so file is never left half-written, and an existing
// file of another mode is replaced by one with mode 0600.
func SaveECDSA(file string, key *ecdsa.PrivateKey) error {
	k, err := seckeyBytes(key)
	if err != nil {
		return err
	}
	defer clear(k[:])
	if !validSeckey(&k) {
		return ErrInvalidPrivateKey
	}
	var text [2 * PrivateKeyLength]byte
	defer clear(text[:])
	hex.Encode(text[:], k[:])

	// os.CreateTemp creates the file with mode 0600.
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if _, err := tmp.Write(text[:]); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
