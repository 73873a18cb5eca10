package pipeline_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/pipeline"
	"github.com/demand-registry/demand/registry/finding"
)

// demand validate warns of a body link that climbs out of the repository
// (link-outside), at the link, judged from the registry folder's place in
// the repository: ../x.md from a registry in reg/ stays inside it.
func TestCheckLinksOutside(t *testing.T) {
	repo := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(repo, ".git"), 0o755))
	dir := filepath.Join(repo, "reg")
	require.NoError(t, os.Mkdir(dir, 0o755))
	body := "---\nid: D-0001\ntitle: X\nstatus: new\nreceived: 2026-01-05\n---\n\nSee [the guide](../guide.md),\n[the host](../../etc/passwd) and ![a chart](../../chart.png).\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "D-0001-x.md"), []byte(body), 0o644))
	r, err := pipeline.Open(dir, pipeline.OpenOptions{})
	require.NoError(t, err)
	defer r.Close()
	assert.Equal(t, "reg", r.Dir)
	var got []finding.Finding
	for _, f := range pipeline.Check(r, nil) {
		if f.Rule == "link-outside" {
			got = append(got, f)
		}
	}
	require.Len(t, got, 2, "%v", got)
	for i, col := range []int{12, 45} {
		assert.Equal(t, finding.Warning, got[i].Severity)
		assert.Equal(t, "D-0001-x.md", got[i].Path)
		assert.Equal(t, 9, got[i].Line)
		assert.Equal(t, col, got[i].Col)
		assert.NotEmpty(t, got[i].Hint)
	}
}
