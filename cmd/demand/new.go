package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/internal/escape"
	"github.com/demand-registry/demand/registry"
)

type newOptions struct {
	dir   string
	d     registry.NewDemand
	short []string // the shorthands' values, by index in shorthands
	sets  []string // --set KEY=VALUE, in the order given
}

// shorthands are new's flags for roles: each sets a role's field (path,
// by the role's name) under the key the registry keeps it at.
var shorthands = []struct{ flag, path, usage string }{
	{"customer", "customer.name", "the customer's `name` (customer.name)"},
	{"segment", "customer.segment", "the customer's `segment` (customer.segment)"},
	{"type", "type", "the demand's `type`"},
	{"urgency", "urgency", "its `urgency`"},
	{"importance", "importance", "its `importance`"},
	{"channel", "channel", "the `channel` it came through"},
	{"owner", "owner", "who drives it, by `name`"},
	{"received", "received", "`date` the customer raised it, YYYY-MM-DD (default today)"},
	{"tags", "tags", "comma-separated `tags`"},
}

const newExamples = `  demand new --title "Export invoices as PDF" --customer "Acme" --segment vip --type product
  demand new --title "支持导出中文发票" --segment regular --urgency urgent --tags billing,export
  demand new --title "Offline mode" --set stage=proposed --set teams=sync,mobile --set rice.reach=900
`

// setList is --set, repeatable.
type setList struct{ p *[]string }

func (s setList) String() string {
	if s.p == nil {
		return ""
	}
	return strings.Join(*s.p, " ")
}

func (s setList) Set(v string) error {
	*s.p = append(*s.p, v)
	return nil
}

func runNew(ctx context.Context, e *env, args []string) error {
	o := newOptions{short: make([]string, len(shorthands))}
	fl := newFlags(e, `new --title "..." [--set KEY=VALUE ...] [--customer NAME --segment SEG --type TYPE ...]`, "")
	flagsUsage := fl.Usage
	fl.Usage = func() {
		flagsUsage()
		w := fl.Output()
		fmt.Fprintln(w)
		writeSettables(w, dirArg(args))
		fmt.Fprintf(w, "\nExamples:\n%s", newExamples)
	}
	dirFlag(fl, &o.dir)
	fl.StringVar(&o.d.Title, "title", "", "the demand's title (required)")
	fl.Var(setList{&o.sets}, "set", "set a field, KEY as the registry's files write it (customer.name for a map's key); repeatable: `KEY=VALUE`")
	for i, s := range shorthands {
		fl.StringVar(&o.short[i], s.flag, "", s.usage)
	}
	if err := parseOnlyFlags(fl, args, "quote the title: --title \"...\""); err != nil {
		return err
	}
	if strings.TrimSpace(o.d.Title) == "" {
		return usagef("--title is required, e.g. demand new --title \"Export invoices as PDF\"")
	}
	return o.run(ctx, e)
}

func (o *newOptions) run(_ context.Context, e *env) error {
	r, err := open(o.dir, "")
	if err != nil {
		return err
	}
	defer r.Close()
	snap, src := r.Snapshot, r.Folder()
	cfg := snap.Config
	for _, f := range r.Findings {
		if f.Path == config.File && f.Severity == finding.Error {
			return &findingsError{dir: o.dir, header: "the registry config has errors; fix them first:", fs: r.Findings}
		}
	}
	if err := o.fill(e, cfg, time.Now().Format("2006-01-02")); err != nil {
		return err
	}
	files, _ := src.List()
	id, name, err := registry.NewFile(cfg, snap, files, o.d.Title)
	if err != nil {
		return err
	}
	o.d.ID = id
	data, err := o.d.Render(cfg)
	if err != nil {
		return err
	}

	// Check the new file with the same parser validate uses, so a bad flag
	// value is reported before anything is written.
	if _, pf := registry.ParseDemand(cfg, name, data); pf.HasErrors() {
		for _, f := range pf {
			msg := f.Message
			if f.Hint != "" {
				msg += " (" + f.Hint + ")"
			}
			e.warnf("%s", escape.Terminal(msg))
		}
		return errShown
	}
	if err := src.CreateFile(name, data); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, escape.Path(path.Join(displayDir(o.dir), name)))
	return nil
}

