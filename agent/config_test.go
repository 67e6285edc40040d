package agent

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeConfig writes text as agent.toml in a new folder and returns its
// path.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(tempDir(t), "agent.toml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const minimalConfig = `
[[folder]]
inbox = "in"
[folder.upload]
url = "http://127.0.0.1:9/upload"
`

func TestLoadExample(t *testing.T) {
	data, err := os.ReadFile("../agent.toml.example")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(writeConfig(t, string(data)))
	if err != nil {
		t.Fatalf("agent.toml.example does not load: %v", err)
	}
	def, err := Load(writeConfig(t, minimalConfig))
	if err != nil {
		t.Fatal(err)
	}
	// The example documents the defaults, so both must agree.
	if cfg.Agent.LogMaxSizeMB != def.Agent.LogMaxSizeMB || cfg.Agent.MaxUploads != def.Agent.MaxUploads ||
		cfg.Agent.ShutdownGrace != def.Agent.ShutdownGrace || cfg.Agent.LogCompress != def.Agent.LogCompress ||
		cfg.Agent.LogMaxAgeDays != def.Agent.LogMaxAgeDays || cfg.Agent.LogMaxBackups != def.Agent.LogMaxBackups ||
		cfg.Agent.MemoryWarnMB != def.Agent.MemoryWarnMB || cfg.Agent.MemoryLimitMB != def.Agent.MemoryLimitMB ||
		cfg.Agent.Bandwidth.String() != def.Agent.Bandwidth.String() {
		t.Errorf("example [agent] %+v differs from defaults %+v", cfg.Agent, def.Agent)
	}
	ef, df := cfg.Folders[0], def.Folders[0]
	if ef.Settle != df.Settle || ef.Rescan != df.Rescan || ef.Watch != df.Watch ||
		ef.Upload.StallTimeout != df.Upload.StallTimeout || ef.Upload.RetryMin != df.Upload.RetryMin ||
		ef.Upload.RetryMax != df.Upload.RetryMax || ef.Upload.RetryFor != df.Upload.RetryFor ||
		ef.Upload.Method != df.Upload.Method || ef.Upload.Mode != df.Upload.Mode || ef.Upload.Field != df.Upload.Field ||
		ef.Bandwidth.String() != df.Bandwidth.String() {
		t.Errorf("example folder %+v differs from defaults %+v", ef, df)
	}
}

func TestLoadDefaults(t *testing.T) {
	p := writeConfig(t, minimalConfig)
	cfg, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(p)
	f := cfg.Folders[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"inbox", f.Inbox, filepath.Join(dir, "in")},
		{"done", f.Done, filepath.Join(dir, "in", "done")},
		{"failed", f.Failed, filepath.Join(dir, "in", "failed")},
		{"name", f.Name, "in"},
		{"settle", f.Settle.D(), 2 * time.Second},
		{"rescan", f.Rescan.D(), time.Minute},
		{"method", f.Upload.Method, "POST"},
		{"mode", f.Upload.Mode, "multipart"},
		{"field", f.Upload.Field, "file"},
		{"stall", f.Upload.StallTimeout.D(), time.Minute},
		{"log file", cfg.Agent.LogFile, filepath.Join(dir, "logs", "hotfolder.log")},
		{"state dir", cfg.Agent.StateDir, filepath.Join(dir, "state")},
		{"max uploads", cfg.Agent.MaxUploads, 4},
		{"compress", cfg.Agent.LogCompress, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestLoadRelativeToConfigNotWorkingDir(t *testing.T) {
	p := writeConfig(t, minimalConfig)
	t.Chdir(tempDir(t))
	cfg, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(filepath.Dir(p), "in"); cfg.Folders[0].Inbox != want {
		t.Errorf("inbox %s, want %s", cfg.Folders[0].Inbox, want)
	}
}

func TestLoadExplicitZeroKept(t *testing.T) {
	cfg, err := Load(writeConfig(t, "[agent]\nlog_compress = false\nlog_max_backups = 0\n"+minimalConfig))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Agent.LogCompress || cfg.Agent.LogMaxBackups != 0 {
		t.Errorf("explicit false/0 replaced by defaults: %+v", cfg.Agent)
	}
}

func TestLoadErrorsNameLineKeyValue(t *testing.T) {
	cases := []struct {
		name, text string
		want       []string
	}{
		{"unknown key", "[agent]\nmax_upload = 3\n" + minimalConfig, []string{":2:", "agent.max_upload", "unknown key"}},
		{"unknown folder key", minimalConfig + "\n[[folder]]\ninbox = \"b\"\nsettel = \"1s\"\n[folder.upload]\nurl = \"http://x/\"\n",
			[]string{":9:", "folder[1].settel", "unknown key"}},
		{"bad duration", "[[folder]]\ninbox = \"in\"\nsettle = \"2 seconds\"\n[folder.upload]\nurl = \"http://h/\"\n",
			[]string{":3:", "folder[0].settle", `"2 seconds"`, `"2s"`}},
		{"bad duration in second folder", minimalConfig + "[[folder]]\ninbox = \"b\"\nsettle = \"2 seconds\"\n[folder.upload]\nurl = \"http://h/\"\n",
			[]string{":8:", "folder[1].settle", `"2 seconds"`}},
		{"wrong type in a list", strings.Replace(minimalConfig, "inbox = \"in\"", "inbox = \"in\"\ninclude = \"*.pdf\"", 1),
			[]string{":4:", "folder[0].include", `the string "*.pdf"`, "list of strings"}},
		{"wrong type of a field", minimalConfig + "[folder.upload.fields]\ncount = 3\n", []string{":7:", "folder[0].upload.fields.count", "quoted string"}},
		{"wrong type", "[agent]\nmax_uploads = \"four\"\n" + minimalConfig, []string{":2:", "agent.max_uploads", `the string "four"`, "whole number"}},
		{"bad method", strings.Replace(minimalConfig, "url =", "method = \"GET\"\nurl =", 1),
			[]string{":5:", "folder[0].upload.method", `"GET"`, "POST, PUT"}},
		{"bad mode", strings.Replace(minimalConfig, "url =", "mode = \"form\"\nurl =", 1), []string{"folder[0].upload.mode", `"form"`}},
		{"bad url", strings.Replace(minimalConfig, "http://127.0.0.1:9/upload", "ftp://host/x", 1), []string{":5:", "folder[0].upload.url", "ftp://host/x"}},
		{"missing url", "[[folder]]\ninbox = \"in\"\n", []string{"folder[0].upload.url", "missing"}},
		{"missing inbox", "[[folder]]\n[folder.upload]\nurl = \"http://h/\"\n", []string{"folder[0].inbox", "missing"}},
		{"no folder", "[agent]\n", []string{"[[folder]]"}},
		{"bad level", "[agent]\nlog_level = \"loud\"\n" + minimalConfig, []string{":2:", "agent.log_level", `"loud"`, "debug"}},
		{"max uploads", "[agent]\nmax_uploads = 0\n" + minimalConfig, []string{"agent.max_uploads", "1 to 256"}},
		{"done is inbox", strings.Replace(minimalConfig, "inbox = \"in\"", "inbox = \"in\"\ndone = \"in\"", 1), []string{"inside the done folder"}},
		{"inbox inside failed", strings.Replace(minimalConfig, "inbox = \"in\"", "inbox = \"out/in\"\nfailed = \"out\"", 1), []string{"inside the failed folder"}},
		{"authorization header", minimalConfig + "[folder.upload.headers]\nAuthorization = \"Bearer x\"\n", []string{"token_env"}},
		{"empty token env", strings.Replace(minimalConfig, "url =", "token_env = \"HOTFOLDER_TEST_UNSET_TOKEN\"\nurl =", 1), []string{"HOTFOLDER_TEST_UNSET_TOKEN", "empty or not set"}},
		{"url with {name} in multipart", strings.Replace(minimalConfig, "/upload", "/{name}", 1), []string{"mode = \\\"raw\\\""}},
		{"bad glob", strings.Replace(minimalConfig, "inbox = \"in\"", "inbox = \"in\"\ninclude = [\"[a\"]", 1), []string{`"[a"`}},
		{"bad marker", strings.Replace(minimalConfig, "inbox = \"in\"", "inbox = \"in\"\nready_marker = \"ready\"", 1), []string{"ready_marker", "dot"}},
		{"syntax", "[agent\n", []string{":2:", "table name"}},
		{"tab in a path", strings.Replace(minimalConfig, "inbox = \"in\"", "inbox = \"C:\\temp\"", 1), []string{":3:", "folder[0].inbox", `C:\temp`, "single quotes"}},
		{"inbox in a recursive inbox", strings.Replace(minimalConfig, "inbox = \"in\"", "inbox = \"in\"\nrecursive = true", 1) +
			"[[folder]]\ninbox = \"in/sub\"\ndone = \"out/done\"\nfailed = \"out/failed\"\n[folder.upload]\nurl = \"http://h/\"\n",
			[]string{"folder[0].inbox", "recursive", "folder[1]", "twice"}},
		{"misspelled table", strings.ReplaceAll(minimalConfig, "folder", "folders"), []string{":2:", "folders", `did you mean "folder"`}},
		{"misspelled key", strings.Replace(minimalConfig, "url =", "retry_mn = \"1s\"\nurl =", 1), []string{":5:", "folder[0].upload.retry_mn", `did you mean "retry_min"`}},
		{"zero settle", strings.Replace(minimalConfig, "inbox = \"in\"", "inbox = \"in\"\nsettle = \"0s\"", 1), []string{"folder[0].settle", `"0s"`, `"100ms"`}},
		{"log file is a folder", "[agent]\nlog_file = \".\"\n" + minimalConfig, []string{":2:", "agent.log_file", "is a folder", "hotfolder.log"}},
		{"log file in inbox", "[agent]\nlog_file = \"in/agent.log\"\n" + minimalConfig, []string{"agent.log_file", "inside the inbox folder"}},
		{"log file in done", "[agent]\nlog_file = \"out/agent.log\"\n" + strings.Replace(minimalConfig, "inbox = \"in\"", "inbox = \"in\"\ndone = \"out\"", 1), []string{"agent.log_file", "inside the done folder"}},
		{"state in inbox", "[agent]\nstate_dir = \"in/state\"\n" + minimalConfig, []string{"agent.state_dir", "overlaps the inbox folder"}},
		{"state is failed", "[agent]\nstate_dir = \"in/failed\"\n" + minimalConfig, []string{"agent.state_dir", "overlaps the failed folder"}},
		{"bad header name", minimalConfig + "[folder.upload.headers]\n\"X Source\" = \"scanner\"\n", []string{"folder[0].upload.headers", `"X Source"`}},
		{"header value with newline", minimalConfig + "[folder.upload.headers]\nX-Source = \"a\\nb\"\n", []string{"folder[0].upload.headers", "line break"}},
		{"url port out of range", strings.Replace(minimalConfig, "127.0.0.1:9/", "127.0.0.1:99999/", 1),
			[]string{":5:", "folder[0].upload.url", "port 99999", "1 to 65535"}},
		{"unknown placeholder in raw mode", strings.Replace(minimalConfig, "url = \"http://127.0.0.1:9/upload\"", "mode = \"raw\"\nurl = \"http://127.0.0.1:9/files/{nam}\"", 1),
			[]string{":6:", "folder[0].upload.url", "unknown placeholder {nam}", "{name}"}},
		{"log file ends with separator", "[agent]\nlog_file = \"logs/\"\n" + minimalConfig,
			[]string{":2:", "agent.log_file", `"logs/"`, "path separator", "logs/hotfolder.log"}},
		{"backslash in double quotes", strings.Replace(minimalConfig, `inbox = "in"`, `inbox = "C:\Scans"`, 1),
			[]string{":3:", "inbox", `invalid escape in string '\S'`, `single quotes ('C:\Scans')`, `double each backslash ("C:\\Scans")`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeConfig(t, c.text)
			_, err := Load(p)
			if err == nil {
				t.Fatal("config loaded; want an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, p) {
				t.Errorf("error does not name the file: %s", msg)
			}
			for _, w := range c.want {
				w = strings.ReplaceAll(w, `\"`, `"`)
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestLoadTokenFromFileAndEnv(t *testing.T) {
	dir := tempDir(t)
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("file-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "agent.toml")
	os.WriteFile(p, []byte(strings.Replace(minimalConfig, "url =", "token_file = \"token\"\nurl =", 1)), 0o644)
	cfg, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Folders[0].Upload.Token(); got != "file-secret" {
		t.Errorf("token from file %q", got)
	}
	t.Setenv("HOTFOLDER_TEST_TOKEN", "env-secret")
	cfg, err = Load(writeConfig(t, strings.Replace(minimalConfig, "url =", "token_env = \"HOTFOLDER_TEST_TOKEN\"\nurl =", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Folders[0].Upload.Token(); got != "env-secret" {
		t.Errorf("token from env %q", got)
	}
}

func TestLoadCollectsAllErrors(t *testing.T) {
	_, err := Load(writeConfig(t, "[agent]\nlog_level = \"x\"\nlog_format = \"y\"\n"+minimalConfig))
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("want FieldError, got %v", err)
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 2 {
		t.Errorf("want 2 problems reported, got %d: %v", n, err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(tempDir(t), "nope.toml"))
	if err == nil || !strings.Contains(err.Error(), "--config") {
		t.Fatalf("want a hint to pass --config, got %v", err)
	}
}

// Each problem is reported once, without follow-on errors that restate
// it through keys derived from the same value.
func TestLoadReportsEachProblemOnce(t *testing.T) {
	twoFolders := minimalConfig + minimalConfig
	cases := []struct {
		name, text string
		file       string // made as a regular file beside the config
		dir        string // made as a folder beside the config
		want       []string
	}{
		{"inbox is a file", minimalConfig, "in", "", []string{":3:", "folder[0].inbox", "in is a file: name a folder"}},
		{"done below a file", strings.Replace(minimalConfig, "inbox = \"in\"", "inbox = \"in\"\ndone = \"out/done\"", 1), "out", "",
			[]string{":4:", "folder[0].done", "cannot be created", "out is a file"}},
		{"same inbox twice", twoFolders, "", "", []string{":8:", "folder[1].inbox", "is also the inbox of folder[0]"}},
		{"log file folder with separator", "[agent]\nlog_file = \"logs/\"\n" + minimalConfig, "", "logs",
			[]string{":2:", "agent.log_file", "path separator"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeConfig(t, c.text)
			if c.file != "" {
				if err := os.WriteFile(filepath.Join(filepath.Dir(p), c.file), []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if c.dir != "" {
				if err := os.Mkdir(filepath.Join(filepath.Dir(p), c.dir), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Load(p)
			if err == nil {
				t.Fatal("config loaded; want an error")
			}
			msg := err.Error()
			if n := strings.Count(msg, "\n") + 1; n != 1 {
				t.Errorf("want 1 problem reported, got %d:\n%s", n, msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}
