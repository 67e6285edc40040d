package agent

import (
	"syscall"
	"testing"
)

// skipUnderWine skips a test of Windows behaviour that Wine does not
// reproduce. Wine's ntdll exports wine_get_version; Windows' does not.
func skipUnderWine(t *testing.T, why string) {
	t.Helper()
	if syscall.NewLazyDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil {
		t.Skip("Wine: " + why)
	}
}
