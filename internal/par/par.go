// Package par runs the iterations of a loop on several goroutines.
package par

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls f(i) for every i in [0, n) on up to workers goroutines
// (GOMAXPROCS when workers <= 0), each taking the next index as it
// finishes one. It returns every error f returned, joined in index order.
func For(n, workers int, f func(i int) error) error {
	return ForWith(n, workers, func() struct{} { return struct{}{} }, func(_ struct{}, i int) error { return f(i) })
}

// ForWith is For with a state of each goroutine's own, made by state
// when the goroutine starts: a cache that needs no lock.
func ForWith[S any](n, workers int, state func() S, f func(s S, i int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := state()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				errs[i] = f(s, i)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
