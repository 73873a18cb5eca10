package render

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Charts are inline SVG made at build time: no script, and each comes with
// a table of its numbers for screen readers and copying.

const (
	chartW  = 640.0
	chartH  = 240.0
	padL    = 44.0
	padB    = 40.0
	padT    = 12.0
	padR    = 12.0
	plotW   = chartW - padL - padR
	plotH   = chartH - padT - padB
	maxBars = 60
)

type series struct {
	Name   string
	Values []float64
}

func svgOpen(sb *strings.Builder, title string) {
	fmt.Fprintf(sb, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s"><title>%s</title>`, chartW, chartH, html.EscapeString(title), html.EscapeString(title))
}

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func axes(sb *strings.Builder, top float64, unit string) {
	for i := 0; i <= 4; i++ {
		y := padT + plotH - plotH*float64(i)/4
		fmt.Fprintf(sb, `<line class="grid" x1="%g" y1="%.1f" x2="%g" y2="%.1f"/>`, padL, y, chartW-padR, y)
		fmt.Fprintf(sb, `<text class="axis" x="%g" y="%.1f" text-anchor="end">%s%s</text>`, padL-4, y+4, num(top*float64(i)/4), unit)
	}
}

// barChart draws grouped vertical bars: one group per label, one bar per series.
func barChart(title string, labels []string, ss []series, unit string) template.HTML {
	var sb strings.Builder
	svgOpen(&sb, title)
	top := 0.0
	for _, s := range ss {
		for _, v := range s.Values {
			top = math.Max(top, v)
		}
	}
	top = niceMax(top)
	axes(&sb, top, unit)
	n := max(len(labels), 1)
	group := plotW / float64(n)
	bar := group * 0.8 / float64(max(len(ss), 1))
	every := max(1, n/12) // label at most ~12 groups
	for i, l := range labels {
		x0 := padL + group*float64(i) + group*0.1
		for j, s := range ss {
			v := s.Values[i]
			h := plotH * v / top
			fmt.Fprintf(&sb, `<rect class="c%d" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s %s: %s</title></rect>`,
				j, x0+bar*float64(j), padT+plotH-h, math.Max(bar-1, 1), h, html.EscapeString(l), html.EscapeString(s.Name), num(v))
		}
		if i%every == 0 {
			fmt.Fprintf(&sb, `<text class="axis" x="%.1f" y="%g" text-anchor="middle">%s</text>`, x0+group*0.4, chartH-padB+16, html.EscapeString(l))
		}
	}
	legend(&sb, ss)
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

func legend(sb *strings.Builder, ss []series) {
	if len(ss) < 2 {
		return
	}
	x := padL
	for j, s := range ss {
		fmt.Fprintf(sb, `<rect class="c%d" x="%.1f" y="%g" width="10" height="10"/><text class="axis" x="%.1f" y="%g">%s</text>`,
			j, x, chartH-14, x+14, chartH-5, html.EscapeString(s.Name))
		x += 24 + 7*float64(len([]rune(s.Name)))
	}
}

// areaChart draws stacked areas (a cumulative flow diagram): series in
// stacking order, one value per label.
func areaChart(title string, labels []string, ss []series) template.HTML {
	var sb strings.Builder
	svgOpen(&sb, title)
	n := len(labels)
	totals := make([]float64, n)
	for _, s := range ss {
		for i, v := range s.Values {
			totals[i] += v
		}
	}
	top := 0.0
	for _, t := range totals {
		top = math.Max(top, t)
	}
	top = niceMax(top)
	axes(&sb, top, "")
	x := func(i int) float64 {
		if n < 2 {
			return padL
		}
		return padL + plotW*float64(i)/float64(n-1)
	}
	y := func(v float64) float64 { return padT + plotH - plotH*v/top }
	base := make([]float64, n)
	for j, s := range ss {
		var pts []string
		for i := 0; i < n; i++ {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(base[i]+s.Values[i])))
		}
		for i := n - 1; i >= 0; i-- {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(base[i])))
		}
		fmt.Fprintf(&sb, `<polygon class="c%d" points="%s"><title>%s</title></polygon>`, j, strings.Join(pts, " "), html.EscapeString(s.Name))
		for i := range base {
			base[i] += s.Values[i]
		}
	}
	every := max(1, n/6)
	for i := 0; i < n; i += every {
		fmt.Fprintf(&sb, `<text class="axis" x="%.1f" y="%g" text-anchor="middle">%s</text>`, x(i), chartH-padB+16, html.EscapeString(labels[i]))
	}
	legend(&sb, ss)
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}
