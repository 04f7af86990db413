package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// The test vectors of docs/nsq-envelope.md §11, read from the document itself: fenced blocks
// tagged `envelope-vector` of "field: value" lines, the envelope's hex on indented lines.

type vector struct {
	name, result, version, encode, headers, payload, length, sha256, envelope string
}

var vectorBlock = regexp.MustCompile("(?s)```envelope-vector\n(.*?)```")

func parseVectors(doc string) []vector {
	var out []vector
	for _, block := range vectorBlock.FindAllStringSubmatch(doc, -1) {
		var v vector
		field := ""
		for _, line := range strings.Split(block[1], "\n") {
			if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
				if field == "envelope" {
					v.envelope += "\n" + line
				}
				continue
			}
			name, value, _ := strings.Cut(line, ":")
			field = strings.TrimSpace(name)
			value = strings.TrimSpace(value)
			switch field {
			case "name":
				v.name = value
			case "result":
				v.result = value
			case "version":
				v.version = value
			case "encode":
				v.encode = value
			case "headers":
				v.headers = value
			case "payload":
				v.payload = value
			case "length":
				v.length = value
			case "sha256":
				v.sha256 = value
			case "envelope":
				v.envelope = value
			}
		}
		out = append(out, v)
	}
	return out
}

// parseHex reads the documents' hex dumps: spaces and # comments ignored, `xx × n` repeats a byte.
func parseHex(text string) ([]byte, error) {
	var out []byte
	for _, line := range strings.Split(text, "\n") {
		line, _, _ = strings.Cut(line, "#")
		tokens := strings.Fields(line)
		for i := 0; i < len(tokens); i++ {
			chunk, err := hex.DecodeString(tokens[i])
			if err != nil {
				return nil, err
			}
			if i+2 < len(tokens) && tokens[i+1] == "×" {
				n, err := strconv.Atoi(tokens[i+2])
				if err != nil {
					return nil, err
				}
				chunk = bytes.Repeat(chunk, n)
				i += 2
			}
			out = append(out, chunk...)
		}
	}
	return out, nil
}

// parseHeaders reads a JSON object keeping its order (a Go map would not).
func parseHeaders(text string) ([]headerJSON, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	out := []headerJSON{}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var value string
		if err := dec.Decode(&value); err != nil {
			return nil, err
		}
		out = append(out, headerJSON{key.(string), value})
	}
	return out, nil
}

// checkVector returns "" when the Go codec agrees with the vector, else what differs.
func checkVector(v vector) string {
	body, err := parseHex(v.envelope)
	if err != nil {
		return "unreadable envelope hex: " + err.Error()
	}
	env, ok := decodeEnvelope(body)
	if v.result == "not an envelope" {
		if ok {
			return "decoded as an envelope, want not an envelope"
		}
		return ""
	}
	if !ok {
		return "not an envelope, want an envelope"
	}
	payload, err := parseHex(v.payload)
	if err != nil {
		return "unreadable payload hex: " + err.Error()
	}
	headers, err := parseHeaders(v.headers)
	if err != nil {
		return "unreadable headers: " + err.Error()
	}
	if got := strconv.Itoa(int(env.version)); got != v.version {
		return fmt.Sprintf("version %s, want %s", got, v.version)
	}
	if fmt.Sprint(env.headers) != fmt.Sprint(headers) && !(len(env.headers) == 0 && len(headers) == 0) {
		return fmt.Sprintf("headers %v, want %v", env.headers, headers)
	}
	if !bytes.Equal(env.payload, payload) {
		return "payload differs"
	}
	if v.length != "" && strconv.Itoa(len(body)) != v.length {
		return fmt.Sprintf("length %d, want %s", len(body), v.length)
	}
	if v.sha256 != "" {
		if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != v.sha256 {
			return "sha256 differs"
		}
	}
	if v.encode == "yes" {
		encoded, err := encodeEnvelope(headers, payload)
		if err != nil {
			return "encode: " + err.Error()
		}
		if !bytes.Equal(encoded, body) {
			return "encoded bytes differ from the vector"
		}
	}
	return ""
}

// checkVectors prints one line per vector: {"event":"vector","name":…,"problem":""}.
func checkVectors(path string) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for _, v := range parseVectors(string(doc)) {
		emit(map[string]string{"event": "vector", "peer": "go", "name": v.name, "problem": checkVector(v)})
	}
	return nil
}
