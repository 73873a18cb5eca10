package intern

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestShared(t *testing.T) {
	c := New[int](2)
	buf := []int{1, 2}
	a := c.Shared([]byte("a"), buf)
	buf[0] = 9 // the caller's buffer is its own again
	assert.Equal(t, []int{1, 2}, a)
	assert.Same(t, &a[0], &c.Shared([]byte("a"), []int{1, 2})[0])
	b := c.Shared([]byte("b"), []int{3})
	c.Shared([]byte("c"), []int{4}) // a and b are the older generation now
	assert.Same(t, &a[0], &c.Shared([]byte("a"), []int{1, 2})[0], "found in the older, moved to the newer")
	c.Shared([]byte("d"), []int{5}) // b and c dropped
	assert.NotSame(t, &b[0], &c.Shared([]byte("b"), []int{3})[0])
	assert.Equal(t, []int{3}, c.Shared([]byte("b"), nil))
}
