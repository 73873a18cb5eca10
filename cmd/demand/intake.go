package main

import (
	"context"
	"errors"
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
	"github.com/demand-registry/demand/registry/csvimport"
	"github.com/demand-registry/demand/registry/intake"
)

type issueFormOptions struct {
	dir, label, file string
	write            bool
}

func runIssueForm(ctx context.Context, e *env, args []string) error {
	var o issueFormOptions
	fl := newFlags(e, "issue-form [--label demand] [--write [--file "+intake.FormFile+"]]", `  demand issue-form --write     # after a change of the config's fields
`)
	dirFlag(fl, &o.dir)
	fl.StringVar(&o.label, "label", intake.DefaultLabel, "the `label` the form puts on its issues")
	fl.StringVar(&o.file, "file", intake.FormFile, "the form's `file`, relative to the repository root")
	fl.BoolVar(&o.write, "write", false, "write the form into the file instead of printing it")
	if err := parseOnlyFlags(fl, args, ""); err != nil {
		return err
	}
	if o.write && !filepath.IsLocal(filepath.FromSlash(o.file)) {
		return usagef("--file %s must be a path inside the repository", o.file)
	}
	return o.run(ctx, e)
}

func (o *issueFormOptions) run(_ context.Context, e *env) error {
	cfg, err := loadConfig(e, o.dir)
	if err != nil {
		return err
	}
	form, err := intake.IssueForm(cfg, o.label)
	if err != nil {
		return errors.New(escape.Terminal(err.Error()))
	}
	if !o.write {
		_, err := e.stdout.Write(form)
		return err
	}
	if err := safefs.WriteFile(repoRootOf(o.dir), o.file, form); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s\n", o.file)
	return nil
}

// issueFlags are import's flags for --from issue.
type issueFlags struct {
	url, title, received string
	number               int
}

// importIssue writes the demand file of a submitted issue form, or says
// which file already holds it.
func (o *importOptions) importIssue(e *env) error {
	body, err := readBounded(o.file, intake.MaxBody)
	if err != nil {
		return err
	}
	r, err := openClean(o.dir, "")
	if err != nil {
		return err
	}
	defer r.Close()
	is := o.issue
	if is.url == "" && is.number > 0 {
		base := strings.TrimSuffix(r.Snapshot.Config.Repository.URL, "/")
		if base == "" {
			return usagef("--issue N needs repository.url in the config; or pass --issue-url")
		}
		is.url = base + "/issues/" + strconv.Itoa(is.number)
	}
	if is.received == "" {
		is.received = time.Now().Format("2006-01-02")
	}
	listed, _ := r.Folder().List()
	p, probs := intake.Plan(r.Snapshot, listed, intake.Issue{Body: string(body), URL: is.url, Title: is.title, Received: is.received})
	if len(probs) > 0 {
		for _, pr := range probs {
			if pr.Line > 0 {
				fmt.Fprintf(e.stderr, "%s:%d: %s\n", escape.Path(o.file), pr.Line, escape.Terminal(pr.Message))
			} else {
				fmt.Fprintf(e.stderr, "%s: %s\n", escape.Path(o.file), escape.Terminal(pr.Message))
			}
		}
		e.warnf("the issue cannot be imported; nothing was written")
		return errChecked
	}
	shown := escape.Path(path.Join(displayDir(o.dir), p.Path))
	if p.Existing {
		fmt.Fprintf(e.stderr, "%s (%s) already holds %s; nothing was written\n", shown, p.ID, escape.Terminal(is.url))
		return nil
	}
	// The file is checked with the rest of the registry, as validate
	// would: a tier-1 demand without owner and due is refused here.
	fs, err := csvimport.Check(r.Folder(), []csvimport.Row{{Path: p.Path, Data: p.Data, ID: p.ID}})
	if err != nil {
		return err
	}
	if len(fs) > 0 {
		_ = finding.Write(e.stderr, "text", displayDir(o.dir), fs)
		e.warnf("the demand would have %d error(s); nothing was written", len(fs))
		return errChecked
	}
	if o.dryRun {
		fmt.Fprintf(e.stdout, "would write %s\n", shown)
		return nil
	}
	if err := r.Folder().WriteFiles([]safefs.File{{Path: p.Path, Data: p.Data}}, true); err != nil {
		return fmt.Errorf("%w; nothing was written", err)
	}
	fmt.Fprintln(e.stdout, shown)
	return nil
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
