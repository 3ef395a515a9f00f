package admin

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// MinTokenLength is the shortest token ReadTokenFile accepts.
const MinTokenLength = 16

// maxTokenFile bounds what ReadTokenFile reads.
const maxTokenFile = 4096

// ReadTokenFile returns the token in file: its content without the
// surrounding white space, which must be at least MinTokenLength
// printable ASCII characters without spaces.
func ReadTokenFile(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	if err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	if len(data) > maxTokenFile {
		return "", fmt.Errorf("%s: more than %d bytes: not a token file", file, maxTokenFile)
	}
	token := strings.TrimSpace(string(data))
	if err := checkToken(token); err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	return token, nil
}

func checkToken(token string) error {
	if len(token) < MinTokenLength {
		return fmt.Errorf("the token has %d characters, want at least %d", len(token), MinTokenLength)
	}
	for _, c := range []byte(token) {
		if c <= ' ' || c > '~' {
			return errors.New("the token must be printable ASCII characters without spaces")
		}
	}
	return nil
}

// LoadOrCreateTokenFile returns the token in file, as ReadTokenFile does,
// or, if file does not exist, writes a new random token (64 hex digits)
// to it with mode 0600 and returns it with created set.
func LoadOrCreateTokenFile(file string) (token string, created bool, err error) {
	token, err = ReadTokenFile(file)
	if !errors.Is(err, fs.ErrNotExist) {
		return token, false, err
	}
	var b [32]byte
	rand.Read(b[:]) // never fails
	token = hex.EncodeToString(b[:])
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", false, err
	}
	if _, err := f.WriteString(token + "\n"); err != nil {
		f.Close()
		os.Remove(file)
		return "", false, err
	}
	if err := f.Close(); err != nil {
		os.Remove(file)
		return "", false, err
	}
	return token, true, nil
}
