// Command demand validates, ranks and publishes a registry of customer
// demands kept as Markdown files in a Git repository.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"

	"github.com/demand-registry/demand/internal/gitrepo"

	"github.com/demand-registry/demand/pipeline"
	"github.com/demand-registry/demand/registry"
	"golang.org/x/term"
)

// Exit codes.
const (
	exitOK       = 0 // clean (warnings allowed)
	exitFindings = 1 // the registry has errors, or a check failed
	exitUsage    = 2 // bad flags, unreadable files, I/O errors
)

// env is what a command may touch: its arguments' streams.
type env struct {
	stdout, stderr io.Writer
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

type command struct {
	name    string
	summary string
	run     func(e *env, args []string) int
}

var commands []command

func init() {
	commands = []command{
		{"validate", "check every demand file, the config and the workflow rules", runValidate},
		{"rank", "rank demands by score and tier, check or write declared tiers", runRank},
		{"dups", "list near-duplicate demands that are not linked yet", runDups},
		{"diff", "show what a change does to the registry: fields, statuses, tiers, SLA", runDiff},
		{"history", "show a demand's change history, status times and SLA from git", runHistory},
		{"review", "list demands that need attention: no recent commit, past due, SLA about to breach", runReview},
		{"build", "render the static website of tiers, statuses, history and exports", runBuild},
		{"serve", "serve the website locally, rebuilt and reloaded on every change", runServe},
		{"lsp", "a language server for editors: diagnostics, completion, hovers, links, quick fixes", runLSP},
		{"new", "create a demand file with the next free ID", runNew},
		{"init", "create a registry repository: config, example, workflows, issue form, README", runInit},
		{"codeowners", "keep a CODEOWNERS block that makes tier-1 changes need an owner's approval", runCodeowners},
		{"import", "create demand files from a CSV file (this tool's export, Jira, PingCode, Worktile) or an issue form", runImport},
		{"issue-form", "write the GitHub issue form for submitting demands, from the config", runIssueForm},
		{"export", "print every demand as CSV or JSON, as the site exports them", runExport},
		{"config", "print the effective registry config", runConfig},
		{"schema", "print a JSON Schema of the front matter for editors", runSchema},
		{"version", "print the version", runVersion},
		{"help", "show help for a command", runHelp},
	}
}

func main() {
	// The tool reads only local repositories, checked by git on arrival.
	if err := gitrepo.UseStdlibSHA1(); err != nil {
		fmt.Fprintln(os.Stderr, "demand:", err)
		os.Exit(exitUsage)
	}
	// DEMAND_CPUPROFILE=FILE writes a CPU profile of the run, for `go tool pprof`.
	if p := os.Getenv("DEMAND_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				code := run(os.Args[1:], os.Stdout, os.Stderr)
				pprof.StopCPUProfile()
				f.Close()
				os.Exit(code)
			}
		}
	}
	code := run(os.Args[1:], os.Stdout, os.Stderr)
	// DEMAND_MEMPROFILE=FILE writes a heap profile (with every allocation
	// made during the run) at its end.
	if p := os.Getenv("DEMAND_MEMPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	os.Exit(code)
}

func run(args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(e, args[1:])
		}
	}
	fmt.Fprintf(stderr, "demand: unknown command %q\n", name)
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	fmt.Fprintf(stderr, "Run 'demand help' for the commands: %s.\n", strings.Join(names, ", "))
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `demand keeps a registry of customer demands as Markdown files in Git.

Usage:
  demand <command> [flags]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'demand <command> -h' for a command's flags and examples.

Exit codes: 0 clean (warnings allowed), 1 findings or a failed check,
2 usage or I/O error.
`)
}

func runHelp(e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] && c.name != "help" {
			return c.run(&env{stdout: e.stdout, stderr: e.stdout}, []string{"-h"})
		}
	}
	fmt.Fprintf(e.stderr, "demand help: unknown command %q\n", args[0])
	return exitUsage
}

// newFlags makes a command's flag set with usage text and examples.
func newFlags(e *env, name, synopsis, examples string) *flag.FlagSet {
	fl := flag.NewFlagSet(name, flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	fl.Usage = func() {
		w := fl.Output()
		fmt.Fprintf(w, "Usage: demand %s\n\n", synopsis)
		var sum string
		for _, c := range commands {
			if c.name == name {
				sum = c.summary
			}
		}
		if sum != "" {
			fmt.Fprintf(w, "%s%s.\n\n", strings.ToUpper(sum[:1]), sum[1:])
		}
		var lines []string
		fl.VisitAll(func(f *flag.Flag) {
			arg, u := flag.UnquoteUsage(f)
			head := "  --" + f.Name
			if arg != "" {
				head += " " + arg
			}
			def := ""
			if f.DefValue != "" && f.DefValue != "false" {
				def = fmt.Sprintf(" (default %q)", f.DefValue)
			}
			lines = append(lines, fmt.Sprintf("%-26s %s%s", head, u, def))
		})
		sort.Strings(lines)
		if len(lines) > 0 {
			fmt.Fprintln(w, "Flags:")
			for _, l := range lines {
				fmt.Fprintln(w, l)
			}
		}
		if examples != "" {
			fmt.Fprintf(w, "\nExamples:\n%s", examples)
		}
	}
	return fl
}

// flagSet is what parseFlags needs of a flag set.
type flagSet interface {
	Parse([]string) error
	Args() []string
}

// parseFlags parses and reports whether the command should go on; code is
// the exit code when it should not.
func parseFlags(fl flagSet, args []string) (code int, ok bool) {
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	return 0, true
}

// parseOnlyFlags parses a command that takes no arguments besides flags;
// hint, when given, says what the user may have meant.
func parseOnlyFlags(e *env, fl *flag.FlagSet, args []string, hint string) (code int, ok bool) {
	if code, ok := parseFlags(fl, args); !ok {
		return code, false
	}
	if fl.NArg() > 0 {
		if hint != "" {
			hint = " (" + hint + ")"
		}
		fmt.Fprintf(e.stderr, "demand %s: unexpected argument %q%s\n", fl.Name(), fl.Arg(0), hint)
		return exitUsage, false
	}
	return 0, true
}

func oneOf(e *env, cmd, flagName, val string, allowed []string) bool {
	for _, a := range allowed {
		if a == val {
			return true
		}
	}
	fmt.Fprintf(e.stderr, "demand %s: --%s %q is not supported; use one of %s\n", cmd, flagName, val, strings.Join(allowed, ", "))
	return false
}

// displayDir is the registry folder as the user would type it from the
// current directory, slash-separated.
func displayDir(dir string) string { return pipeline.DisplayDir(dir) }

// repoRelDir is the registry folder relative to the enclosing git
// repository's root, for GitHub annotations; displayDir when there is none.
func repoRelDir(dir string) string { return pipeline.RepoRelDir(dir) }

// repoRootOf is the work tree root of the repository holding dir, or "."
// outside one: where files the repository keeps (CODEOWNERS, the issue
// form) are written.
func repoRootOf(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		if root, ok := registry.RepoRoot(abs); ok {
			return root
		}
	}
	return "."
}
