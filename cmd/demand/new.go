package main

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/demand-registry/demand/registry/config"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/demand-registry/demand/internal/escape"
	"github.com/demand-registry/demand/registry"
)

type newOptions struct {
	dir  string
	d    registry.NewDemand
	tags string
}

func runNew(e *env, args []string) int {
	var o newOptions
	fl := newFlags(e, "new", `new --title "..." [--customer NAME --segment SEG --type TYPE ...]`, `  demand new --title "Export invoices as PDF" --customer "Acme" --segment vip --type product
  demand new --title "支持导出中文发票" --segment regular --urgency urgent --tags billing,export
`)
	fl.StringVar(&o.dir, "dir", "demands", "registry `folder`")
	fl.StringVar(&o.d.Title, "title", "", "the demand's title (required)")
	fl.StringVar(&o.d.Customer, "customer", "", "customer `name`")
	fl.StringVar(&o.d.Segment, "segment", "", "customer `segment` (vip, regular, potential)")
	fl.StringVar(&o.d.Type, "type", "", "demand `type` (product, service, technical)")
	fl.StringVar(&o.d.Urgency, "urgency", "", "`urgency` (urgent, routine, long-term)")
	fl.StringVar(&o.d.Importance, "importance", "", "`importance` (critical, secondary, general)")
	fl.StringVar(&o.d.Channel, "channel", "", "the `channel` it came through")
	fl.StringVar(&o.d.Owner, "owner", "", "who drives it")
	fl.StringVar(&o.d.Received, "received", "", "`date` the customer raised it, YYYY-MM-DD (default today)")
	fl.StringVar(&o.tags, "tags", "", "comma-separated `tags`")
	if code, ok := parseOnlyFlags(e, fl, args, "quote the title: --title \"...\""); !ok {
		return code
	}
	if strings.TrimSpace(o.d.Title) == "" {
		fmt.Fprintln(e.stderr, "demand new: --title is required, e.g. demand new --title \"Export invoices as PDF\"")
		return exitUsage
	}
	if o.d.Received == "" {
		o.d.Received = time.Now().Format("2006-01-02")
	}
	for _, t := range strings.Split(o.tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			o.d.Tags = append(o.d.Tags, t)
		}
	}
	return o.run(e)
}

func (o *newOptions) run(e *env) int {
	l, code := load(e, "new", o.dir, "")
	if l == nil {
		return code
	}
	defer l.close()
	snap, fs, src := l.snap, l.findings, l.dir
	cfg := snap.Config
	for _, f := range fs {
		if f.Path == config.File && f.Severity == finding.Error {
			fmt.Fprintln(e.stderr, "demand new: the registry config has errors; fix them first:")
			_ = finding.Write(e.stderr, "text", displayDir(o.dir), fs)
			return exitFindings
		}
	}
	files, _ := src.List()
	o.d.ID = registry.NextID(cfg, snap, files)
	data, err := o.d.Render(cfg)
	if err != nil {
		fmt.Fprintf(e.stderr, "demand new: %v\n", err)
		return exitUsage
	}
	name := o.d.FileName()
	// Check the new file with the same parser validate uses, so a bad flag
	// value is reported before anything is written.
	if _, pf := registry.ParseDemand(cfg, name, data); pf.HasErrors() {
		for _, f := range pf {
			msg := f.Message
			if f.Hint != "" {
				msg += " (" + f.Hint + ")"
			}
			fmt.Fprintf(e.stderr, "demand new: %s\n", escape.Terminal(msg))
		}
		return exitUsage
	}
	if err := src.CreateFile(name, data); err != nil {
		fmt.Fprintf(e.stderr, "demand new: %v\n", err)
		return exitUsage
	}
	fmt.Fprintln(e.stdout, escape.Path(path.Join(displayDir(o.dir), name)))
	return exitOK
}
