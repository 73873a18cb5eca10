package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/demand-registry/demand/internal/gitrepo"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/rhysd/actionlint"
	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/script")

func TestMain(m *testing.M) {
	if err := gitrepo.UseStdlibSHA1(); err != nil {
		panic(err)
	}
	testscript.Main(m, map[string]func(){
		"demand": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI scripts in testdata/script: each is a txtar
// archive of files and the commands to run on them, with expected output.
// go test ./cmd/demand -update rewrites the expected files in place.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			abs, err := filepath.Abs("../../examples")
			env.Setenv("EXAMPLES", abs)
			return err
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"gitcommit":    gitCommit,
			"gitrawcommit": gitRawCommit,
			"gitinit":      func(ts *testscript.TestScript, neg bool, args []string) { gitInit(ts) },
			"actionlint":   actionlintCmd,
		},
	})
}

// gitCommit commits every file of the script's work folder, creating the
// repository on first use: gitcommit DAY MESSAGE (DAY: day of November 2026).
// It uses go-git, so the tests need no git binary.
func gitCommit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: gitcommit DAY MESSAGE")
	}
	day, err := strconv.Atoi(args[0])
	ts.Check(err)
	dir := ts.Getenv("WORK")
	repo, err := git.PlainOpen(dir)
	if err == git.ErrRepositoryNotExists {
		repo = gitInit(ts)
	} else {
		ts.Check(err)
	}
	wt, err := repo.Worktree()
	ts.Check(err)
	ts.Check(wt.AddWithOptions(&git.AddOptions{All: true}))
	when := time.Date(2026, 11, day, 10, 0, 0, 0, time.UTC)
	sig := &object.Signature{Name: "Ada Lovelace", Email: "ada@example.com", When: when}
	_, err = wt.Commit(args[1], &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	ts.Check(err)
}

// gitRawCommit commits every file of the script's work folder as a commit
// object written byte for byte, with a date as git stores it, on the
// current branch: gitrawcommit SECONDS ZONE MESSAGE. Git keeps any such
// date, however far out of range.
func gitRawCommit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: gitrawcommit SECONDS ZONE MESSAGE")
	}
	repo, err := git.PlainOpen(ts.Getenv("WORK"))
	ts.Check(err)
	head, err := repo.Head()
	ts.Check(err)
	wt, err := repo.Worktree()
	ts.Check(err)
	ts.Check(wt.AddWithOptions(&git.AddOptions{All: true}))
	sig := &object.Signature{Name: "Eve", Email: "eve@example.com", When: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	tmp, err := wt.Commit("tmp", &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	ts.Check(err)
	c, err := repo.CommitObject(tmp)
	ts.Check(err)
	date := args[0] + " " + args[1]
	text := fmt.Sprintf("tree %s\nparent %s\nauthor Eve <eve@example.com> %s\ncommitter Eve <eve@example.com> %s\n\n%s\n", c.TreeHash, head.Hash(), date, date, args[2])
	obj := repo.Storer.NewEncodedObject()
	obj.SetType(plumbing.CommitObject)
	w, err := obj.Writer()
	ts.Check(err)
	_, err = w.Write([]byte(text))
	ts.Check(err)
	ts.Check(w.Close())
	h, err := repo.Storer.SetEncodedObject(obj)
	ts.Check(err)
	ts.Check(repo.Storer.SetReference(plumbing.NewHashReference(head.Name(), h)))
}

// gitInit makes the script's work folder a repository that tracks only
// the demands folder, so commit hashes do not depend on the script's other
// files and are the same every run.
func gitInit(ts *testscript.TestScript) *git.Repository {
	dir := ts.Getenv("WORK")
	ts.Check(os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("/*\n!/demands/\n!/.gitignore\n"), 0o644))
	repo, err := git.PlainInit(dir, false)
	ts.Check(err)
	return repo
}

// actionlintCmd lints the workflows of a repository folder with
// actionlint, as a project (so `uses: ./` is checked against its
// action.yml): actionlint DIR. It fails on any finding.
func actionlintCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: actionlint DIR")
	}
	root := ts.MkAbs(args[0])
	files, err := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	ts.Check(err)
	if len(files) == 0 {
		ts.Fatalf("no workflows in %s", root)
	}
	proj, err := actionlint.NewProject(root)
	ts.Check(err)
	var out strings.Builder
	l, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{})
	ts.Check(err)
	errs, err := l.LintFiles(files, proj)
	ts.Check(err)
	if (len(errs) > 0) != neg {
		ts.Fatalf("actionlint: %d findings:\n%s", len(errs), out.String())
	}
	ts.Logf("actionlint: %d workflows, %d findings", len(files), len(errs))
}
