// Command demand validates, ranks and publishes a registry of customer
// demands kept as Markdown files in a Git repository.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"

	"github.com/demand-registry/demand/internal/gitrepo"

	"github.com/demand-registry/demand/pipeline"
	"github.com/demand-registry/demand/registry"
)

type command struct {
	name    string
	summary string
	// run parses the command's flags into its options and runs it.
	run func(ctx context.Context, e *env, args []string) error
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
	// Ctrl-C (or a CI runner's SIGTERM) cancels the running work, which
	// ends cleanly; a second one kills the process as usual.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() { <-ctx.Done(); stop() }()
	os.Exit(profiled(func() int { return runContext(ctx, os.Args[1:], os.Stdout, os.Stderr) }))
}

// profiled runs f, writing a CPU profile of it to $DEMAND_CPUPROFILE and
// a heap profile (every allocation made) to $DEMAND_MEMPROFILE at its end,
// for go tool pprof.
func profiled(f func() int) int {
	if p := os.Getenv("DEMAND_CPUPROFILE"); p != "" {
		if out, err := os.Create(p); err == nil && pprof.StartCPUProfile(out) == nil {
			defer out.Close()
			defer pprof.StopCPUProfile()
		}
	}
	code := f()
	if p := os.Getenv("DEMAND_MEMPROFILE"); p != "" {
		if out, err := os.Create(p); err == nil {
			_ = pprof.Lookup("allocs").WriteTo(out, 0)
			out.Close()
		}
	}
	return code
}

// run runs the command line args and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
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
			e := &env{stdout: stdout, stderr: stderr, name: name}
			return exitCode(ctx, e, c.run(ctx, e, args[1:]))
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
2 usage or I/O error, 130 interrupted.
`)
}

func runHelp(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		usage(e.stdout)
		return nil
	}
	for _, c := range commands {
		if c.name == args[0] && c.name != "help" {
			return c.run(ctx, &env{stdout: e.stdout, stderr: e.stdout, name: c.name}, []string{"-h"})
		}
	}
	return usagef("unknown command %q", args[0])
}

// newFlags makes a command's flag set with usage text and examples.
func newFlags(e *env, synopsis, examples string) *flag.FlagSet {
	name := e.name
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
