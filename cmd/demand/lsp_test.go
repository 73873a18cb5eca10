package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/internal/lsptest"
	"github.com/demand-registry/demand/lsp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nvimFixture is a registry with one demand file with errors in Chinese
// text, for an editor to open.
func nvimFixture(t *testing.T) (root, file string) {
	root = t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(root, ".git"), 0o755))
	dir := filepath.Join(root, "demands")
	require.NoError(t, os.Mkdir(dir, 0o755))
	files := map[string]string{
		"registry.yaml":  "title: 样例\n",
		"D-0001-sso.md":  "---\nid: D-0001\ntitle: Single sign-on\nstatus: new\nreceived: 2026-07-01\n---\n",
		"D-0002-报表导出.md": "---\nid: D-0002\ntitle: 报表中心支持导出 Excel\nstatus: new\nreceived: 2026-07-01\ncustomer: {name: 北京银行, segment: vipp}\nlinks: {depends_on: [D-0011]}\nownr: 张敏\n---\n\n正文。\n",
	}
	for name, text := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	return root, filepath.Join(dir, "D-0002-报表导出.md")
}

// TestNeovimClient opens a demand file in headless Neovim, attaches
// demand lsp with Neovim's own LSP client and checks the diagnostics
// Neovim holds: its columns are bytes, the protocol's UTF-16 units, so a
// wrong conversion shows on the Chinese line.
func TestNeovimClient(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		if os.Getenv("DEMAND_NVIM_TESTS") != "" {
			t.Fatal("DEMAND_NVIM_TESTS is set but nvim was not found")
		}
		t.Skip("nvim not installed (CI installs Debian's neovim and sets DEMAND_NVIM_TESTS=1)")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "demand")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())
	root, file := nvimFixture(t)
	out := filepath.Join(tmp, "diagnostics.json")
	nvimDir, err := filepath.Abs("testdata/nvim")
	require.NoError(t, err)
	// init.lua is the README's setup for Neovim 0.7+, word for word.
	initLua, err := os.ReadFile(filepath.Join(nvimDir, "init.lua"))
	require.NoError(t, err)
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	require.Contains(t, string(readme), "```lua\n"+string(initLua)+"```", "the README's Neovim 0.7+ setup is testdata/nvim/init.lua")

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "-n", "-i", "NONE",
		"--cmd", "luafile "+filepath.Join(nvimDir, "capture.lua"),
		"-u", filepath.Join(nvimDir, "init.lua"),
		"-c", "luafile "+filepath.Join(nvimDir, "diagnostics.lua"), file)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "PATH="+tmp+string(os.PathListSeparator)+os.Getenv("PATH"), "DEMAND_NVIM_OUT="+out,
		"HOME="+tmp, "XDG_CONFIG_HOME="+tmp, "XDG_DATA_HOME="+tmp, "XDG_STATE_HOME="+tmp, "XDG_CACHE_HOME="+tmp)
	output, err := cmd.CombinedOutput()
	require.NoError(t, err, "nvim: %s", output)
	data, err := os.ReadFile(out)
	require.NoError(t, err, "nvim wrote no result: %s", output)
	t.Logf("Neovim received: %s", data)

	var res struct {
		OK          bool     `json:"ok"`
		Nvim        string   `json:"nvim"`
		Clients     []string `json:"clients"`
		Edited      bool     `json:"edited"`
		AfterEdit   []string `json:"after_edit"`
		Completion  []string `json:"completion"`
		Diagnostics []struct {
			Lnum     int    `json:"lnum"`
			Col      int    `json:"col"`
			EndCol   int    `json:"end_col"`
			Severity int    `json:"severity"`
			Source   string `json:"source"`
			Code     string `json:"code"`
			Message  string `json:"message"`
		} `json:"diagnostics"`
	}
	require.NoError(t, json.Unmarshal(data, &res))
	require.True(t, res.OK, "no diagnostics arrived in time")
	assert.Equal(t, []string{"demand"}, res.Clients)
	text, _ := os.ReadFile(file)
	lines := strings.Split(string(text), "\n")
	// Neovim's columns are byte offsets in the buffer's line.
	want := map[string][3]int{}
	for code, s := range map[string]struct {
		line int
		word string
	}{"enum": {5, "vipp"}, "unknown-link": {6, "depends_on"}, "unknown-field": {7, "ownr"}} {
		c := strings.Index(lines[s.line], s.word)
		want[code] = [3]int{s.line, c, c + len(s.word)}
	}
	got := map[string][3]int{}
	var codes []string
	for _, d := range res.Diagnostics {
		got[d.Code] = [3]int{d.Lnum, d.Col, d.EndCol}
		codes = append(codes, d.Code)
		assert.Equal(t, "demand", d.Source)
		assert.Equal(t, 1, d.Severity)
	}
	sort.Strings(codes)
	assert.Equal(t, []string{"enum", "unknown-field", "unknown-link"}, codes)
	assert.Equal(t, want, got)

	// After an unsaved edit in Neovim, the fixed error is gone.
	assert.True(t, res.Edited, "no diagnostics after the edit")
	assert.Equal(t, []string{"unknown-field", "unknown-link"}, res.AfterEdit)
	// Completion of status: the saved status, then the workflow's next.
	cfg := config.Default()
	wantItems := []string{}
	for _, name := range append([]string{"new"}, cfg.Status("new").Next...) {
		st := cfg.Status(name)
		wantItems = append(wantItems, name+" "+st.Label["en"]+" · "+st.Label["zh-CN"])
	}
	assert.Equal(t, wantItems, res.Completion)
}

