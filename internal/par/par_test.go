package par

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFor(t *testing.T) {
	var sum atomic.Int64
	seen := make([]int32, 1000)
	assert.NoError(t, For(1000, 4, func(i int) error {
		atomic.AddInt32(&seen[i], 1)
		sum.Add(int64(i))
		return nil
	}))
	assert.Equal(t, int64(999*1000/2), sum.Load())
	for i, c := range seen {
		assert.Equal(t, int32(1), c, "index %d ran once", i)
	}
	err := For(10, 0, func(i int) error {
		if i == 3 || i == 7 {
			return errors.New("bad")
		}
		return nil
	})
	assert.EqualError(t, err, "bad\nbad")
	assert.NoError(t, For(0, 0, func(int) error { panic("not called") }))
}
