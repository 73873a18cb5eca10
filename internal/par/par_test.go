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

// Each goroutine has a state of its own: one never seen by two at once.
func TestForWith(t *testing.T) {
	type state struct{ busy atomic.Bool }
	var made atomic.Int64
	var sum atomic.Int64
	assert.NoError(t, ForWith(500, 3, func() *state { made.Add(1); return &state{} }, func(s *state, i int) error {
		if !s.busy.CompareAndSwap(false, true) {
			return errors.New("a state used by two goroutines at once")
		}
		sum.Add(int64(i))
		s.busy.Store(false)
		return nil
	}))
	assert.LessOrEqual(t, made.Load(), int64(3))
	assert.Equal(t, int64(499*500/2), sum.Load())
}
