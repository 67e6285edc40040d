package main

import (
	"os"
	"testing"
)

// TestMain lets tests start the real program as a child process: the test
// binary runs main's code when HOTFOLDER_TEST_MAIN is set, so a test can
// kill a real agent process without a separate build step.
func TestMain(m *testing.M) {
	if os.Getenv("HOTFOLDER_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// selfArgs returns the test binary's path; with HOTFOLDER_TEST_MAIN=1 in
// its environment it runs as hotfolder.
func selfArgs(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}
