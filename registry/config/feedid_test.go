package config

import (
	"fmt"
	"testing"

	"github.com/demand-registry/demand/registry/finding"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFeedID(t *testing.T) {
	for _, tc := range []struct{ yaml, want, err string }{
		{"title: x\n", "", ""},
		{"repository: {url: 'https://github.com/acme/demands/'}\n", "https://github.com/acme/demands#demand-feed", ""},
		{"repository: {url: 'https://github.com/acme/demands.git'}\n", "https://github.com/acme/demands#demand-feed", ""},
		{"repository: {url: 'https://github.com/acme/demands'}\nfeed: {id: 'urn:uuid:8c1e0f2a-3b4c-4d5e-8f60-718293a4b5c6'}\n", "urn:uuid:8c1e0f2a-3b4c-4d5e-8f60-718293a4b5c6", ""},
		{"feed:\n  id: 'Sample demands'\n", "", "2:7: feed.id"},
	} {
		cfg, fs := Parse("registry.yaml", []byte(tc.yaml))
		if tc.err != "" {
			require.Len(t, fs, 1, tc.yaml)
			assert.Contains(t, fmtPos(fs[0])+fs[0].Message, tc.err)
			continue
		}
		require.Empty(t, fs, tc.yaml)
		assert.Equal(t, tc.want, cfg.FeedID(), tc.yaml)
	}
}

func fmtPos(f finding.Finding) string { return fmt.Sprintf("%d:%d: ", f.Line, f.Col) }
