package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
)

// runPostInstall is the step the Windows installer runs after it installed
// the files and the service. The installer cannot keep a changed config on
// upgrade, so it installs only FILE.example and this step copies it to
// FILE when FILE does not exist yet. On Windows it then sets the service's
// recovery actions (see configureRecovery).
func runPostInstall(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("post-install", flag.ContinueOnError)
	config := fs.String("config", "", "config `FILE` to create from FILE.example when missing (default "+
		defaultConfigFile(runtime.GOOS, os.Getenv)+")")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	file, err := configFileOrDefault(*config, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder post-install: invalid --config %q: %v\n", *config, err)
		return exitUsage
	}
	return postInstall(file, serviceName, stdout, stderr)
}

// postInstall creates file from file.example when file is missing, then
// sets the recovery actions of the Windows service called name, and
// returns the exit status. On Windows a missing service is an error,
// reported after the config step.
func postInstall(file, name string, stdout, stderr io.Writer) int {
	created, err := copyIfMissing(file+".example", file)
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder post-install: %v\n", err)
		return exitError
	}
	if created {
		fmt.Fprintf(stdout, "hotfolder post-install: created %s from %s.example\n", file, file)
	} else {
		fmt.Fprintf(stdout, "hotfolder post-install: kept the existing %s\n", file)
	}
	if err := configureRecovery(name); err != nil {
		fmt.Fprintf(stderr, "hotfolder post-install: %v\n", err)
		return exitError
	}
	return exitOK
}

// copyIfMissing copies src to dst unless dst exists, and reports whether
// it copied. It never overwrites dst, even when dst appears meanwhile.
func copyIfMissing(src, dst string) (bool, error) {
	if _, err := os.Stat(dst); err == nil {
		return false, nil
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return false, fmt.Errorf("read example config: %w", err)
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("create config: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(dst)
		return false, fmt.Errorf("write config %s: %w", dst, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(dst)
		return false, fmt.Errorf("write config %s: %w", dst, err)
	}
	return true, nil
}
