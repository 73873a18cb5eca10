package main

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/script")

func TestMain(m *testing.M) {
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
			"gitcommit": gitCommit,
			"gitinit":   func(ts *testscript.TestScript, neg bool, args []string) { gitInit(ts) },
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
