// Package scaffold makes the files of a new registry repository (demand
// init): the config, an example demand, the GitHub workflows that run the
// demand action, the pull-request template, the issue form, CODEOWNERS,
// .gitignore and a README for the registry's users.
package scaffold

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/demand-registry/demand/registry/config"

	"gopkg.in/yaml.v3"

	"github.com/demand-registry/demand/internal/escape"
	"github.com/demand-registry/demand/internal/safefs"
	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/codeowners"
	"github.com/demand-registry/demand/registry/intake"
	"github.com/demand-registry/demand/registry/rank"
)

//go:embed files
var files embed.FS

// Dir is the registry folder of a new repository.
const Dir = "demands"

// Options are what demand init asks for.
type Options struct {
	Lang     string // en or zh-CN
	Title    string // the registry's name; "" for one in Lang
	URL      string // the repository's web address, "" when not known yet
	Owners   string // CODEOWNERS owners of tier-1 demands, "" for none yet
	Action   string // the action the workflows use, e.g. demand-registry/demand@v1
	Label    string // the label of issues opened with the demand form
	Received string // the example demand's received date, YYYY-MM-DD
}

var (
	ownerRe  = regexp.MustCompile(`^(@[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)?|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+)$`)
	actionRe = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@[A-Za-z0-9_./-]+|\./)$`)
	labelRe  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 _./-]{0,48}$`)
)

func (o *Options) check() error {
	if o.Lang != "en" && o.Lang != "zh-CN" {
		return fmt.Errorf("language %q is not supported; use en or zh-CN", o.Lang)
	}
	if o.Title == "" {
		o.Title = "Customer demands"
		if o.Lang == "zh-CN" {
			o.Title = "客户需求"
		}
	}
	if escape.HasControl(o.Title) || len(o.Title) > 200 {
		return fmt.Errorf("title %q: one line of at most 200 characters", o.Title)
	}
	if o.URL != "" {
		if err := intake.CheckURL(o.URL); err != nil {
			return fmt.Errorf("repository URL: %w", err)
		}
	}
	for _, w := range strings.Fields(o.Owners) {
		if !ownerRe.MatchString(w) {
			return fmt.Errorf("owner %q is not a GitHub @user, @org/team or e-mail address", w)
		}
	}
	o.Owners = strings.Join(strings.Fields(o.Owners), " ")
	if !actionRe.MatchString(o.Action) {
		return fmt.Errorf("action %q is not OWNER/REPO@REF", o.Action)
	}
	if o.Label == "" {
		o.Label = intake.DefaultLabel
	}
	if !labelRe.MatchString(o.Label) {
		return fmt.Errorf("label %q: letters, digits, spaces and _ . / - only, at most 49", o.Label)
	}
	if _, ok := config.ParseDate(o.Received); !ok {
		return fmt.Errorf("received %q is not a date YYYY-MM-DD", o.Received)
	}
	return nil
}

// data is what the templates see.
type data struct {
	Options
	Dir    string
	Prefix string
}

