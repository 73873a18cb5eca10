package scaffold

import (
	"sort"
	"strings"
	"testing"

	"github.com/demand-registry/demand/registry/config"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/rank"
)

func TestFilesMakeACleanRegistry(t *testing.T) {
	for _, lang := range []string{"en", "zh-CN"} {
		files, err := Files(Options{Lang: lang, Owners: "@acme/leads  ada@example.com", Action: "demand-registry/demand@v1", Received: "2026-11-02", URL: "https://github.com/acme/demands"})
		require.NoError(t, err)
		var paths []string
		src := memSource{}
		for _, f := range files {
			paths = append(paths, f.Path)
			if rel, ok := strings.CutPrefix(f.Path, Dir+"/"); ok {
				src[rel] = f.Data
			}
			if strings.HasSuffix(f.Path, ".yml") || strings.HasSuffix(f.Path, ".yaml") {
				var n yaml.Node
				require.NoError(t, yaml.Unmarshal(f.Data, &n), f.Path)
			}
		}
		require.True(t, sort.StringsAreSorted(paths))
		require.Equal(t, []string{".github/CODEOWNERS", ".github/ISSUE_TEMPLATE/demand.yml", ".github/pull_request_template.md",
			".github/workflows/demand-checks.yml", ".github/workflows/demand-intake.yml", ".github/workflows/demand-pages.yml",
			".github/workflows/demand-review.yml", ".gitignore", "README.md"}, paths[:9])
		snap, fs, err := registry.Load(src)
		require.NoError(t, err)
		fs = append(fs, registry.Validate(snap)...)
		rk := rank.Rank(snap)
		fs = append(fs, rank.Policy(snap, rk)...)
		fs = append(fs, rank.Check(snap, rk)...)
		require.Empty(t, fs, lang)
		require.Equal(t, lang, snap.Config.Language)
		require.Equal(t, "https://github.com/acme/demands", snap.Config.Repository.URL)
		require.Len(t, snap.Demands, 1)
	}
}

func TestTitleIsQuotedInTheConfig(t *testing.T) {
	for _, title := range []string{`a: b # c`, `"quoted" 'both'`, "- [x]", "客户需求 · 2026", "yes", "{x}"} {
		files, err := Files(Options{Lang: "en", Title: title, Action: "./", Received: "2026-11-02"})
		require.NoError(t, err, title)
		for _, f := range files {
			if f.Path == Dir+"/"+config.File {
				cfg, fs := config.Parse(config.File, f.Data)
				require.Empty(t, fs, title)
				require.Equal(t, title, cfg.Title)
			}
		}
	}
}

func TestOptionsAreChecked(t *testing.T) {
	ok := Options{Lang: "en", Action: "demand-registry/demand@v1", Received: "2026-11-02"}
	for name, mut := range map[string]func(*Options){
		"language":       func(o *Options) { o.Lang = "fr" },
		"title newline":  func(o *Options) { o.Title = "a\nb" },
		"owner":          func(o *Options) { o.Owners = "@acme/leads\n* @evil" },
		"owner pattern":  func(o *Options) { o.Owners = "*" },
		"action":         func(o *Options) { o.Action = "x\n  run: evil" },
		"action no ref":  func(o *Options) { o.Action = "demand-registry/demand" },
		"label":          func(o *Options) { o.Label = "a'b" },
		"url":            func(o *Options) { o.URL = "javascript:alert(1)" },
		"received":       func(o *Options) { o.Received = "2026-02-30" },
		"label too long": func(o *Options) { o.Label = strings.Repeat("a", 60) },
	} {
		o := ok
		mut(&o)
		_, err := Files(o)
		require.Error(t, err, name)
	}
	_, err := Files(ok)
	require.NoError(t, err)
}
