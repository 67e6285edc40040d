package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotfolder/hotfolder/agent"
)

func TestDefaultConfigFile(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	cases := []struct {
		goos string
		vars map[string]string
		want string
	}{
		{"linux", nil, "/etc/hotfolder/agent.toml"},
		{"darwin", nil, "/etc/hotfolder/agent.toml"},
		{"linux", map[string]string{"ProgramData": `D:\Data`}, "/etc/hotfolder/agent.toml"},
		{"windows", nil, `C:\ProgramData\hotfolder\agent.toml`},
		{"windows", map[string]string{"ProgramData": `D:\Data`}, `D:\Data\hotfolder\agent.toml`},
		{"windows", map[string]string{"ProgramData": `D:\Data\`}, `D:\Data\hotfolder\agent.toml`},
	}
	for _, c := range cases {
		if got := defaultConfigFile(c.goos, env(c.vars)); got != c.want {
			t.Errorf("defaultConfigFile(%s, %v) = %q, want %q", c.goos, c.vars, got, c.want)
		}
	}
}

func TestConfigFileOrDefault(t *testing.T) {
	got, err := configFileOrDefault("", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	if want := defaultConfigFile(runtime.GOOS, os.Getenv); got != want {
		t.Errorf("without --config: %q, want %q", got, want)
	}
	got, err = configFileOrDefault("conf/agent.toml", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if want := filepath.Join(wd, "conf", "agent.toml"); got != want {
		t.Errorf("relative --config: %q, want %q", got, want)
	}
}

func TestServiceConfigRecordsAbsoluteConfig(t *testing.T) {
	file := filepath.Join(tempDir(t), "agent.toml")
	c := serviceConfig(file)
	if c.Name != "hotfolder" {
		t.Errorf("name %q, want hotfolder", c.Name)
	}
	if want := []string{"run", "--config", file}; !slices.Equal(c.Arguments, want) {
		t.Errorf("arguments %q, want %q", c.Arguments, want)
	}
	for key, want := range map[string]any{
		"OnFailure": "restart", "OnFailureDelayDuration": "10s", "OnFailureResetPeriod": 86400, "Restart": "on-failure",
	} {
		if c.Option[key] != want {
			t.Errorf("option %s = %v, want %v", key, c.Option[key], want)
		}
	}
}

func TestPackagedUnitMatchesGenerator(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("..", "..", "packaging", "systemd", "hotfolder.service"))
	if err != nil {
		t.Fatal(err)
	}
	if got := systemdUnit(packagedUnit); got != string(want) {
		t.Errorf("packaging/systemd/hotfolder.service differs from systemdUnit(packagedUnit); generated:\n%s", got)
	}
}

func TestPackagedUnitSettings(t *testing.T) {
	unit := systemdUnit(packagedUnit)
	for _, line := range []string{
		"ExecStart=/usr/bin/hotfolder run --config /etc/hotfolder/agent.toml",
		"User=hotfolder",
		"Restart=on-failure",
		"TimeoutStopSec=30s",
		"ReadWritePaths=/var/lib/hotfolder",
		"ReadWritePaths=/var/log/hotfolder",
		"ProtectSystem=strict",
		"RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
		"SystemCallFilter=@system-service",
		"CapabilityBoundingSet=",
	} {
		if !slices.Contains(strings.Split(unit, "\n"), line) {
			t.Errorf("unit lacks the line %q", line)
		}
	}
	grace := 10 * time.Second // the default shutdown_grace
	if packagedUnit.StopTimeout <= grace+stopMargin {
		t.Errorf("TimeoutStopSec %s does not exceed shutdown_grace %s plus the stop margin %s", packagedUnit.StopTimeout, grace, stopMargin)
	}
}

func TestInstallUnitFromConfig(t *testing.T) {
	dir := filepath.Join(tempDir(t), "site 1%")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "agent.toml")
	os.WriteFile(config, []byte(`
[agent]
log_file = "logs/agent.log"
state_dir = "state"
shutdown_grace = "45s"
[[folder]]
inbox = "in"
[folder.upload]
url = "http://127.0.0.1:9/upload"
[[folder]]
inbox = "scans"
done = "archive/done"
failed = "archive/failed"
[folder.upload]
url = "http://127.0.0.1:9/upload"
`), 0o644)
	cfg, err := agent.Load(config)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	unit, err := prepareLinuxService(cfg, "/opt/hot folder/hotfolder", "", &out)
	if err != nil {
		t.Fatal(err)
	}
	// A unit file writes % as %% and, inside double quotes, \ as \\. The
	// test's folder name has a %, and on Windows its path has backslashes.
	quoted := func(p string) string { return `"` + strings.NewReplacer(`\`, `\\`, "%", "%%").Replace(p) + `"` }
	lines := strings.Split(unit, "\n")
	for _, want := range []string{
		`ExecStart="/opt/hot folder/hotfolder" run --config ` + quoted(config),
		"TimeoutStopSec=65s",
		"ReadWritePaths=" + quoted("-"+filepath.Join(dir, "state")),
		"ReadWritePaths=" + quoted("-"+filepath.Join(dir, "logs")),
		"ReadWritePaths=" + quoted("-"+filepath.Join(dir, "in")),
		"ReadWritePaths=" + quoted("-"+filepath.Join(dir, "scans")),
		"ReadWritePaths=" + quoted("-"+filepath.Join(dir, "archive", "done")),
		"ReadWritePaths=" + quoted("-"+filepath.Join(dir, "archive", "failed")),
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("unit lacks the line %s:\n%s", want, unit)
		}
	}
	if n := strings.Count(unit, "\nReadWritePaths="); n != 6 {
		t.Errorf("unit has %d ReadWritePaths lines, want 6 (in/done and in/failed lie inside in):\n%s", n, unit)
	}
	if strings.Contains(unit, "User=") {
		t.Errorf("unit for root has a User= line:\n%s", unit)
	}
	for _, sub := range []string{"state", "logs", "in", "scans", "archive/done", "archive/failed"} {
		if fi, err := os.Stat(filepath.Join(dir, sub)); err != nil || !fi.IsDir() {
			t.Errorf("folder %s not created: %v", sub, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "logs", "agent.log")); err == nil {
		t.Error("install created the service's log file")
	}
}

func TestInstallRejectsUnknownUser(t *testing.T) {
	dir := tempDir(t)
	cfg := &agent.Config{File: filepath.Join(dir, "agent.toml")}
	cfg.Agent.StateDir = filepath.Join(dir, "state")
	cfg.Agent.LogFile = filepath.Join(dir, "logs", "hotfolder.log")
	_, err := prepareLinuxService(cfg, "/usr/bin/hotfolder", "no-such-user-4711", &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "useradd --system") {
		t.Fatalf("error %v, want one naming useradd", err)
	}
	if _, err := os.Stat(cfg.Agent.StateDir); err == nil {
		t.Error("state_dir created although the user is missing")
	}
}

func TestWritablePathsDropsNested(t *testing.T) {
	// Paths in the config are cleaned for the OS, so on Windows they have
	// backslashes, as filepath.Dir returns for the log file's folder.
	p := filepath.FromSlash
	cfg := &agent.Config{}
	cfg.Agent.StateDir = p("/var/lib/hf/state")
	cfg.Agent.LogFile = p("/var/log/hf/hotfolder.log")
	cfg.Folders = []agent.FolderConfig{
		{Inbox: p("/srv/in"), Done: p("/srv/in/done"), Failed: p("/srv/in/failed")},
		{Inbox: p("/srv/in2"), Done: p("/srv/out"), Failed: p("/srv/out")},
		{Inbox: p("/var/lib/hf/state/x"), Done: p("/srv/in"), Failed: p("/var/log/hf")},
	}
	want := []string{p("/var/lib/hf/state"), p("/var/log/hf"), p("/srv/in"), p("/srv/in2"), p("/srv/out")}
	if got := writablePaths(cfg); !slices.Equal(got, want) {
		t.Errorf("writablePaths = %q, want %q", got, want)
	}
}

func TestSystemdQuote(t *testing.T) {
	cases := map[string]string{
		"/usr/bin/hotfolder": "/usr/bin/hotfolder",
		"/srv/my scans":      `"/srv/my scans"`,
		"/srv/100%":          "/srv/100%%",
		"/srv/$HOME":         "/srv/$$HOME",
		`/srv/a"b`:           `"/srv/a\"b"`,
		`C:\not\linux`:       `"C:\\not\\linux"`,
		"-/srv/optional dir": `"-/srv/optional dir"`,
	}
	for in, want := range cases {
		if got := systemdQuote(in); got != want {
			t.Errorf("systemdQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestMissingServiceManager(t *testing.T) {
	dir := tempDir(t)
	if got := missingServiceManager("linux", dir); got != "" {
		t.Errorf("with %s present: %q, want no complaint", dir, got)
	}
	got := missingServiceManager("linux", filepath.Join(dir, "none"))
	if !strings.Contains(got, "no service manager") || !strings.Contains(got, "hotfolder run") {
		t.Errorf("without systemd: %q, want it to say so and name hotfolder run", got)
	}
	for _, goos := range []string{"windows", "darwin"} {
		if got := missingServiceManager(goos, filepath.Join(dir, "none")); got != "" {
			t.Errorf("%s: %q, want no complaint", goos, got)
		}
	}
}

func TestServiceCommandsWithoutServiceManager(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only Linux can lack a service manager")
	}
	if _, err := os.Stat(systemdRuntimeDir); err == nil {
		t.Skip("systemd runs as PID 1 here")
	}
	dir := tempDir(t)
	config := filepath.Join(dir, "agent.toml")
	os.WriteFile(config, []byte("[[folder]]\ninbox = \"in\"\n[folder.upload]\nurl = \"http://127.0.0.1:9/\"\n"), 0o644)
	for _, cmd := range []string{"status", "install", "uninstall", "start", "stop", "restart"} {
		var stdout, stderr bytes.Buffer
		code := runMain(context.Background(), []string{cmd, "--config", config}, &stdout, &stderr)
		if code != exitError {
			t.Errorf("%s: exit %d, want %d", cmd, code, exitError)
		}
		if !strings.Contains(stdout.String()+stderr.String(), "no service manager: systemd is not running as PID 1") {
			t.Errorf("%s: output %q does not say that there is no service manager", cmd, stdout.String()+stderr.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "logs")); err == nil {
		t.Error("a service command created the agent's log folder")
	}
}

func TestServiceCommandUsageErrors(t *testing.T) {
	cases := [][]string{
		{"status", "extra"},
		{"install", "--bogus"},
		{"stop", "--user", "x"},
	}
	for _, args := range cases {
		var stdout, stderr bytes.Buffer
		if code := runMain(context.Background(), args, &stdout, &stderr); code != exitUsage {
			t.Errorf("%q: exit %d, want %d; stderr:\n%s", args, code, exitUsage, stderr.String())
		}
	}
}

func TestStatusNeverOpensLogFile(t *testing.T) {
	dir := tempDir(t)
	config := filepath.Join(dir, "agent.toml")
	os.WriteFile(config, []byte("[agent]\nlog_file = \"logs/svc.log\"\n[[folder]]\ninbox = \"in\"\n[folder.upload]\nurl = \"http://127.0.0.1:9/\"\n"), 0o644)
	var out, errOut bytes.Buffer
	runMain(context.Background(), []string{"status", "--config", config}, &out, &errOut)
	if want := "log file: " + filepath.Join(dir, "logs", "svc.log"); !strings.Contains(out.String(), want) {
		t.Errorf("output %q lacks %q", out.String(), want)
	}
	if _, err := os.Stat(filepath.Join(dir, "logs")); err == nil {
		t.Error("status created the log folder")
	}
	out.Reset()
	missing := filepath.Join(dir, "none.toml")
	if code := runMain(context.Background(), []string{"status", "--config", missing}, &out, &errOut); code != exitError {
		t.Errorf("status with a missing config: exit %d, want %d", code, exitError)
	}
	if !strings.Contains(out.String(), "cannot be loaded") {
		t.Errorf("output for a missing config %q lacks \"cannot be loaded\"", out.String())
	}
}

func TestPostInstallKeepsExistingConfig(t *testing.T) {
	dir := tempDir(t)
	config := filepath.Join(dir, "agent.toml")
	os.WriteFile(config+".example", []byte("# example\n"), 0o644)
	// A service that no machine has, so that the test never changes an
	// installed one. Only Windows has recovery actions to set, and it
	// reports the missing service after the config step.
	const missing = "hotfolder-test-not-installed"
	want := exitOK
	if runtime.GOOS == "windows" {
		want = exitError
	}
	checkStderr := func(run string, stderr *bytes.Buffer) {
		t.Helper()
		if runtime.GOOS != "windows" {
			return
		}
		for _, part := range []string{"the " + missing + " service is not installed", `"hotfolder install --config FILE"`} {
			if !strings.Contains(stderr.String(), part) {
				t.Errorf("%s: stderr %q lacks %q", run, stderr.String(), part)
			}
		}
	}

	var stdout, stderr bytes.Buffer
	if code := postInstall(config, missing, &stdout, &stderr); code != want {
		t.Fatalf("first run: exit %d, want %d; stderr:\n%s", code, want, stderr.String())
	}
	checkStderr("first run", &stderr)
	if got, _ := os.ReadFile(config); string(got) != "# example\n" {
		t.Errorf("config after first run %q, want the example", got)
	}
	if !strings.Contains(stdout.String(), "created "+config) {
		t.Errorf("first run: stdout %q does not say that it created %s", stdout.String(), config)
	}

	os.WriteFile(config, []byte("# edited\n"), 0o644)
	os.WriteFile(config+".example", []byte("# example 2\n"), 0o644)
	stdout.Reset()
	stderr.Reset()
	if code := postInstall(config, missing, &stdout, &stderr); code != want {
		t.Fatalf("second run: exit %d, want %d; stderr:\n%s", code, want, stderr.String())
	}
	checkStderr("second run", &stderr)
	if got, _ := os.ReadFile(config); string(got) != "# edited\n" {
		t.Errorf("config after second run %q, want the edited one kept", got)
	}
	if !strings.Contains(stdout.String(), "kept the existing "+config) {
		t.Errorf("second run: stdout %q does not say that it kept %s", stdout.String(), config)
	}

	// Through the command line: a missing example fails before the
	// service step, so the installed service, if any, is not touched.
	os.Remove(config + ".example")
	newConfig := filepath.Join(dir, "new.toml")
	stderr.Reset()
	if code := runMain(context.Background(), []string{"post-install", "--config", newConfig}, &stdout, &stderr); code != exitError {
		t.Errorf("missing example: exit %d, want %d", code, exitError)
	}
	if !strings.Contains(stderr.String(), newConfig+".example") {
		t.Errorf("missing example: stderr %q does not name %s.example", stderr.String(), newConfig)
	}
	if _, err := os.Stat(newConfig); err == nil {
		t.Errorf("missing example: %s was created", newConfig)
	}
}
