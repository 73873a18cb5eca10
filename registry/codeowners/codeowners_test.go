package codeowners

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestReplace(t *testing.T) {
	block := begin + "\n/demands/D-0001.md @a\n" + end + "\n"
	assert.Equal(t, "/x @b\n"+block, Replace("/x @b", block), "appended, on a line of its own")
	old := "/x @b\n" + begin + "\n/demands/D-0009.md @a\n" + end + "\n/y @c\n"
	assert.Equal(t, "/x @b\n"+block+"/y @c\n", Replace(old, block), "replaced in place, other lines kept")
	assert.Equal(t, block, Replace("", block))
}
