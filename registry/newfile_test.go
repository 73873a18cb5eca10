package registry

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/demand-registry/demand/registry/config"
)

// TestNewFile: a new demand's file name follows the registry's own names
// when IDs come from them, and its number is as wide as theirs.
func TestNewFile(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		files   []string
		id      string
		name    string
	}{
		{`^erc-([0-9]+)\.md$`, []string{"erc-20.md", "erc-7579.md", "eip-1.md"}, "7580", "erc-7580.md"},
		{`^([0-9]{4})-.*\.md$`, []string{"0003-use-x.md", "0018-y.md", "index.md"}, "0019", "0019-dark-theme.md"},
		{`^([0-9]{4}-.+)\.md$`, []string{"0105-addons.md", "0105-lint.md"}, "0106-dark-theme", "0106-dark-theme.md"},
		{`^aip-0*([0-9]+)(?:-.*)?\.md$`, []string{"aip-61.md", "aip-147-x.md"}, "148", "aip-148-dark-theme.md"},
	} {
		cfg, fs := config.Parse("registry.yaml", []byte("roles:\n  id: {from: filename, pattern: '"+tc.pattern+"'}\n"))
		require.False(t, fs.HasErrors(), "%v", fs)
		var files []File
		for _, f := range tc.files {
			files = append(files, File{Path: f})
		}
		id, name, err := NewFile(cfg, nil, files, "Dark theme")
		require.NoError(t, err, tc.pattern)
		assert.Equal(t, tc.id, id, tc.pattern)
		assert.Equal(t, tc.name, name, tc.pattern)
	}
	cfg, _ := config.Parse("registry.yaml", []byte("roles:\n  id: {from: filename, pattern: '^erc-([0-9]+)\\.md$'}\n"))
	_, _, err := NewFile(cfg, nil, nil, "x")
	assert.ErrorContains(t, err, "no file name matches roles.id.pattern")
}

func TestCompareIDs(t *testing.T) {
	ids := []string{"100", "11", "1", "erc-165", "erc-20", "D-0010", "D-0002", "0105-b", "0105-a", "0007", "7"}
	slices.SortFunc(ids, CompareIDs)
	assert.Equal(t, []string{"1", "0007", "7", "11", "100", "0105-a", "0105-b", "D-0002", "D-0010", "erc-20", "erc-165"}, ids)
}
