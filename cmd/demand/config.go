package main

import (
	"encoding/json"
	"fmt"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/registry"
)

func runConfig(e *env, args []string) int {
	var dir, format string
	fl := newFlags(e, "config", "config [--dir DIR] [--format yaml|json]", `  demand config                 # built-in defaults with demands/registry.yaml laid over them
  demand config --format json
`)
	fl.StringVar(&dir, "dir", "demands", "registry `folder`")
	fl.StringVar(&format, "format", "yaml", "output `format`: yaml or json")
	if code, ok := parseOnlyFlags(e, fl, args, ""); !ok {
		return code
	}
	if !oneOf(e, "config", "format", format, []string{"yaml", "json"}) {
		return exitUsage
	}
	cfg, code := loadConfig(e, "config", dir)
	if cfg == nil {
		return code
	}
	var out []byte
	var err error
	if format == "json" {
		out, err = json.MarshalIndent(cfg, "", "  ")
		out = append(out, '\n')
	} else {
		out, err = cfg.YAML()
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "demand config: %v\n", err)
		return exitUsage
	}
	e.stdout.Write(out)
	return exitOK
}

func runSchema(e *env, args []string) int {
	var dir, draft string
	fl := newFlags(e, "schema", "schema [--dir DIR] [--draft 07|2020-12]", `  demand schema > demand.schema.json            # draft-07, what editors' YAML support reads
  demand schema --draft 2020-12 > demand.schema.json
`)
	fl.StringVar(&dir, "dir", "demands", "registry `folder`")
	fl.StringVar(&draft, "draft", config.DefaultDraft, "JSON Schema `draft`: 07 or 2020-12")
	if code, ok := parseOnlyFlags(e, fl, args, ""); !ok {
		return code
	}
	if !oneOf(e, "schema", "draft", draft, config.SchemaDrafts) {
		return exitUsage
	}
	cfg, code := loadConfig(e, "schema", dir)
	if cfg == nil {
		return code
	}
	schema, err := cfg.JSONSchema(draft)
	if err != nil {
		fmt.Fprintf(e.stderr, "demand schema: %v\n", err)
		return exitUsage
	}
	out, err := json.MarshalIndent(schema, "", "  ")
	if err != nil {
		fmt.Fprintf(e.stderr, "demand schema: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(e.stdout, "%s\n", out)
	return exitOK
}

// loadConfig reads a registry's config; on errors it prints them and
// returns nil with the exit code.
func loadConfig(e *env, cmd, dir string) (*config.Config, int) {
	src, err := registry.OpenDir(dir)
	if err != nil {
		fmt.Fprintf(e.stderr, "demand %s: %v\n", cmd, err)
		return nil, exitUsage
	}
	defer src.Close()
	cfg, fs := registry.LoadConfig(src)
	if len(fs) > 0 {
		fs.Sort()
		_ = finding.Write(e.stderr, "text", displayDir(dir), fs)
	}
	if fs.HasErrors() {
		return nil, exitFindings
	}
	return cfg, exitOK
}
