package agent

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestLoadOperatorKeys(t *testing.T) {
	cfg, err := Load(writeConfig(t, `
[agent]
status_listen = "127.0.0.1:7755"
[[folder]]
inbox = "in"
keep_done = "30d"
done_layout = "2006/01-02"
[folder.upload]
url = "http://127.0.0.1:9/upload"
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Folders[0].KeepDoneFor(); got != 30*24*time.Hour {
		t.Errorf("keep_done = %v, want 720h", got)
	}
	if cfg.Agent.StatusListen != "127.0.0.1:7755" {
		t.Errorf("status_listen = %q", cfg.Agent.StatusListen)
	}
	def, err := Load(writeConfig(t, minimalConfig))
	if err != nil {
		t.Fatal(err)
	}
	if def.Folders[0].KeepDoneFor() != 0 || def.Folders[0].DoneLayout != "" || def.Agent.StatusListen != "" {
		t.Errorf("defaults: keep %v, layout %q, listen %q", def.Folders[0].KeepDoneFor(), def.Folders[0].DoneLayout, def.Agent.StatusListen)
	}
}

func TestLoadRejectsBadOperatorKeys(t *testing.T) {
	cases := []struct {
		name, agent, folder, want string
	}{
		{"remote status", `status_listen = "0.0.0.0:7755"`, "", "agent.status_listen"},
		{"no port", `status_listen = "127.0.0.1"`, "", "agent.status_listen"},
		{"keep no unit", "", `keep_done = "30"`, "folder[0].keep_done"},
		{"keep too short", "", `keep_done = "30m"`, "folder[0].keep_done"},
		{"layout constant", "", `done_layout = "archive"`, "folder[0].done_layout"},
		{"layout colon", "", `done_layout = "2006-01-02 15:04"`, "folder[0].done_layout"},
		{"layout absolute", "", `done_layout = "/2006"`, "folder[0].done_layout"},
		{"layout backslash", "", `done_layout = '2006\01'`, "folder[0].done_layout"},
		{"layout parent", "", `done_layout = "../2006"`, "folder[0].done_layout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(writeConfig(t, "[agent]\n"+c.agent+`
[[folder]]
inbox = "in"
`+c.folder+`
[folder.upload]
url = "http://127.0.0.1:9/upload"
`))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v does not name %s", err, c.want)
			}
		})
	}
}

func TestLoadAllowsRemoteStatusWhenAsked(t *testing.T) {
	_, err := Load(writeConfig(t, `
[agent]
status_listen = "0.0.0.0:7755"
status_allow_remote = true
[[folder]]
inbox = "in"
[folder.upload]
url = "http://127.0.0.1:9/upload"
`))
	if err != nil {
		t.Errorf("status_allow_remote = true still rejects 0.0.0.0: %v", err)
	}
}

func TestDoneRel(t *testing.T) {
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.Local)
	f := &FolderConfig{DoneLayout: "2006-01-02"}
	if got := doneRel(f, "sub/scan.pdf", at); got != "2026-12-04/sub/scan.pdf" {
		t.Errorf("doneRel = %q", got)
	}
	if got := doneRel(&FolderConfig{}, "sub/scan.pdf", at); got != "sub/scan.pdf" {
		t.Errorf("doneRel without layout = %q", got)
	}
}

func TestExampleShowsOperatorDefaults(t *testing.T) {
	data, err := os.ReadFile("../agent.toml.example")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(writeConfig(t, string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Agent.StatusListen != "" || cfg.Agent.StatusAllowRemote {
		t.Errorf("example status keys %q, %v differ from the defaults", cfg.Agent.StatusListen, cfg.Agent.StatusAllowRemote)
	}
	if f := cfg.Folders[0]; f.KeepDone != "" || f.DoneLayout != "" {
		t.Errorf("example retention keys %q, %q differ from the defaults", f.KeepDone, f.DoneLayout)
	}
}
