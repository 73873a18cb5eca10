//go:build unix

package safefs

import (
	"errors"
	"syscall"
)

// openNoFollow opens without following a final link and without blocking
// on a FIFO.
const openNoFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

func isLoop(err error) bool { return errors.Is(err, syscall.ELOOP) }
