package enr

import "fmt"

// IdentityScheme checks signatures and derives node addresses for records of
// one scheme (enode.V4ID for "v4"), or dispatches among several (SchemeMap).
type IdentityScheme interface {
	// Verify checks that sig is a valid signature of r's content. It
	// returns an error wrapping ErrInvalidSig if not, or another error
	// when the record lacks what the scheme needs (such as its key).
	Verify(r *Record, sig []byte) error
	// NodeAddr returns the node address (node ID) of a verified record.
	NodeAddr(r *Record) []byte
}

// SchemeMap is an IdentityScheme that picks the scheme by the record's "id"
// entry among the ones it holds. enode.ValidSchemes is the usual one.
type SchemeMap map[string]IdentityScheme

// Verify checks sig with the scheme named by r's "id" entry. It returns
// ErrNoID if the record names none and ErrUnknownScheme if m lacks it.
func (m SchemeMap) Verify(r *Record, sig []byte) error {
	s, err := m.scheme(r)
	if err != nil {
		return err
	}
	return s.Verify(r, sig)
}

// NodeAddr returns the node address by r's scheme, or nil if m lacks it.
func (m SchemeMap) NodeAddr(r *Record) []byte {
	s, err := m.scheme(r)
	if err != nil {
		return nil
	}
	return s.NodeAddr(r)
}

func (m SchemeMap) scheme(r *Record) (IdentityScheme, error) {
	name := r.IdentityScheme()
	if name == "" {
		return nil, ErrNoID
	}
	s := m[name]
	if s == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownScheme, name)
	}
	return s, nil
}
