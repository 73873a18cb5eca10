//go:build !unix

package safefs

// openNoFollow is 0 where there is no O_NOFOLLOW: the Lstat before each
// open and the fstat after it still refuse links and special files.
const openNoFollow = 0

func isLoop(err error) bool { return false }
