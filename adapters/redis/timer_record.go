package redis

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Memory layout of one pending timer (see the memory benchmark): the
// shard's sorted set and hash are keyed by a 14-byte digest of the timer id
// rather than the id itself, and the hash holds the id next to the payload.
// A 14-byte string is the largest that fits Redis's 16-byte allocation, so
// the member costs the same whatever the id's length, and the id is stored
// once instead of twice. 112 bits make a collision between two timers of one
// shard out of reach (about 2^-73 with a million timers in one shard).

// memberSize is the length of a timer's member in its shard's keys.
const memberSize = 14

// Record forms: a waiting timer's record starts with recordWaiting; the
// first claim rewrites it to recordLeased, its due time in decimal unix ms
// and '|', followed by the rest of the waiting form.
const (
	recordWaiting = 'p'
	recordLeased  = 'l'
)

// member returns the timer's member: the first 14 bytes of SHA-256(id).
func member(id string) string {
	sum := sha256.Sum256([]byte(id))
	return string(sum[:memberSize])
}

// encodeRecord builds a waiting timer's record: 'p', uvarint(len(id)), id,
// payload.
func encodeRecord(id string, payload []byte) []byte {
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(id)+len(payload))
	b = append(b, recordWaiting)
	b = binary.AppendUvarint(b, uint64(len(id)))
	b = append(b, id...)
	return append(b, payload...)
}

// errBadRecord reports a record this package did not write.
var errBadRecord = errors.New("malformed timer record")

// decodeRecord splits a record of either form into id and payload. The
// payload aliases b.
func decodeRecord(b []byte) (id string, payload []byte, err error) {
	if len(b) == 0 {
		return "", nil, fmt.Errorf("%w: empty", errBadRecord)
	}
	switch b[0] {
	case recordWaiting:
		b = b[1:]
	case recordLeased:
		i := bytes.IndexByte(b, '|')
		if i < 0 {
			return "", nil, fmt.Errorf("%w: leased record without '|'", errBadRecord)
		}
		b = b[i+1:]
	default:
		return "", nil, fmt.Errorf("%w: unknown form %q", errBadRecord, b[0])
	}
	n, w := binary.Uvarint(b)
	if w <= 0 {
		return "", nil, fmt.Errorf("%w: bad id length", errBadRecord)
	}
	rest := b[w:]
	if n > uint64(len(rest)) {
		return "", nil, fmt.Errorf("%w: id length %d of %d bytes", errBadRecord, n, len(rest))
	}
	return string(rest[:n]), rest[n:], nil
}
