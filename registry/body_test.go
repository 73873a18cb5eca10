package registry

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFirstHeading(t *testing.T) {
	for _, tc := range []struct {
		body, want string
		line       int
	}{
		{"# Use Markdown ADRs\n\n## Context\n", "Use Markdown ADRs", 1},
		{"\n\n#   Spaced title ##  \ntext\n", "Spaced title", 3},
		{"```\n# not a heading\n```\n# Real\n", "Real", 4},
		{"~~~~md\n# no\n~~~\n# still code\n~~~~\n# Yes\n", "Yes", 6},
		{"Setext title\n===\n", "Setext title", 1},
		{"## Only a second level\n", "", 0},
		{"#hashtag is not a heading\n", "", 0},
		{"    # indented code\n", "", 0},
		{"# C# and F#\n", "C# and F#", 1},
		{"#\n# After an empty one\n", "After an empty one", 2},
		{"", "", 0},
	} {
		got, line := FirstHeading(tc.body)
		assert.Equal(t, tc.want, got, "%q", tc.body)
		assert.Equal(t, tc.line, line, "%q", tc.body)
	}
}
