package main

import (
	"strings"
	"testing"
)

// The service's token often comes from its own environment, which an
// admin's shell lacks; status needs only the config's paths and address.
func TestStatusWithoutServiceToken(t *testing.T) {
	config := writeConfigFile(t, tempDir(t), "", "http://127.0.0.1:9/upload", `token_env = "HOTFOLDER_TEST_UNSET_TOKEN"`)
	_, out, _ := run("status", "--config", config)
	if strings.Contains(out, "cannot be loaded") || !strings.Contains(out, "status page is off") {
		t.Errorf("status with the token's variable unset printed:\n%s", out)
	}
	if code, _, _ := run("validate", "--config", config); code != exitUsage {
		t.Errorf("validate with the token's variable unset: exit %d, want %d", code, exitUsage)
	}
}
