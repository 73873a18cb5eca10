package main

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/internal/escape"
	"github.com/demand-registry/demand/internal/safefs"
	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/csvimport"
	"github.com/demand-registry/demand/registry/intake"
)

func runIssueForm(e *env, args []string) int {
	var dir, label, file string
	var write bool
	fl := newFlags(e, "issue-form", "issue-form [--label demand] [--write [--file "+intake.FormFile+"]]", `  demand issue-form --write     # after a change of the config's fields
`)
	fl.StringVar(&dir, "dir", "demands", "registry `folder`")
	fl.StringVar(&label, "label", intake.DefaultLabel, "the `label` the form puts on its issues")
	fl.StringVar(&file, "file", intake.FormFile, "the form's `file`, relative to the repository root")
	fl.BoolVar(&write, "write", false, "write the form into the file instead of printing it")
	if code, ok := parseOnlyFlags(e, fl, args, ""); !ok {
		return code
	}
	src, err := registry.OpenDir(dir)
	if err != nil {
		fmt.Fprintf(e.stderr, "demand issue-form: %v\n", err)
		return exitUsage
	}
	defer src.Close()
	cfg, fs := registry.LoadConfig(src)
	if fs.HasErrors() {
		fs.Sort()
		_ = finding.Write(e.stderr, "text", displayDir(dir), fs)
		return exitFindings
	}
	form, err := intake.IssueForm(cfg, label)
	if err != nil {
		fmt.Fprintf(e.stderr, "demand issue-form: %v\n", escape.Terminal(err.Error()))
		return exitUsage
	}
	if !write {
		e.stdout.Write(form)
		return exitOK
	}
	if !filepath.IsLocal(filepath.FromSlash(file)) {
		fmt.Fprintf(e.stderr, "demand issue-form: --file %s must be a path inside the repository\n", file)
		return exitUsage
	}
	root := repoRootOf(dir)
	if err := safefs.WriteFile(root, file, form); err != nil {
		fmt.Fprintf(e.stderr, "demand issue-form: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(e.stderr, "wrote %s\n", file)
	return exitOK
}

// issueFlags are import's flags for --from issue.
type issueFlags struct {
	url, title, received string
	number               int
}

// importIssue writes the demand file of a submitted issue form, or says
// which file already holds it.
func importIssue(e *env, dir, file string, o issueFlags, dryRun bool) int {
	body, err := readBounded(file, intake.MaxBody)
	if err != nil {
		fmt.Fprintf(e.stderr, "demand import: %v\n", err)
		return exitUsage
	}
	l, code := loadClean(e, "import", dir, "")
	if l == nil {
		return code
	}
	defer l.close()
	if o.url == "" && o.number > 0 {
		base := strings.TrimSuffix(l.snap.Config.Repository.URL, "/")
		if base == "" {
			fmt.Fprintln(e.stderr, "demand import: --issue N needs repository.url in the config; or pass --issue-url")
			return exitUsage
		}
		o.url = base + "/issues/" + strconv.Itoa(o.number)
	}
	if o.received == "" {
		o.received = time.Now().Format("2006-01-02")
	}
	listed, _ := l.dir.List()
	p, probs := intake.Plan(l.snap, listed, intake.Issue{Body: string(body), URL: o.url, Title: o.title, Received: o.received})
	if len(probs) > 0 {
		for _, pr := range probs {
			if pr.Line > 0 {
				fmt.Fprintf(e.stderr, "%s:%d: %s\n", escape.Path(file), pr.Line, escape.Terminal(pr.Message))
			} else {
				fmt.Fprintf(e.stderr, "%s: %s\n", escape.Path(file), escape.Terminal(pr.Message))
			}
		}
		fmt.Fprintln(e.stderr, "demand import: the issue cannot be imported; nothing was written")
		return exitFindings
	}
	shown := escape.Path(path.Join(displayDir(dir), p.Path))
	if p.Existing {
		fmt.Fprintf(e.stderr, "%s (%s) already holds %s; nothing was written\n", shown, p.ID, escape.Terminal(o.url))
		return exitOK
	}
	// The file is checked with the rest of the registry, as validate
	// would: a tier-1 demand without owner and due is refused here.
	fs, err := csvimport.Check(l.dir, []csvimport.Row{{Path: p.Path, Data: p.Data, ID: p.ID}})
	if err != nil {
		fmt.Fprintf(e.stderr, "demand import: %v\n", err)
		return exitUsage
	}
	if len(fs) > 0 {
		_ = finding.Write(e.stderr, "text", displayDir(dir), fs)
		fmt.Fprintf(e.stderr, "demand import: the demand would have %d error(s); nothing was written\n", len(fs))
		return exitFindings
	}
	if dryRun {
		fmt.Fprintf(e.stdout, "would write %s\n", shown)
		return exitOK
	}
	if err := l.dir.WriteFiles([]safefs.File{{Path: p.Path, Data: p.Data}}, true); err != nil {
		fmt.Fprintf(e.stderr, "demand import: %v; nothing was written\n", err)
		return exitUsage
	}
	fmt.Fprintln(e.stdout, shown)
	return exitOK
}

// readBounded reads a regular file of at most limit bytes.
func readBounded(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is more than the %d bytes an issue body can be", name, limit)
	}
	return b, nil
}
