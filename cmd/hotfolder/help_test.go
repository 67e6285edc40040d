package main

import (
	"strings"
	"testing"
)

// Every command's --help starts with a usage line, then a paragraph that
// describes the command, before the flags.
func TestHelpDescribesEachCommand(t *testing.T) {
	commands := []string{"run", "validate", "status", "send", "receive", "demo",
		"install", "uninstall", "start", "stop", "restart"}
	for _, cmd := range commands {
		code, _, errOut := run(cmd, "--help")
		if code != exitOK {
			t.Errorf("%s --help: exit %d, want %d", cmd, code, exitOK)
		}
		if want := "Usage: hotfolder " + cmd; !strings.HasPrefix(errOut, want) {
			t.Errorf("%s --help does not start with %q:\n%s", cmd, want, errOut)
			continue
		}
		paragraphs := strings.SplitN(errOut, "\n\n", 3)
		if len(paragraphs) < 2 || strings.HasPrefix(strings.TrimSpace(paragraphs[1]), "-") {
			t.Errorf("%s --help has no description after the usage line:\n%s", cmd, errOut)
		}
	}
}
