package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/demand-registry/demand/lsp"
)

func runLSP(e *env, args []string) int {
	fl := newFlags(e, "lsp", "lsp [--stdio]", `  demand lsp          # started by an editor, speaks LSP on stdin and stdout
`)
	fl.Bool("stdio", false, "accepted for clients that pass it: stdin and stdout are the only transport")
	if code, ok := parseOnlyFlags(e, fl, args, "the editor starts it with no arguments"); !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := lsp.Serve(ctx, stdio{os.Stdin, os.Stdout}, lsp.Options{Log: e.stderr, Version: version})
	if err != nil {
		fmt.Fprintf(e.stderr, "demand lsp: %v\n", err)
		return exitFindings
	}
	return exitOK
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
