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
	// maxGroupW is the widest a bar chart's group (or a one-day column)
	// gets.
	maxGroupW = 120.0
)

type series struct {
	Name   string
	Values []float64
}

// svgOpen starts a chart with room below the plot for legend rows
// (see legendLayout) beyond the first.
func svgOpen(sb *strings.Builder, title string, legendRows int) {
	h := chartH + legendRowH*float64(max(legendRows-1, 0))
	fmt.Fprintf(sb, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s"><title>%s</title>`, chartW, h, html.EscapeString(title), html.EscapeString(title))
}

// legendRowH is the height of one row of the legend.
const legendRowH = 16.0

// textWidth estimates a label's width in the chart's 11px font: wide
// (CJK) characters take about twice the room of Latin ones.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) || (r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) || (r >= 0xffe0 && r <= 0xffe6)) {
			w += 12
		} else {
			w += 7
		}
	}
	return w
}

type legendItem struct {
	x   float64
	row int
}

// legendLayout places the legend's entries left to right, starting a new
// row where the next would pass the chart's right edge.
func legendLayout(ss []series, always bool) ([]legendItem, int) {
	if len(ss) < 2 && !always || len(ss) == 0 {
		return nil, 0
	}
	items := make([]legendItem, len(ss))
	x, row := padL, 0
	for j, s := range ss {
		w := 14 + textWidth(s.Name) + 10
		if x > padL && x+w > chartW-padR {
			x, row = padL, row+1
		}
		items[j] = legendItem{x, row}
		x += w
	}
	return items, row + 1
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
	items, rows := legendLayout(ss, false)
	svgOpen(&sb, title, rows)
	top := 0.0
	for _, s := range ss {
		for _, v := range s.Values {
			top = math.Max(top, v)
		}
	}
	top = niceMax(top)
	axes(&sb, top, unit)
	n := max(len(labels), 1)
	// A few groups (one month) stay bar-sized, centred, rather than
	// filling the plot with slabs.
	group := math.Min(plotW/float64(n), maxGroupW)
	left := padL + (plotW-group*float64(n))/2
	bar := group * 0.8 / float64(max(len(ss), 1))
	every := max(1, n/12) // label at most ~12 groups
	for i, l := range labels {
		x0 := left + group*float64(i) + group*0.1
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
	legend(&sb, ss, items)
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

func legend(sb *strings.Builder, ss []series, items []legendItem) {
	for j, s := range ss {
		if j >= len(items) {
			break
		}
		it := items[j]
		y := chartH - 14 + legendRowH*float64(it.row)
		fmt.Fprintf(sb, `<rect class="c%d" x="%.1f" y="%g" width="10" height="10"/><text class="axis" x="%.1f" y="%g">%s</text>`,
			j, it.x, y, it.x+14, y+9, html.EscapeString(s.Name))
	}
}

// areaChart draws stacked areas (a cumulative flow diagram): series in
// stacking order, one value per label.
func areaChart(title string, labels []string, ss []series) template.HTML {
	var sb strings.Builder
	// Always a legend: with one status it says which.
	items, rows := legendLayout(ss, true)
	svgOpen(&sb, title, rows)
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
	if n == 1 {
		// One day has no span to fill: its counts stand as one stacked
		// column in the middle, labelled with the day.
		x = func(int) float64 { return padL + plotW/2 }
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
		if n == 1 {
			fmt.Fprintf(&sb, `<rect class="c%d" x="%.1f" y="%.1f" width="%g" height="%.1f"><title>%s: %s</title></rect>`,
				j, x(0)-maxGroupW/2, y(base[0]+s.Values[0]), maxGroupW, y(base[0])-y(base[0]+s.Values[0]), html.EscapeString(s.Name), num(s.Values[0]))
		} else {
			fmt.Fprintf(&sb, `<polygon class="c%d" points="%s"><title>%s</title></polygon>`, j, strings.Join(pts, " "), html.EscapeString(s.Name))
		}
		for i := range base {
			base[i] += s.Values[i]
		}
	}
	every := max(1, n/6)
	lastEnd := math.Inf(-1)
	for i := 0; i < n; i += every {
		// Dates at the plot's edges are anchored inside the chart, and a
		// date that would overlap the one before is left out.
		anchor, w := "middle", textWidth(labels[i])
		start := x(i) - w/2
		switch {
		case n > 1 && i == 0:
			anchor, start = "start", x(i)
		case n > 1 && i == n-1:
			anchor, start = "end", x(i)-w
		}
		if start < lastEnd+4 {
			continue
		}
		lastEnd = start + w
		fmt.Fprintf(&sb, `<text class="axis" x="%.1f" y="%g" text-anchor="%s">%s</text>`, x(i), chartH-padB+16, anchor, html.EscapeString(labels[i]))
	}
	legend(&sb, ss, items)
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}
