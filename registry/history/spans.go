package history

import "sync"

// spans hands out the indexes 0..n-1 to workers. Each worker walks one
// contiguous span in order; one whose span is done takes the later half of
// the largest span left, while it is worth a start of its own. A walk that
// starts anywhere but the first commit reads every file it first meets
// from the packs, the old version along with its delta chain; walking in
// few long spans keeps those starts to a few, and taking halves keeps
// every worker busy to the end, however the cost of commits varies.
type spans struct {
	mu  sync.Mutex
	s   []span // by worker
	min int    // the least span worth taking from another worker
}

type span struct{ next, end int }

func newSpans(n, workers, min int) *spans {
	s := &spans{s: make([]span, workers), min: max(1, min)}
	for k := range s.s {
		s.s[k] = span{k * n / workers, (k + 1) * n / workers}
	}
	return s
}

// take gives worker k its next index; fresh says it begins a span taken
// from another worker. ok is false when nothing is left to take.
func (s *spans) take(k int) (i int, fresh, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := &s.s[k]; w.next < w.end {
		w.next++
		return w.next - 1, false, true
	}
	victim, left := -1, 0
	for j, w := range s.s {
		if n := w.end - w.next; n > left {
			victim, left = j, n
		}
	}
	if victim < 0 || left < 2*s.min {
		return 0, false, false
	}
	v := &s.s[victim]
	mid := v.next + left/2
	s.s[k] = span{mid + 1, v.end}
	v.end = mid
	return mid, true, true
}
