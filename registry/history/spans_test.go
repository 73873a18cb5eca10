package history

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every index is handed out exactly once, each span in order, whatever
// the workers' pace; a worker that runs out takes over from another.
func TestSpansHandOutEveryIndexOnce(t *testing.T) {
	for _, tc := range []struct{ n, workers, min int }{
		{0, 1, 1}, {1, 1, 1}, {1, 2, 1}, {5, 8, 1}, {100, 2, 1}, {1000, 2, 100}, {997, 3, 7}, {20000, 8, 100},
	} {
		s := newSpans(tc.n, tc.workers, tc.min)
		got := make([][]int, tc.workers)
		fresh := make([]int, tc.workers)
		var wg sync.WaitGroup
		for k := range tc.workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i, f, ok := s.take(k)
					if !ok {
						return
					}
					if f {
						fresh[k]++
					} else if len(got[k]) > 0 {
						assert.Equal(t, got[k][len(got[k])-1]+1, i, "a span is walked in order")
					}
					got[k] = append(got[k], i)
					if k == 0 {
						time.Sleep(time.Microsecond) // worker 0 is slow: the others take from it
					}
				}
			}()
		}
		wg.Wait()
		seen := make([]int, tc.n)
		for _, is := range got {
			for _, i := range is {
				require.True(t, i >= 0 && i < tc.n, "index %d out of range", i)
				seen[i]++
			}
		}
		for i, c := range seen {
			assert.Equal(t, 1, c, "n=%d workers=%d: index %d handed out %d times", tc.n, tc.workers, i, c)
		}
		if tc.n >= 1000 {
			// worker 0 sleeps after every index: the others run out first
			steals := 0
			for _, f := range fresh {
				steals += f
			}
			assert.Positive(t, steals, "n=%d workers=%d: no span was taken over", tc.n, tc.workers)
		}
	}
}

// A worker that is done takes the later half of the largest span left,
// and nothing smaller than twice the minimum.
func TestSpansStealHalfOfLargest(t *testing.T) {
	s := newSpans(100, 2, 10)
	for range 50 {
		_, _, ok := s.take(0)
		require.True(t, ok)
	}
	i, fresh, ok := s.take(0) // worker 1 has not begun: 50..99 left
	require.True(t, ok)
	assert.True(t, fresh)
	assert.Equal(t, 75, i)
	assert.Equal(t, span{50, 75}, s.s[1])
	for range 24 {
		s.take(0)
	}
	// worker 1 has 50..74 left, 25 ≥ 2×10: worker 0 takes 62..74
	i, fresh, ok = s.take(0)
	require.True(t, ok)
	assert.True(t, fresh)
	assert.Equal(t, 62, i)
	for range 12 {
		s.take(0)
	}
	// worker 1 keeps 50..61: 12 left, fewer than 20
	_, _, ok = s.take(0)
	assert.False(t, ok)
	i, _, ok = s.take(1)
	require.True(t, ok)
	assert.Equal(t, 50, i)
}
