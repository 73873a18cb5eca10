// Package workflows holds the tests that lint the repository's GitHub
// Actions workflows, its composite action (action.yml) and the workflows
// demand init writes, with actionlint (and shellcheck, when installed,
// on every run: script).
package workflows

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/demand-registry/demand/internal/safefs"
	"github.com/demand-registry/demand/scaffold"
)

// linter makes an actionlint linter; with shellcheck on PATH it also runs
// shellcheck on every script. DEMAND_SHELLCHECK=1 (set by .ci/run) makes
// a missing shellcheck a failure rather than a lint without it.
func linter(t *testing.T, out io.Writer) *actionlint.Linter {
	t.Helper()
	opts := &actionlint.LinterOptions{}
	if p, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = p
	} else if os.Getenv("DEMAND_SHELLCHECK") == "1" {
		t.Fatal("DEMAND_SHELLCHECK=1 but shellcheck is not installed (apt-get install shellcheck)")
	}
	l, err := actionlint.NewLinter(out, opts)
	require.NoError(t, err)
	return l
}

// lintProject lints the workflows of a repository root as a project, so
// that `uses: ./` steps are checked against the root's action.yml (its
// inputs and its runner).
func lintProject(t *testing.T, root string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, ".github/workflows/*.yml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	proj, err := actionlint.NewProject(root)
	require.NoError(t, err)
	var out bytes.Buffer
	errs, err := linter(t, &out).LintFiles(files, proj)
	require.NoError(t, err)
	require.Empty(t, errs, "actionlint:\n%s", out.String())
}

func TestWorkflowsPassActionlint(t *testing.T) {
	lintProject(t, "../..")
}

// TestActionPassesActionlint lints the composite action's steps as the
// steps of a workflow whose inputs are the action's: actionlint then
// checks every expression, that each input used is declared, that nothing
// from an event is written into a script, and (with shellcheck) the
// scripts themselves.
func TestActionPassesActionlint(t *testing.T) {
	data, err := os.ReadFile("../../action.yml")
	require.NoError(t, err)
	var meta actionlint.ActionMetadata
	require.NoError(t, yaml.Unmarshal(data, &meta), "action.yml does not parse as action metadata")
	require.Equal(t, "composite", meta.Runs.Using)
	require.NotEmpty(t, meta.Name)
	require.NotEmpty(t, meta.Description)

	var action struct {
		Inputs  map[string]map[string]any `yaml:"inputs"`
		Outputs map[string]map[string]any `yaml:"outputs"`
		Runs    struct {
			Steps []map[string]any `yaml:"steps"`
		} `yaml:"runs"`
	}
	require.NoError(t, yaml.Unmarshal(data, &action))
	inputs := map[string]any{}
	for name, in := range action.Inputs {
		require.NotEmpty(t, in["description"], "input %s has no description", name)
		inputs[name] = map[string]any{"type": "string", "required": false}
	}
	for name, out := range action.Outputs {
		require.NotEmpty(t, out["value"], "a composite action's output %s needs a value", name)
	}
	for i, s := range action.Runs.Steps {
		if _, ok := s["run"]; ok {
			require.Equal(t, "bash", s["shell"], "step %d runs a script without shell: bash", i)
			require.NotContains(t, s["run"], "${{", "step %d writes an expression into its script; pass it through env", i)
		}
	}
	wf := map[string]any{
		"on":   map[string]any{"workflow_call": map[string]any{"inputs": inputs}},
		"jobs": map[string]any{"action": map[string]any{"runs-on": "ubuntu-latest", "steps": action.Runs.Steps}},
	}
	b, err := yaml.Marshal(wf)
	require.NoError(t, err)
	var out bytes.Buffer
	errs, err := linter(t, &out).Lint("action.yml (as a workflow)", b, nil)
	require.NoError(t, err)
	require.Empty(t, errs, "actionlint on action.yml's steps:\n%s", out.String())
}

