package history

// recent keeps what a walk used lately, in two generations of at most size
// entries each: when the newer is full it becomes the older, and the older
// is dropped; an entry found in the older moves to the newer. A walk needs
// a blob's parse again soon (the next commit that changes the same file)
// or hardly ever, and a registry's history holds hundreds of thousands of
// versions: keeping them all made every garbage collection of the walk
// scan them.
type recent[K comparable, V any] struct {
	size     int
	cur, old map[K]V
}

func newRecent[K comparable, V any](size int) *recent[K, V] {
	return &recent[K, V]{size: size, cur: make(map[K]V)}
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
	if len(r.cur) >= r.size {
		r.old, r.cur = r.cur, make(map[K]V, r.size)
	}
	r.cur[k] = v
}
