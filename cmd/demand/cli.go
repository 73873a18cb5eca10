package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"golang.org/x/term"

	"github.com/demand-registry/demand/pipeline"
	"github.com/demand-registry/demand/registry/finding"
)

// Exit codes.
const (
	exitOK          = 0   // clean (warnings allowed)
	exitFindings    = 1   // the registry has errors, or a check failed
	exitUsage       = 2   // bad flags, unreadable files, I/O errors
	exitInterrupted = 130 // stopped by Ctrl-C, as a shell reports SIGINT
)

// env is what a command may touch: its streams, and its name for the
// messages it prints.
type env struct {
	stdout, stderr io.Writer
	name           string
}

// warnf prints a message that does not stop the command.
func (e *env) warnf(format string, a ...any) {
	fmt.Fprintf(e.stderr, "demand %s: %s\n", e.name, fmt.Sprintf(format, a...))
}

// A command returns one of these errors, or any other error (printed as
// it is, exit 2); exitCode maps them to exit codes in one place.
type (
	// usageError is a mistake on the command line: exit 2 with what to do.
	usageError struct{ msg string }
	// findingsError is a registry's findings: printed with their
	// positions relative to the registry folder, exit 1.
	findingsError struct {
		dir    string
		header string // a line before the findings, or ""
		fs     finding.Findings
		code   int // exitFindings when 0
	}
	// exitError ends a command whose output already said why.
	exitError int
)

func (e *usageError) Error() string    { return e.msg }
func (e *findingsError) Error() string { return e.header }
func (c exitError) Error() string      { return fmt.Sprintf("exit status %d", int(c)) }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// errChecked is a check that failed and printed its findings; errShown an
// error whose message is printed already (the flag package's, say).
const (
	errChecked = exitError(exitFindings)
	errShown   = exitError(exitUsage)
)

// exitCode prints what err says and returns the exit code for it.
func exitCode(ctx context.Context, e *env, err error) int {
	var (
		code exitError
		fe   *findingsError
	)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &code):
		return int(code)
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		e.warnf("interrupted")
		return exitInterrupted
	case errors.As(err, &fe):
		if fe.header != "" {
			e.warnf("%s", fe.header)
		}
		_ = finding.Write(e.stderr, "text", displayDir(fe.dir), fe.fs)
		if fe.code != 0 {
			return fe.code
		}
		return exitFindings
	}
	e.warnf("%v", err)
	return exitUsage
}

// registryErr is err of the registry in dir as the user sees it: a
// registry with errors lists them (demand validate's way), anything else
// stays as it is.
func registryErr(dir string, err error) error {
	var pe *pipeline.FindingsError
	var ce *pipeline.ConfigError
	if errors.As(err, &ce) {
		// A broken config stops every command before any demand is read.
		return &findingsError{dir: dir, fs: ce.Findings, code: exitUsage}
	}
	if errors.As(err, &pe) {
		return &findingsError{dir: dir, header: "the registry has errors; fix them first (demand validate lists them):", fs: pe.Findings}
	}
	return err
}

// lockedWriter serializes the writes of goroutines that report at once
// (the history walk and the registry's load).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// isTerminal reports whether w is (or writes to) a terminal.
func isTerminal(w io.Writer) bool {
	if l, ok := w.(*lockedWriter); ok {
		w = l.w
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// The flags several commands share, defined once.

// dirFlag is --dir, the registry folder.
func dirFlag(fl *flag.FlagSet, p *string) {
	fl.StringVar(p, "dir", "demands", "registry `folder`")
}

// formatFlag is --format; the first choice is the default.
func formatFlag(fl *flag.FlagSet, p *string, choices ...string) {
	choiceFlag(fl, p, "format", "output `format`: "+orList(choices), choices...)
}

// choiceFlag is a flag whose value is one of choices (the first is the
// default); parseFlags checks it once every flag is parsed, so the
// message is the command's own and not the flag package's usage dump.
func choiceFlag(fl *flag.FlagSet, p *string, name, usage string, choices ...string) {
	*p = choices[0]
	fl.Var(&choice{p, choices}, name, usage)
}

type choice struct {
	p       *string
	allowed []string
}

func (c *choice) String() string {
	if c.p == nil {
		return ""
	}
	return *c.p
}

func (c *choice) Set(s string) error {
	*c.p = s
	return nil
}

// checkChoices checks every choice flag of fl.
func checkChoices(fl *flag.FlagSet) error {
	var err error
	fl.VisitAll(func(f *flag.Flag) {
		if c, ok := f.Value.(*choice); ok && err == nil {
			err = oneOf(f.Name, *c.p, c.allowed)
		}
	})
	return err
}

// noCacheFlag is --no-cache, for the commands that walk the history.
func noCacheFlag(fl *flag.FlagSet, p *bool) {
	fl.BoolVar(p, "no-cache", false, "walk every commit, ignoring and not writing the cache in .git/demand-cache/")
}

// orList is "a, b or c".
func orList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}

// oneOf checks a flag's value against the values it allows.
func oneOf(flagName, val string, allowed []string) error {
	for _, a := range allowed {
		if a == val {
			return nil
		}
	}
	return usagef("--%s %q is not supported; use one of %s", flagName, val, strings.Join(allowed, ", "))
}

// parseFlags parses args; after -h it returns flag.ErrHelp (exit 0), after
// a bad flag errShown (the flag package said why).
func parseFlags(fl *flag.FlagSet, args []string) error {
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return flag.ErrHelp
		}
		return errShown
	}
	return checkChoices(fl)
}

// parseOnlyFlags parses a command that takes no arguments besides flags;
// hint, when given, says what the user may have meant.
func parseOnlyFlags(fl *flag.FlagSet, args []string, hint string) error {
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		if hint != "" {
			hint = " (" + hint + ")"
		}
		return usagef("unexpected argument %q%s", fl.Arg(0), hint)
	}
	return nil
}

// parseInterspersed parses flags that may come after positional arguments
// (demand history D-0001 --format json).
func parseInterspersed(fl *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fl, args); err != nil {
			return nil, err
		}
		rest := fl.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
