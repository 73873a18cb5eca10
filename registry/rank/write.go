package rank

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"

	"github.com/demand-registry/demand/internal/safefs"
	"github.com/demand-registry/demand/registry"
	"github.com/demand-registry/demand/registry/config"
)

// SetTier returns a demand file with its top-level tier: set to tier,
// changing that one line only (or adding it after the status: line),
// leaving every other byte, comment and line ending as it was. It reports
// whether anything changed.
func SetTier(data []byte, tier int) ([]byte, bool, error) {
	return SetTierAt(data, tier, "tier", "status")
}

// SetTierAt is SetTier for a registry whose tier and status roles have
// the keys tierKey and statusKey ("" for none: the tier goes last).
func SetTierAt(data []byte, tier int, tierKey, statusKey string) ([]byte, bool, error) {
	tierLine := regexp.MustCompile(`^(` + regexp.QuoteMeta(tierKey) + `[ \t]*:[ \t]*)([^ \t#]*)(.*)$`)
	statusLine := regexp.MustCompile(`^` + regexp.QuoteMeta(statusKey) + `[ \t]*:[ \t]*[^ \t#|>]`)
	lines := bytes.SplitAfter(data, []byte("\n"))
	start := 0
	if len(lines) > 0 && bytes.HasPrefix(lines[0], []byte("\ufeff")) {
		lines[0] = lines[0][3:]
		start = 3
	}
	bom := data[:start]
	eol := []byte("\n")
	if len(lines) > 0 && bytes.HasSuffix(lines[0], []byte("\r\n")) {
		eol = []byte("\r\n")
	}
	content := func(l []byte) []byte { return bytes.TrimRight(l, "\r\n") }
	if len(lines) == 0 || string(bytes.TrimRight(content(lines[0]), " \t")) != "---" {
		return nil, false, fmt.Errorf("the file does not start with front matter")
	}
	want := strconv.Itoa(tier)
	statusAt, closeAt := -1, -1
	for i := 1; i < len(lines); i++ {
		c := content(lines[i])
		if t := string(bytes.TrimRight(c, " \t")); t == "---" || t == "..." {
			closeAt = i
			break
		}
		if m := tierLine.FindSubmatch(c); m != nil {
			if string(m[2]) == want {
				return data, false, nil
			}
			nl := lines[i][len(c):]
			var b bytes.Buffer
			b.Write(m[1])
			b.WriteString(want)
			if len(m[2]) == 0 && len(m[3]) > 0 && m[3][0] == '#' {
				b.WriteByte(' ')
			}
			b.Write(m[3])
			b.Write(nl)
			lines[i] = b.Bytes()
			return join(bom, lines), true, nil
		}
		if statusKey != "" && statusLine.Match(c) && statusAt < 0 {
			statusAt = i
		}
	}
	if closeAt < 0 {
		return nil, false, fmt.Errorf("the front matter is not closed")
	}
	at := closeAt // before the closing line when status: is not a one-line value
	if statusAt >= 0 {
		at = statusAt + 1
	}
	ins := append([]byte("tier: "+want), eol...)
	if at > 0 && !bytes.HasSuffix(lines[at-1], []byte("\n")) {
		lines[at-1] = append(append([]byte(nil), lines[at-1]...), eol...)
	}
	lines = append(lines[:at], append([][]byte{ins}, lines[at:]...)...)
	return join(bom, lines), true, nil
}

func join(bom []byte, lines [][]byte) []byte {
	out := append([]byte(nil), bom...)
	for _, l := range lines {
		out = append(out, l...)
	}
	return out
}

// WriteTiers sets tier: in every file whose declared tier differs from the
// ranking, verifying each result with the parser before writing it. The
// files are written all or none: nothing is written unless every file
// can be (a link or a non-regular file among them is refused). It
// returns the demands whose files it wrote.
func WriteTiers(src *registry.DirSource, s *registry.Snapshot, rk *Ranking) ([]*registry.Demand, error) {
	cfg := s.Config
	if !cfg.HasRole("tier") || cfg.Key("tier") == "" {
		return nil, fmt.Errorf("the registry has no tier field to write (roles in %s)", config.File)
	}
	var written []*registry.Demand
	var files []safefs.File
	for _, d := range s.Demands {
		r := rk.Get(d.ID)
		if r == nil || d.Tier == r.Tier {
			continue
		}
		data, err := src.ReadFile(d.Path)
		if err != nil {
			return nil, err
		}
		out, changed, err := SetTierAt(data, r.Tier, cfg.Key("tier"), statusKey(cfg))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.Path, err)
		}
		if !changed {
			continue
		}
		nd, fs := registry.ParseDemand(s.Config, d.Path, out)
		if nd == nil || nd.Tier != r.Tier || fs.HasErrors() {
			return nil, fmt.Errorf("%s: setting tier: would not give a valid file; edit it by hand", d.Path)
		}
		files = append(files, safefs.File{Path: d.Path, Data: out})
		written = append(written, d)
	}
	if err := src.WriteFiles(files, false); err != nil {
		return nil, err
	}
	return written, nil
}

// statusKey is the status role's key, or "" when the registry has none.
func statusKey(cfg *config.Config) string {
	if !cfg.HasRole("status") {
		return ""
	}
	return cfg.Key("status")
}
