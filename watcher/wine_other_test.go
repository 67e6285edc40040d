//go:build !windows

package watcher

import "testing"

// skipUnderWine does nothing outside Windows.
func skipUnderWine(*testing.T, string) {}
