package lsp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MaxMessage is the largest JSON-RPC message read. A document larger than
// files.max_size already gets a file-size finding; a message beyond this
// bound is skipped without being held in memory.
const MaxMessage = 16 << 20

// maxHeader bounds one header line and the number of header lines.
const (
	maxHeaderLine  = 1024
	maxHeaderLines = 32
)

// boundedCodec is the base protocol's framing (Content-Length headers, as
// jsonrpc2.VSCodeObjectCodec) with bounded headers and bodies. A body that
// is too large or not JSON becomes a notification the server reports and
// ignores, so one bad message does not end the session; only broken
// framing, after which no later message can be found, does.
type boundedCodec struct{}

// badMessage is the method a message that cannot be read is replaced by.
const badMessage = "$/demand/badMessage"

func (boundedCodec) WriteObject(w io.Writer, obj any) error {
	data, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "Content-Length: %d\r\n\r\n", len(data)); err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

func (boundedCodec) ReadObject(r *bufio.Reader, v any) error {
	length := int64(-1)
	for n := 0; ; n++ {
		if n > maxHeaderLines {
			return errors.New("lsp: too many header lines")
		}
		line, err := readLine(r)
		if err != nil {
			return err
		}
		if line == "" {
			if length >= 0 {
				break
			}
			if n == 0 {
				n-- // blank lines between messages are tolerated
				continue
			}
			return errors.New("lsp: a message without Content-Length")
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return fmt.Errorf("lsp: malformed header %q", line)
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			l, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil || l < 0 {
				return fmt.Errorf("lsp: bad Content-Length %q", value)
			}
			length = l
		}
	}
	if length > MaxMessage {
		if _, err := io.CopyN(io.Discard, r, length); err != nil {
			return err
		}
		return replace(v, fmt.Sprintf("a message of %d bytes is larger than the limit of %d and was skipped", length, MaxMessage))
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(r, body); err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return replace(v, "a message is not valid JSON-RPC and was skipped: "+err.Error())
	}
	return nil
}

// replace decodes a notification of badMessage carrying why into v.
func replace(v any, why string) error {
	msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": badMessage, "params": map[string]string{"message": why}})
	return json.Unmarshal(msg, v)
}

// readLine reads one header line ending in \r\n (a bare \n is accepted),
// at most maxHeaderLine bytes.
func readLine(r *bufio.Reader) (string, error) {
	var b bytes.Buffer
	for {
		c, err := r.ReadByte()
		if err != nil {
			return "", err
		}
		if c == '\n' {
			return strings.TrimSuffix(b.String(), "\r"), nil
		}
		if b.Len() >= maxHeaderLine {
			return "", errors.New("lsp: header line too long")
		}
		b.WriteByte(c)
	}
}
