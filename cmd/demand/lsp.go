package main

import (
	"context"
	"os"

	"github.com/demand-registry/demand/lsp"
)

func runLSP(ctx context.Context, e *env, args []string) error {
	fl := newFlags(e, "lsp [--stdio]", `  demand lsp          # started by an editor, speaks LSP on stdin and stdout
`)
	fl.Bool("stdio", false, "accepted for clients that pass it: stdin and stdout are the only transport")
	if err := parseOnlyFlags(fl, args, "the editor starts it with no arguments"); err != nil {
		return err
	}
	if err := lsp.Serve(ctx, stdio{os.Stdin, os.Stdout}, lsp.Options{Log: e.stderr, Version: version}); err != nil {
		// A session that ends badly (a broken stream, a client that
		// exits without shutdown) is a failed run, not a usage error.
		e.warnf("%v", err)
		return errChecked
	}
	return nil
}

// stdio joins stdin and stdout into one stream. Closing it closes both:
// the session is over, and a write blocked on a client that stopped
// reading, or a read of input that never comes, must not hold the exit.
type stdio struct {
	in, out *os.File
}

func (s stdio) Read(p []byte) (int, error)  { return s.in.Read(p) }
func (s stdio) Write(p []byte) (int, error) { return s.out.Write(p) }
func (s stdio) Close() error {
	s.in.Close()
	return s.out.Close()
}
