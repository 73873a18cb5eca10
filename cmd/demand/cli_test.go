package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/demand-registry/demand/registry/finding"
)

// TestExitCode is the one mapping from a command's error to what it
// prints and its exit code.
func TestExitCode(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	fs := finding.Findings{{Path: "D-0001.md", Line: 3, Col: 5, Severity: finding.Error, Rule: "schema", Message: "bad"}}
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		err    error
		code   int
		stderr string
	}{
		{"nil", context.Background(), nil, exitOK, ""},
		{"help", context.Background(), flag.ErrHelp, exitOK, ""},
		{"usage", context.Background(), usagef("--x %q is not supported", "y"), exitUsage, "demand cmd: --x \"y\" is not supported\n"},
		{"plain", context.Background(), errors.New("open x: no such file"), exitUsage, "demand cmd: open x: no such file\n"},
		{"wrapped usage", context.Background(), fmt.Errorf("reading: %w", usagef("bad")), exitUsage, "demand cmd: reading: bad\n"},
		{"checked", context.Background(), errChecked, exitFindings, ""},
		{"shown", context.Background(), errShown, exitUsage, ""},
		{"findings", context.Background(), &findingsError{dir: "demands", header: "the registry has errors:", fs: fs},
			exitFindings, "demand cmd: the registry has errors:\ndemands/D-0001.md:3:5: error: bad [schema]\n"},
		{"interrupted", cancelled, fmt.Errorf("walking: %w", context.Canceled), exitInterrupted, "demand cmd: interrupted\n"},
		// A cancellation the user did not ask for is an error like any other.
		{"cancelled inside", context.Background(), context.Canceled, exitUsage, "demand cmd: context canceled\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := exitCode(tc.ctx, &env{stdout: &bytes.Buffer{}, stderr: &stderr, name: "cmd"}, tc.err)
			assert.Equal(t, tc.code, code)
			assert.Equal(t, tc.stderr, stderr.String())
		})
	}
}

// TestInterrupted: Ctrl-C during a long command ends it with a message and
// exit 130, not with a half-written site.
func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := t.TempDir() + "/site"
	var stdout, stderr bytes.Buffer
	code := runContext(ctx, []string{"build", "--dir", "../../demands", "--out", out, "--no-cache"}, &stdout, &stderr)
	assert.Equal(t, exitInterrupted, code, stderr.String())
	assert.Contains(t, stderr.String(), "demand build: interrupted")
	assert.NoDirExists(t, out)
}
