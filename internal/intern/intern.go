// Package intern hands out one copy of slices that are equal, for values
// held by the hundred thousand: a demand's field positions, a ranking's
// factor results.
package intern

import "slices"

// Slices keeps the slices handed out lately, by key: two generations of
// at most size each (when the newer is full it becomes the older and the
// older is dropped; one found in the older moves to the newer). What it
// hands out is shared and must not be modified. Not safe for concurrent
// use.
type Slices[T any] struct {
	size     int
	cur, old map[string][]T
}

// New makes an empty Slices.
func New[T any](size int) *Slices[T] {
	return &Slices[T]{size: max(1, size), cur: map[string][]T{}}
}

// Shared returns the slice handed out before under key, or a copy of s,
// which the caller may then reuse. key must say everything s holds.
func (c *Slices[T]) Shared(key []byte, s []T) []T {
	if x, ok := c.cur[string(key)]; ok {
		return x
	}
	x, ok := c.old[string(key)]
	if !ok {
		x = slices.Clone(s)
	}
	if len(c.cur) >= c.size {
		c.old, c.cur = c.cur, make(map[string][]T, c.size)
	}
	c.cur[string(key)] = x
	return x
}
