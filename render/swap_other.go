//go:build !linux

package render

import (
	"errors"
	"os"
	"time"
)

var errNoExchange = errors.New("no atomic exchange")

// exchange is not available here: Commit falls back to two renames.
func exchange(a, b string) error { return errNoExchange }

func lockDir(dir string) (func(), error) { return func() {}, nil }

// tryLockDir has no lock to try: a folder untouched for an hour is taken
// for a killed build's.
func tryLockDir(dir string) (func(), error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if time.Since(st.ModTime()) < time.Hour {
		return nil, errors.New("maybe in use")
	}
	return func() {}, nil
}
