package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDateOf(t *testing.T) {
	for s, want := range map[string]Date{
		"2026-03-15":                "2026-03-15",
		"2014-08-14T00:00:00.000Z":  "2014-08-14",
		"2014-08-14t23:59:59+08:00": "2014-08-14",
		"2001-12-14 21:59:43.10 -5": "2001-12-14",
		"2001-12-14 21:59:43.10":    "2001-12-14",
		"2001-12-15 2:59:43.10":     "2001-12-15", // YAML allows a one-digit hour
		"2026-02-30T00:00:00Z":      "",
		"2026-03-15T25:00:00Z":      "",
		"2026-03-15 garbage here":   "",
		"15.03.2026":                "",
	} {
		got, ok := DateOf(s)
		assert.Equal(t, want, got, s)
		assert.Equal(t, want != "", ok, s)
	}
}