// TestInitWorkflowsPassActionlint lints what demand init writes, in each
// language, with and without owners: once as written (the released
// action), once with the workflows using this checkout's action.yml, so
// every input they pass is one the action declares.
func TestInitWorkflowsPassActionlint(t *testing.T) {
	action, err := os.ReadFile("../../action.yml")
	require.NoError(t, err)
	for _, o := range []scaffold.Options{
		{Lang: "en", Action: "demand-registry/demand@v1", Received: "2026-11-02"},
		{Lang: "zh-CN", Owners: "@acme/product-leads", Action: "demand-registry/demand@main", Received: "2026-11-02"},
	} {
		files, err := scaffold.Files(o)
		require.NoError(t, err)
		wfs := scaffold.Workflows(files)
		require.Len(t, wfs, 4)
		for _, local := range []bool{false, true} {
			root := t.TempDir()
			var write []safefs.File
			for _, f := range wfs {
				d := f.Data
				if local {
					d = bytes.ReplaceAll(d, []byte("uses: "+o.Action), []byte("uses: ./"))
					require.NotEqual(t, f.Data, d, "%s does not use the action", f.Path)
				}
				write = append(write, safefs.File{Path: f.Path, Data: d})
			}
			if local {
				write = append(write, safefs.File{Path: "action.yml", Data: action})
			}
			require.NoError(t, safefs.WriteFiles(root, write, safefs.Create))
			lintProject(t, root)
		}
	}
}

// TestActionlintCatchesMistakes makes sure the lints above can fail: a
// broken expression, an input the action does not declare, and an issue's
// title written into a script.
func TestActionlintCatchesMistakes(t *testing.T) {
	action, err := os.ReadFile("../../action.yml")
	require.NoError(t, err)
	for name, wf := range map[string]string{
		"expression": "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }\n",
		"input":      "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./\n        with:\n          job: check\n          owner: \"@a/b\"\n",
		"untrusted":  "on: issues\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"${{ github.event.issue.title }}\"\n",
	} {
		root := t.TempDir()
		require.NoError(t, safefs.WriteFiles(root, []safefs.File{{Path: ".github/workflows/bad.yml", Data: []byte(wf)}, {Path: "action.yml", Data: action}}, safefs.Create))
		proj, err := actionlint.NewProject(root)
		require.NoError(t, err)
		l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
		require.NoError(t, err)
		errs, err := l.LintFiles([]string{filepath.Join(root, ".github/workflows/bad.yml")}, proj)
		require.NoError(t, err)
		require.NotEmpty(t, errs, name)
	}
}

// TestNoEventTextInScripts: no workflow this repository has or writes
// puts an event's text (an issue's body or title, a pull request's title)
// into a run: script, where it would run as shell.
func TestNoEventTextInScripts(t *testing.T) {
	files, err := scaffold.Files(scaffold.Options{Lang: "en", Action: "demand-registry/demand@v1", Received: "2026-11-02"})
	require.NoError(t, err)
	texts := map[string][]byte{}
	for _, f := range scaffold.Workflows(files) {
		texts[f.Path] = f.Data
	}
	own, err := filepath.Glob("../../.github/workflows/*.yml")
	require.NoError(t, err)
	for _, p := range append(own, "../../action.yml") {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		texts[p] = b
	}
	re := regexp.MustCompile(`\$\{\{[^}]*github\.event\.(issue|pull_request|comment)\.(body|title|head_ref)`)
	for p, b := range texts {
		var doc yaml.Node
		require.NoError(t, yaml.Unmarshal(b, &doc), p)
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Kind == yaml.MappingNode && n.Content[i].Value == "run" {
					require.False(t, re.MatchString(n.Content[i+1].Value), "%s:%d: event text in a script", p, n.Content[i+1].Line)
				}
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		walk(&doc)
		require.False(t, strings.Contains(string(b), "pull_request_target"), "%s: pull_request_target runs untrusted code with a write token", p)
	}
}