// fill sets the new demand's fields from the shorthands, then --set, and
// received to today where the registry keeps it and no flag set it.
// Every bad flag is reported, each naming its flag.
func (o *newOptions) fill(e *env, cfg *config.Config, today string) error {
	var bad []string
	for i, s := range shorthands {
		v := o.short[i]
		if v == "" {
			continue
		}
		role, _, _ := strings.Cut(s.path, ".")
		if !cfg.HasRole(role) {
			msg := fmt.Sprintf("--%s sets the %s role, which this registry does not have (roles in registry.yaml)", s.flag, role)
			if _, own := cfg.FieldOf(role); own && cfg.Key(role) == role {
				msg += fmt.Sprintf("; its own field %q is set with --set %s=VALUE", role, role)
			} else {
				msg += "; set the fields it has with --set KEY=VALUE (demand new -h lists them)"
			}
			bad = append(bad, msg)
			continue
		}
		if err := o.d.SetRole(cfg, s.path, v); err != nil {
			bad = append(bad, fmt.Sprintf("--%s: %v", s.flag, err))
		}
	}
	for _, kv := range o.sets {
		key, val, ok := strings.Cut(kv, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			bad = append(bad, fmt.Sprintf("--set %q: write KEY=VALUE, e.g. --set owner=Mei", kv))
			continue
		}
		err := o.d.Set(cfg, key, val)
		switch {
		case errors.Is(err, registry.ErrSetTitle):
			bad = append(bad, fmt.Sprintf("--set %s: the title is given with --title", kv))
		case errors.Is(err, registry.ErrSetID):
			bad = append(bad, fmt.Sprintf("--set %s: the ID is not set; new gives the next free one", kv))
		case err != nil:
			bad = append(bad, fmt.Sprintf("--set %s: %v", kv, err))
		}
	}
	if _, given := o.d.Fields["received"]; !given && cfg.HasRole("received") {
		if err := o.d.SetRole(cfg, "received", today); err != nil {
			bad = append(bad, fmt.Sprintf("received (today): %v", err))
		}
	}
	if len(bad) == 0 {
		for _, k := range o.d.Missing(cfg) {
			bad = append(bad, fmt.Sprintf("required field %q is missing; give it with --set %s=VALUE", k, k))
		}
	}
	switch len(bad) {
	case 0:
		return nil
	case 1:
		return usagef("%s", escape.Terminal(bad[0]))
	}
	for _, msg := range bad {
		e.warnf("%s", escape.Terminal(msg))
	}
	return errShown
}

// dirArg is the --dir of args, for the help, which is printed as soon as
// -h is parsed, whichever comes first.
func dirArg(args []string) string {
	dir := "demands"
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name != "dir" {
			continue
		}
		if hasVal {
			dir = val
		} else if i+1 < len(args) {
			i++
			dir = args[i]
		}
	}
	return dir
}

// writeSettables lists, for the help, the keys --set takes in the
// registry in dir; when its config cannot be read, a line says so.
func writeSettables(w io.Writer, dir string) {
	src, err := registry.OpenDir(dir)
	if err != nil {
		fmt.Fprintf(w, "Keys for --set: not listed, the registry cannot be read: %s\n", escape.Terminal(err.Error()))
		return
	}
	defer src.Close()
	cfg, fs := registry.LoadConfig(src)
	if fs.HasErrors() {
		fmt.Fprintf(w, "Keys for --set: not listed, %s has errors (demand validate --dir %s lists them)\n",
			escape.Path(path.Join(displayDir(dir), config.File)), escape.Path(displayDir(dir)))
		return
	}
	rows := registry.Settables(cfg)
	fmt.Fprintf(w, "Keys for --set in %s (* required):\n", escape.Path(displayDir(dir)))
	keyW, typeW := 0, 0
	for _, s := range rows {
		keyW = max(keyW, utf8.RuneCountInString(s.Key)+2)
		typeW = max(typeW, utf8.RuneCountInString(s.Type))
	}
	keyW, typeW = min(keyW, 28), min(typeW, 14)
	for _, s := range rows {
		key := s.Key
		if s.Required {
			key += " *"
		}
		line := fmt.Sprintf("  %-*s %-*s %s", keyW, key, typeW, s.Type, s.Allowed)
		if s.Default != "" {
			line += " (default " + s.Default + ")"
		}
		fmt.Fprintln(w, escape.Terminal(strings.TrimRight(line, " ")))
	}
	fmt.Fprintln(w, "The shorthand flags set the built-in fields under this registry's keys; a registry without one rejects its flag.")
}
