package agent

import (
	"strings"
	"testing"
	"time"
)

func TestLoadPacingDefaults(t *testing.T) {
	cfg, err := Load(writeConfig(t, minimalConfig))
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Agent
	if a.Bandwidth.Limited() || a.Bandwidth.String() != "off" {
		t.Errorf("default bandwidth %q, want off", a.Bandwidth)
	}
	if a.MemoryWarnMB != 256 || a.MemoryLimitMB != 512 {
		t.Errorf("memory levels %d/%d MiB, want 256/512", a.MemoryWarnMB, a.MemoryLimitMB)
	}
	if cfg.Folders[0].Bandwidth.Limited() {
		t.Errorf("default folder bandwidth %q, want off", cfg.Folders[0].Bandwidth)
	}
}

func TestLoadBandwidth(t *testing.T) {
	text := "[agent]\nbandwidth = \"Mon-08:00,1M Fri-18:00,off\"\n" + strings.Replace(minimalConfig, "inbox = \"in\"", "inbox = \"in\"\nbandwidth = \"512k\"", 1)
	cfg, err := Load(writeConfig(t, text))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Agent.Bandwidth.Limited() || cfg.Agent.Bandwidth.String() != "Mon-08:00,1M Fri-18:00,off" {
		t.Errorf("agent bandwidth %q", cfg.Agent.Bandwidth)
	}
	if r, _ := cfg.Folders[0].Bandwidth.Schedule().At(time.Now()); r != 512<<10 {
		t.Errorf("folder bandwidth %s, want 512k", r)
	}
}

func TestLoadPacingErrors(t *testing.T) {
	checks := []struct {
		name, text string
		want       []string
	}{
		{"bad rate", "[agent]\nbandwidth = \"10Mbit\"\n" + minimalConfig,
			[]string{"agent.toml:2", "agent.bandwidth", `"10Mbit"`, "512k"}},
		{"bad timetable", "[agent]\nbandwidth = \"25:00,1M\"\n" + minimalConfig,
			[]string{"agent.bandwidth", `"25:00"`, "HH:MM"}},
		{"warn above limit", "[agent]\nmemory_warn_mb = 600\nmemory_limit_mb = 400\n" + minimalConfig,
			[]string{"agent.memory_warn_mb", "600", "memory_limit_mb (400)"}},
		{"tiny limit", "[agent]\nmemory_limit_mb = 8\n" + minimalConfig,
			[]string{"agent.memory_limit_mb", "invalid value 8", "32 or more"}},
	}
	for _, c := range checks {
		_, err := Load(writeConfig(t, c.text))
		if err == nil {
			t.Errorf("%s: config loaded", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
}

func TestLoadMemoryChecksOff(t *testing.T) {
	cfg, err := Load(writeConfig(t, "[agent]\nmemory_warn_mb = 0\nmemory_limit_mb = 0\n"+minimalConfig))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Agent.MemoryWarnMB != 0 || cfg.Agent.MemoryLimitMB != 0 {
		t.Errorf("explicit 0 replaced: %d/%d", cfg.Agent.MemoryWarnMB, cfg.Agent.MemoryLimitMB)
	}
}
