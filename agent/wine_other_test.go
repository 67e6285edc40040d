//go:build !windows

package agent

import "testing"

// skipUnderWine does nothing outside Windows.
func skipUnderWine(*testing.T, string) {}
