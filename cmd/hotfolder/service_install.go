package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/hotfolder/hotfolder/agent"
	"github.com/kardianos/service"
)

// installService installs the service for the config at configFile. It
// reads the config to find the folders the service writes to, but does not
// open the log file: that belongs to the running service.
func installService(configFile, user string, stdout, stderr io.Writer) int {
	cfg, err := agent.Load(configFile)
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder install: invalid config:\n%v\n", err)
		return exitUsage
	}
	if runtime.GOOS == "windows" && user != "" {
		fmt.Fprintln(stderr, "hotfolder install: --user is not supported on Windows: the service runs as LocalSystem; change its account in services.msc")
		return exitUsage
	}

	exe, err := executablePath()
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder install: %v\n", err)
		return exitError
	}
	sc := serviceConfig(cfg.File)
	sc.Executable = exe
	if runtime.GOOS == "linux" {
		unit, err := prepareLinuxService(cfg, exe, user, stdout)
		if err != nil {
			fmt.Fprintf(stderr, "hotfolder install: %v\n", err)
			return exitError
		}
		sc.Option["SystemdScript"] = unit
	}

	svc, err := service.New(&program{configFile: cfg.File}, sc)
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder install: %v\n", err)
		return exitError
	}
	if _, err := svc.Status(); !errors.Is(err, service.ErrNotInstalled) {
		fmt.Fprintf(stderr, "hotfolder install: the %s service is already installed: run \"hotfolder uninstall\" first, or \"hotfolder restart\" to apply a changed config\n", serviceName)
		return exitError
	}

	if err := svc.Install(); err != nil {
		fmt.Fprintf(stderr, "hotfolder install: %v (run it as root or Administrator)\n", err)
		return exitError
	}
	if err := configureRecovery(serviceName); err != nil {
		fmt.Fprintf(stderr, "hotfolder install: installed, but setting the recovery actions failed: %v\n", err)
		return exitError
	}
	fmt.Fprintf(stdout, "hotfolder install: installed the %s service: %s run --config %s\nStart it with \"hotfolder start\".\n",
		serviceName, exe, cfg.File)
	return exitOK
}

// executablePath returns the absolute path of the running program with
// symbolic links resolved, for the service definition.
func executablePath() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the hotfolder executable: %w", err)
	}
	resolved, err := filepath.EvalSymlinks(exe)
	if err != nil {
		return "", fmt.Errorf("resolve the hotfolder executable %s: %w", exe, err)
	}
	return resolved, nil
}

// writablePaths lists the folders the agent writes to: state_dir, the log
// file's folder, and each inbox, done and failed folder, without folders
// that lie inside another listed folder.
func writablePaths(cfg *agent.Config) []string {
	all := []string{cfg.Agent.StateDir, filepath.Dir(cfg.Agent.LogFile)}
	for _, f := range cfg.Folders {
		all = append(all, f.Inbox, f.Done, f.Failed)
	}
	var out []string
	for i, p := range all {
		if !coveredBy(p, all[:i]) && !coveredByLater(p, all[i+1:]) {
			out = append(out, p)
		}
	}
	return out
}

// coveredBy reports whether p equals or lies inside one of dirs.
func coveredBy(p string, dirs []string) bool {
	for _, d := range dirs {
		if rel, err := filepath.Rel(d, p); err == nil && filepath.IsLocal(rel) || p == d {
			return true
		}
	}
	return false
}

// coveredByLater reports whether p lies strictly inside one of dirs; equal
// paths are kept at their first position.
func coveredByLater(p string, dirs []string) bool {
	for _, d := range dirs {
		if rel, err := filepath.Rel(d, p); err == nil && p != d && filepath.IsLocal(rel) {
			return true
		}
	}
	return false
}