// Files returns the new repository's files, sorted by path (relative to
// the repository root, slash-separated). The registry they make validates,
// ranks clean (the example's tier is the computed one) and builds.
func Files(o Options) ([]safefs.File, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	d := data{Options: o, Dir: Dir}
	out := map[string][]byte{}
	cfgText, err := render("files/registry.yaml", d)
	if err != nil {
		return nil, err
	}
	cfg, fs := config.Parse(config.File, cfgText)
	if fs.HasErrors() {
		return nil, fmt.Errorf("the config made for %q does not parse: %v", o.Title, fs)
	}
	d.Prefix = cfg.ID.Prefix
	out[Dir+"/"+config.File] = cfgText

	example, name, err := exampleDemand(cfg, o)
	if err != nil {
		return nil, err
	}
	src := memSource{config.File: cfgText, name: example}
	snap, lfs, err := registry.Load(src)
	if err != nil {
		return nil, err
	}
	if lfs.HasErrors() {
		return nil, fmt.Errorf("the example demand does not validate: %v", lfs)
	}
	rk := rank.Rank(snap)
	example, _, err = rank.SetTier(example, rk.Results[0].Tier)
	if err != nil {
		return nil, err
	}
	out[Dir+"/"+name] = example

	form, err := intake.IssueForm(cfg, o.Label)
	if err != nil {
		return nil, err
	}
	out[intake.FormFile] = form

	owners := "# Code owners: GitHub asks them to approve changes to the files they own.\n" +
		"# Name the people who decide on tier-1 demands, then keep the block below\n" +
		"# up to date with `demand codeowners --owners @ORG/TEAM --write` (the\n" +
		"# pull-request check runs it with --check once the workflow names them).\n"
	if o.Owners != "" {
		owners += fmt.Sprintf("/.github/ %s\n/%s/%s %s\n", o.Owners, Dir, config.File, o.Owners)
		block, err := codeowners.Block(snap, rk, Dir, 1, o.Owners)
		if err != nil {
			return nil, err
		}
		owners += codeowners.Replace("", block)
	}
	out[".github/CODEOWNERS"] = []byte(owners)

	for _, t := range []struct{ from, to string }{
		{"files/workflows/demand-checks.yml", ".github/workflows/demand-checks.yml"},
		{"files/workflows/demand-pages.yml", ".github/workflows/demand-pages.yml"},
		{"files/workflows/demand-review.yml", ".github/workflows/demand-review.yml"},
		{"files/workflows/demand-intake.yml", ".github/workflows/demand-intake.yml"},
		{"files/pull_request_template." + o.Lang + ".md", ".github/pull_request_template.md"},
		{"files/README." + o.Lang + ".md", "README.md"},
		{"files/gitignore", ".gitignore"},
	} {
		b, err := render(t.from, d)
		if err != nil {
			return nil, err
		}
		out[t.to] = b
	}
	var list []safefs.File
	for p, b := range out {
		list = append(list, safefs.File{Path: p, Data: b})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Path < list[j].Path })
	return list, nil
}

// Workflows lists the workflow files Files writes.
func Workflows(list []safefs.File) []safefs.File {
	var out []safefs.File
	for _, f := range list {
		if strings.HasPrefix(f.Path, ".github/workflows/") {
			out = append(out, f)
		}
	}
	return out
}

func exampleDemand(cfg *config.Config, o Options) ([]byte, string, error) {
	title, customer, bodyFile := "Export invoices as PDF", "Example Logistics Ltd.", "files/example.en.md"
	if o.Lang == "zh-CN" {
		title, customer, bodyFile = "发票支持导出 PDF", "示例物流有限公司", "files/example.zh-CN.md"
	}
	id := fmt.Sprintf("%s%0*d", cfg.ID.Prefix, cfg.ID.Digits, 1)
	fields := map[string]any{
		"id": id, "title": title, "status": cfg.Statuses[0].Name, "received": o.Received,
		"type": "product", "urgency": "routine", "importance": "secondary",
		"value": "high", "impact": "medium", "difficulty": "low",
		"customer": map[string]any{"name": customer, "segment": "regular"},
		"channel":  "sales", "tags": []any{"invoices"},
	}
	body, err := files.ReadFile(bodyFile)
	if err != nil {
		return nil, "", err
	}
	b, err := config.RenderFile(cfg, fields, string(body))
	if err != nil {
		return nil, "", err
	}
	return b, registry.NewDemand{ID: id, Title: title}.FileName(), nil
}

func render(name string, d data) ([]byte, error) {
	text, err := files.ReadFile(name)
	if err != nil {
		return nil, err
	}
	// [[ ]] delimiters: the workflows are full of GitHub's ${{ }}.
	t, err := template.New(name).Delims("[[", "]]").Option("missingkey=error").Funcs(template.FuncMap{
		"yaml": yamlScalar,
	}).Parse(string(text))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// yamlScalar writes s as a YAML scalar that reads back as s.
func yamlScalar(s string) (string, error) {
	b, err := yaml.Marshal(s)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(b), "\n"), nil
}

// memSource is a registry folder in memory.
type memSource map[string][]byte

func (m memSource) Describe() string { return "the new registry" }

func (m memSource) List() ([]registry.File, error) {
	var out []registry.File
	for p, b := range m {
		if registry.IsDemandFile(p) {
			out = append(out, registry.File{Path: p, Size: int64(len(b))})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func (m memSource) ReadFile(p string) ([]byte, error) {
	if b, ok := m[p]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
}
