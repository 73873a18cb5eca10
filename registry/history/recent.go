package history

import "container/list"

// recent keeps what a walk used lately, in two generations of at most size
// units each (an entry weighs one unit, or what weigh says): when the newer
// is full it becomes the older, and the older is dropped; an entry found in
// the older moves to the newer. A walk needs a blob's parse again soon (the
// next commit that changes the same file) or hardly ever, and a registry's
// history holds hundreds of thousands of versions: keeping them all made
// every garbage collection of the walk scan them.
type recent[K comparable, V any] struct {
	size, n  int
	weigh    func(V) int
	cur, old map[K]V
}

func newRecent[K comparable, V any](size int) *recent[K, V] {
	return newRecentWeighed[K, V](size, nil)
}

func newRecentWeighed[K comparable, V any](size int, weigh func(V) int) *recent[K, V] {
	return &recent[K, V]{size: size, weigh: weigh, cur: make(map[K]V)}
}

func (r *recent[K, V]) get(k K) (V, bool) {
	if v, ok := r.cur[k]; ok {
		return v, true
	}
	v, ok := r.old[k]
	if ok {
		r.put(k, v)
	}
	return v, ok
}

func (r *recent[K, V]) put(k K, v V) {
	w := 1
	if r.weigh != nil {
		w = r.weigh(v)
	}
	if r.n+w > r.size && len(r.cur) > 0 {
		r.old, r.cur, r.n = r.cur, make(map[K]V, len(r.cur)), 0
	}
	r.cur[k] = v
	r.n += w
}

// lru keeps the most recently used entries that fit in size units (each
// weighs what weigh says), and tells dropped of each entry it drops. It
// drops one entry at a time, where recent drops a generation at once: the
// pack's large trees are dropped as steadily as they are made, so that
// their buffers can be reused at the same pace.
type lru[K comparable, V any] struct {
	size, n int
	weigh   func(V) int
	dropped func(V)
	m       map[K]*list.Element
	order   list.List // most recent first; values are lruEntry
}

type lruEntry[K comparable, V any] struct {
	k K
	v V
}

func newLRU[K comparable, V any](size int, weigh func(V) int) *lru[K, V] {
	return &lru[K, V]{size: size, weigh: weigh, m: map[K]*list.Element{}}
}

func (c *lru[K, V]) get(k K) (V, bool) {
	e, ok := c.m[k]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(lruEntry[K, V]).v, true
}

// put adds an entry that is not there yet; the least recently used give
// way, the newest never.
func (c *lru[K, V]) put(k K, v V) {
	c.m[k] = c.order.PushFront(lruEntry[K, V]{k, v})
	c.n += c.weigh(v)
	for c.n > c.size && c.order.Len() > 1 {
		old := c.order.Remove(c.order.Back()).(lruEntry[K, V])
		delete(c.m, old.k)
		c.n -= c.weigh(old.v)
		if c.dropped != nil {
			c.dropped(old.v)
		}
	}
}
