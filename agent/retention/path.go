package retention

import (
	"path/filepath"
	"runtime"
	"strings"
)

// samePath compares cleaned paths, without regard to case on Windows and
// macOS, whose file systems ignore it by default.
func samePath(a, b string) bool {
	a, b = filepath.Clean(a), filepath.Clean(b)
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return strings.EqualFold(a, b)
	}
	return a == b
}
