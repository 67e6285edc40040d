package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"strconv"

	"github.com/hotfolder/hotfolder/agent"
)

// prepareLinuxService checks the service user, creates the config's
// missing folders owned by that user, and returns the systemd unit for the
// service. Folders that already exist are left as they are.
func prepareLinuxService(cfg *agent.Config, exe, userName string, stdout io.Writer) (string, error) {
	uid, gid := -1, -1
	if userName != "" && userName != "root" {
		u, err := user.Lookup(userName)
		if err != nil {
			return "", fmt.Errorf("service user %q: %w: create it with \"useradd --system --no-create-home --shell /usr/sbin/nologin %s\", or pass --user with another account", userName, err, userName)
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
	}
	paths := writablePaths(cfg)
	for _, p := range paths {
		created, err := createFolder(p, uid, gid)
		if err != nil {
			return "", err
		}
		if created {
			fmt.Fprintf(stdout, "hotfolder install: created %s\n", p)
		} else if uid >= 0 {
			fmt.Fprintf(stdout, "hotfolder install: %s exists; make sure user %s can write to it\n", p, userName)
		}
	}
	return systemdUnit(unitSettings{
		Exe:            exe,
		ConfigFile:     cfg.File,
		User:           userName,
		ReadWritePaths: optionalPaths(paths),
		StopTimeout:    cfg.Agent.ShutdownGrace.D() + stopTimeoutMargin,
	}), nil
}

// createFolder creates dir and its missing parents, and gives dir (not
// the parents) to uid and gid when they are not -1. It reports whether dir
// was missing.
func createFolder(dir string, uid, gid int) (bool, error) {
	if _, err := os.Stat(dir); err == nil {
		return false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("check folder %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("create folder %s: %w", dir, err)
	}
	if uid >= 0 {
		if err := os.Chown(dir, uid, gid); err != nil {
			return true, fmt.Errorf("give folder %s to the service user: %w", dir, err)
		}
	}
	return true, nil
}

// optionalPaths prefixes each path with "-", so systemd starts the unit
// even when a folder was removed later. The agent then reports the
// missing folder in the system log.
func optionalPaths(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = "-" + p
	}
	return out
}