// TestLSPDiagnosticsEqualValidate opens every file of a registry in the
// language server and checks that its diagnostics are validate's
// findings for that file: same rules, severities, lines, columns
// (converted to UTF-16 independently here) and messages with hints.
func TestLSPDiagnosticsEqualValidate(t *testing.T) {
	for _, dir := range []string{"testdata/lsp/broken", "../../demands"} {
		t.Run(dir, func(t *testing.T) {
			abs, err := filepath.Abs(dir)
			require.NoError(t, err)
			var stdout bytes.Buffer
			runValidate(context.Background(), &env{stdout: &stdout, stderr: io.Discard, name: "validate"}, []string{"--dir", abs, "--format", "json"})
			var fs []finding.Finding
			if err := json.Unmarshal(stdout.Bytes(), &fs); err != nil {
				var wrapped struct{ Findings []finding.Finding }
				require.NoError(t, json.Unmarshal(stdout.Bytes(), &wrapped), stdout.String())
				fs = wrapped.Findings
			}
			if strings.Contains(dir, "broken") {
				require.Len(t, fs, 14, "every kind of finding the fixture holds")
			}
			type diag struct {
				Line, Char, Severity int
				Code, Message        string
			}
			want := map[string][]diag{}
			texts := map[string]string{}
			entries, err := os.ReadDir(abs)
			require.NoError(t, err)
			for _, e := range entries {
				data, err := os.ReadFile(filepath.Join(abs, e.Name()))
				require.NoError(t, err)
				texts[e.Name()] = string(data)
				want[e.Name()] = []diag{}
			}
			for _, f := range fs {
				rel := filepath.Base(f.Path) // the registries here have no subfolders
				require.Contains(t, texts, rel)
				lines := strings.Split(texts[rel], "\n")
				d := diag{Code: f.Rule, Message: f.Message, Severity: 1}
				if f.Hint != "" {
					d.Message += " (" + f.Hint + ")"
				}
				if f.Severity == finding.Warning {
					d.Severity = 2
				}
				if f.Line > 0 {
					d.Line = f.Line - 1
					for _, r := range []rune(lines[f.Line-1])[:f.Col-1] {
						d.Char += len(utf16.Encode([]rune{r}))
					}
				}
				want[rel] = append(want[rel], d)
			}

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c, done := lsptest.Pipe(ctx, func(rwc io.ReadWriteCloser) error {
				return lsp.Serve(ctx, rwc, lsp.Options{})
			})
			_, err = c.Initialize(abs)
			require.NoError(t, err)
			got := map[string][]diag{}
			for name, text := range texts {
				require.NoError(t, c.Open(lsptest.URI(filepath.Join(abs, name)), text, 1))
			}
			for name := range texts {
				p, err := c.Wait(lsptest.URI(filepath.Join(abs, name)), lsptest.Version(1))
				require.NoError(t, err)
				got[name] = []diag{}
				for _, d := range p.Diagnostics {
					got[name] = append(got[name], diag{d.Range.Start.Line, d.Range.Start.Character, d.Severity, d.Code, d.Message})
				}
			}
			assert.Equal(t, want, got)
			require.NoError(t, c.Call("shutdown", nil, nil))
			require.NoError(t, c.Notify("exit", nil))
			assert.NoError(t, <-done)
		})
	}
}
