package main

import (
	"context"
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

func runNew(ctx context.Context, e *env, args []string) error {
	var o newOptions
	fl := newFlags(e, `new --title "..." [--customer NAME --segment SEG --type TYPE ...]`, `  demand new --title "Export invoices as PDF" --customer "Acme" --segment vip --type product
  demand new --title "支持导出中文发票" --segment regular --urgency urgent --tags billing,export
`)
	dirFlag(fl, &o.dir)
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
	if err := parseOnlyFlags(fl, args, "quote the title: --title \"...\""); err != nil {
		return err
	}
	if strings.TrimSpace(o.d.Title) == "" {
		return usagef("--title is required, e.g. demand new --title \"Export invoices as PDF\"")
	}
	if o.d.Received == "" {
		o.d.Received = time.Now().Format("2006-01-02")
	}
	for _, t := range strings.Split(o.tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			o.d.Tags = append(o.d.Tags, t)
		}
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
	files, _ := src.List()
	o.d.ID = registry.NextID(cfg, snap, files)
	data, err := o.d.Render(cfg)
	if err != nil {
		return err
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
