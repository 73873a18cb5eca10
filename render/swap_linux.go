package render

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// errNoExchange says the file system cannot exchange two paths atomically.
var errNoExchange = errors.New("no atomic exchange")

// exchange swaps two folders atomically with renameat2(RENAME_EXCHANGE).
func exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) {
		return errNoExchange
	}
	if err != nil {
		return &os.LinkError{Op: "exchange", Old: a, New: b, Err: err}
	}
	return nil
}

// lockDir holds an exclusive flock on a folder until unlock is called or
// the process ends.
func lockDir(dir string) (unlock func(), err error) { return flockDir(dir, unix.LOCK_EX) }

// tryLockDir is lockDir, failing at once when another process holds it.
func tryLockDir(dir string) (unlock func(), err error) {
	return flockDir(dir, unix.LOCK_EX|unix.LOCK_NB)
}

func flockDir(dir string, how int) (func(), error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}
