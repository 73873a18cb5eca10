package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/demand-registry/demand/lsp"
)

func runLSP(e *env, args []string) int {
	fl := newFlags(e, "lsp", "lsp [--stdio]", `  demand lsp          # started by an editor, speaks LSP on stdin and stdout
`)
	fl.Bool("stdio", true, "talk over stdin and stdout (the only transport; accepted because clients pass it)")
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

// stdio joins stdin and stdout into one stream.
type stdio struct {
	io.Reader
	io.Writer
}

func (stdio) Close() error { return nil }
