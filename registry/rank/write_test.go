package rank

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSetTier(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"replace keeps comment", "---\nid: D-0001\ntier: 3   # set by CI\nstatus: new\n---\nbody\n",
			"---\nid: D-0001\ntier: 1   # set by CI\nstatus: new\n---\nbody\n"},
		{"insert after status", "---\nid: D-0001\nstatus: new # why\nowner: x\n---\n",
			"---\nid: D-0001\nstatus: new # why\ntier: 1\nowner: x\n---\n"},
		{"crlf and bom kept", "\ufeff---\r\nid: D-0001\r\nstatus: new\r\n---\r\n",
			"\ufeff---\r\nid: D-0001\r\nstatus: new\r\ntier: 1\r\n---\r\n"},
		{"nested tier untouched", "---\nid: D-0001\nstatus: new\ntier_override:\n  tier: 2\n  reason: r\n---\n",
			"---\nid: D-0001\nstatus: new\ntier: 1\ntier_override:\n  tier: 2\n  reason: r\n---\n"},
		{"no status line: before closing", "---\nid: D-0001\n---\n", "---\nid: D-0001\ntier: 1\n---\n"},
		{"tier in body untouched", "---\nstatus: new\n---\ntier: 9\n", "---\nstatus: new\ntier: 1\n---\ntier: 9\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, changed, err := SetTier([]byte(tc.in), 1)
			require.NoError(t, err)
			assert.True(t, changed)
			assert.Equal(t, tc.want, string(out))
			again, changed, err := SetTier(out, 1)
			require.NoError(t, err)
			assert.False(t, changed, "idempotent")
			assert.Equal(t, tc.want, string(again))
		})
	}
	_, _, err := SetTier([]byte("no front matter"), 1)
	assert.Error(t, err)
	_, _, err = SetTier([]byte("---\nid: x\n"), 1)
	assert.Error(t, err)
}
