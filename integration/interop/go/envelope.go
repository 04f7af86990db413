package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// tracehop's NSQ body envelope, version 1, written from docs/nsq-envelope.md alone:
//
//	magic 00 f5 54 48 | version u8 | H u32 | headers block (H bytes) | P u32 | payload (P bytes)
//	headers block v1:  N u16, then N × (K u16, key, V u16, value); all integers big-endian.

var envelopeMagic = [4]byte{0x00, 0xf5, 0x54, 0x48}

const (
	envelopeVersion = 1
	frameOverhead   = 13 // magic, version, H and P
	maxU16          = 0xffff
	// nsqd's default --max-msg-size: a writer refuses larger envelopes (§8).
	defaultMaxMessageSize = 1 << 20
)

// envelope is a decoded body: its version, its headers (none for versions this reader does not
// know, §6) and the payload, unchanged.
type envelope struct {
	version byte
	headers []headerJSON
	payload []byte
}

// encodeEnvelope wraps payload with headers (§4). It refuses what a reader would reject, and
// envelopes that nsqd would refuse, before anything is sent.
func encodeEnvelope(headers []headerJSON, payload []byte) ([]byte, error) {
	if len(headers) > maxU16 {
		return nil, fmt.Errorf("envelope: %d headers, at most %d", len(headers), maxU16)
	}
	block := binary.BigEndian.AppendUint16(nil, uint16(len(headers)))
	seen := make(map[string]bool, len(headers))
	for _, h := range headers {
		key, value := h[0], h[1]
		switch {
		case key == "":
			return nil, errors.New("envelope: empty header key")
		case len(key) > maxU16 || len(value) > maxU16:
			return nil, fmt.Errorf("envelope: header %q longer than %d bytes", key, maxU16)
		case !utf8.ValidString(key) || !utf8.ValidString(value):
			return nil, fmt.Errorf("envelope: header %q is not UTF-8", key)
		case seen[key]:
			return nil, fmt.Errorf("envelope: header %q given twice", key)
		}
		seen[key] = true
		block = binary.BigEndian.AppendUint16(block, uint16(len(key)))
		block = append(block, key...)
		block = binary.BigEndian.AppendUint16(block, uint16(len(value)))
		block = append(block, value...)
	}
	size := frameOverhead + len(block) + len(payload)
	if size > defaultMaxMessageSize {
		return nil, fmt.Errorf("envelope: %d bytes, more than nsqd's --max-msg-size %d", size, defaultMaxMessageSize)
	}
	out := make([]byte, 0, size)
	out = append(out, envelopeMagic[:]...)
	out = append(out, envelopeVersion)
	out = binary.BigEndian.AppendUint32(out, uint32(len(block)))
	out = append(out, block...)
	out = binary.BigEndian.AppendUint32(out, uint32(len(payload)))
	return append(out, payload...), nil
}

// decodeEnvelope reads a body (§5). ok is false when the body is not an envelope, which is no
// error: the body is then the payload, delivered unchanged.
func decodeEnvelope(body []byte) (env envelope, ok bool) {
	length := uint64(len(body))
	if length < frameOverhead || [4]byte(body[:4]) != envelopeMagic {
		return envelope{}, false
	}
	version := body[4]
	if version == 0 {
		return envelope{}, false
	}
	// 64-bit arithmetic: a u32 length near 2³² must not wrap around.
	h := uint64(binary.BigEndian.Uint32(body[5:9]))
	if h > length-frameOverhead {
		return envelope{}, false
	}
	p := uint64(binary.BigEndian.Uint32(body[9+h : 13+h]))
	if frameOverhead+h+p != length {
		return envelope{}, false
	}
	payload := body[13+h:]
	if version >= 2 {
		// A later version's headers block is not ours to read: payload, no context (§6).
		return envelope{version: version, payload: payload}, true
	}
	headers, ok := decodeHeadersV1(body[9 : 9+h])
	if !ok {
		return envelope{}, false
	}
	return envelope{version: version, headers: headers, payload: payload}, true
}

// decodeHeadersV1 parses a version 1 headers block (§5 step 7); any flaw rejects the whole body.
func decodeHeadersV1(block []byte) ([]headerJSON, bool) {
	end := len(block)
	if end < 2 {
		return nil, false
	}
	n := int(binary.BigEndian.Uint16(block[0:2]))
	pos := 2
	if 5*n > end-pos { // every entry needs at least 5 bytes
		return nil, false
	}
	headers := make([]headerJSON, 0, n)
	seen := make(map[string]bool, n)
	for range n {
		if pos+2 > end {
			return nil, false
		}
		k := int(binary.BigEndian.Uint16(block[pos:]))
		pos += 2
		if k == 0 || pos+k+2 > end {
			return nil, false
		}
		key := block[pos : pos+k]
		pos += k
		v := int(binary.BigEndian.Uint16(block[pos:]))
		pos += 2
		if pos+v > end {
			return nil, false
		}
		value := block[pos : pos+v]
		pos += v
		if !utf8.Valid(key) || !utf8.Valid(value) || seen[string(key)] {
			return nil, false
		}
		seen[string(key)] = true
		headers = append(headers, headerJSON{string(key), string(value)})
	}
	if pos != end {
		return nil, false
	}
	return headers, true
}
