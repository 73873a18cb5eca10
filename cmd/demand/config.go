package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/config"
	"github.com/demand-registry/demand/registry/finding"
)

type configOptions struct {
	dir, format string
}

func runConfig(ctx context.Context, e *env, args []string) error {
	var o configOptions
	fl := newFlags(e, "config [--dir DIR] [--format yaml|json]", `  demand config                 # built-in defaults with demands/registry.yaml laid over them
  demand config --format json
`)
	dirFlag(fl, &o.dir)
	formatFlag(fl, &o.format, "yaml", "json")
	if err := parseOnlyFlags(fl, args, ""); err != nil {
		return err
	}
	return o.run(ctx, e)
}

func (o *configOptions) run(_ context.Context, e *env) error {
	cfg, err := loadConfig(e, o.dir)
	if err != nil {
		return err
	}
	var out []byte
	if o.format == "json" {
		out, err = json.MarshalIndent(cfg, "", "  ")
		out = append(out, '\n')
	} else {
		out, err = cfg.YAML()
	}
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(out)
	return err
}

type schemaOptions struct {
	dir, draft string
}

func runSchema(ctx context.Context, e *env, args []string) error {
	var o schemaOptions
	fl := newFlags(e, "schema [--dir DIR] [--draft 07|2020-12]", `  demand schema > demand.schema.json            # draft-07, what editors' YAML support reads
  demand schema --draft 2020-12 > demand.schema.json
`)
	dirFlag(fl, &o.dir)
	choiceFlag(fl, &o.draft, "draft", "JSON Schema `draft`: "+orList(config.SchemaDrafts), config.SchemaDrafts...)
	if err := parseOnlyFlags(fl, args, ""); err != nil {
		return err
	}
	return o.run(ctx, e)
}

func (o *schemaOptions) run(_ context.Context, e *env) error {
	cfg, err := loadConfig(e, o.dir)
	if err != nil {
		return err
	}
	schema, err := cfg.JSONSchema(o.draft)
	if err != nil {
		return err
	}
	out, err := json.MarshalIndent(schema, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "%s\n", out)
	return err
}

// loadConfig reads a registry's config; it prints the config's warnings,
// and returns its errors as a findingsError.
func loadConfig(e *env, dir string) (*config.Config, error) {
	src, err := registry.OpenDir(dir)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	cfg, fs := registry.LoadConfig(src)
	fs.Sort()
	if fs.HasErrors() {
		return nil, &findingsError{dir: dir, fs: fs}
	}
	if len(fs) > 0 {
		_ = finding.Write(e.stderr, "text", displayDir(dir), fs)
	}
	return cfg, nil
}
