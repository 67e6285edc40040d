package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/kardianos/service"
)

// serviceName is the name of the systemd unit and the Windows service.
const serviceName = "hotfolder"

// serviceConfig describes the service that runs the agent with the config
// at configFile, an absolute path. The Windows recovery options restart the
// service 10 s after a failure; configureRecovery extends them after an
// install. On Linux, install replaces the library's unit template with
// systemdUnit.
func serviceConfig(configFile string) *service.Config {
	return &service.Config{
		Name:        serviceName,
		DisplayName: "hotfolder agent",
		Description: "Uploads files dropped into watched folders to an HTTP endpoint.",
		Arguments:   []string{"run", "--config", configFile},
		Option: service.KeyValue{
			"OnFailure":              "restart",
			"OnFailureDelayDuration": "10s",
			"OnFailureResetPeriod":   86400, // seconds without failure that reset the count
			"Restart":                "on-failure",
			"KeepAlive":              true, // launchd restarts the agent when it exits
			"RunAtLoad":              true,
		},
	}
}

const serviceUsage = `Usage: hotfolder %s [--config FILE]

%s

FILE defaults to %s.
Exit status: 0 on success, 2 for a usage or config error, 1 otherwise.

Flags:
`

// serviceCommandHelp holds the help text of each service command.
var serviceCommandHelp = map[string]string{
	"install": "Installs the agent as a system service that starts at boot and runs\n" +
		"\"hotfolder run --config FILE\" with FILE made absolute. Missing folders of\n" +
		"the config are created. Needs root or Administrator.",
	"uninstall": "Stops the service and removes it. The config, logs, state and folders stay.",
	"start":     "Starts the installed service.",
	"stop":      "Stops the service; uploads in flight get shutdown_grace to finish.",
	"restart":   "Stops and starts the service, for example to apply a changed config.",
}

// runServiceCommand runs one of install, uninstall, start, stop, restart
// and status, and returns the exit status.
func runServiceCommand(cmd string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(stderr, serviceUsage, cmd, serviceCommandHelp[cmd], defaultConfigFile(runtime.GOOS, os.Getenv))
		fs.PrintDefaults()
	}
	config := fs.String("config", "", "config `FILE` of the agent")
	var user *string
	if cmd == "install" {
		user = fs.String("user", defaultServiceUser(runtime.GOOS),
			"system `USER` the service runs as on Linux; Windows services run as LocalSystem")
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}

	file, err := configFileOrDefault(*config, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder %s: invalid --config %q: %v\n", cmd, *config, err)
		return exitUsage
	}
	if reason := missingServiceManager(runtime.GOOS, systemdRuntimeDir); reason != "" {
		fmt.Fprintf(stderr, "hotfolder %s: %s\n", cmd, reason)
		return exitError
	}
	svc, err := service.New(&program{configFile: file}, serviceConfig(file))
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder %s: %v\n", cmd, err)
		return exitError
	}

	switch cmd {
	case "install":
		return installService(file, *user, stdout, stderr)
	case "uninstall":
		return uninstallService(svc, stdout, stderr)
	}
	return controlService(svc, cmd, stdout, stderr)
}

// systemdRuntimeDir exists only while systemd runs as PID 1; sd_booted(3)
// makes the same test.
const systemdRuntimeDir = "/run/systemd/system"

// missingServiceManager explains why the service commands cannot work on
// this machine, or returns "" when they can. On Linux they need systemd as
// PID 1; Windows always has its service control manager, and macOS launchd.
func missingServiceManager(goos, systemdDir string) string {
	if goos != "linux" {
		return ""
	}
	if _, err := os.Stat(systemdDir); err == nil {
		return ""
	}
	return "no service manager: systemd is not running as PID 1 on this machine (" + systemdDir +
		" is missing), and hotfolder's service commands on Linux need systemd. " +
		"Run the agent in the foreground with \"hotfolder run --config FILE\" or under your own supervisor."
}

// defaultServiceUser returns the account install uses on goos: the
// hotfolder system user that the Linux packages create, and "" (the
// service manager's default: LocalSystem or root) elsewhere.
func defaultServiceUser(goos string) string {
	if goos == "linux" {
		return "hotfolder"
	}
	return ""
}

// controlService starts, stops or restarts the installed service.
func controlService(svc service.Service, cmd string, stdout, stderr io.Writer) int {
	if code, ok := requireInstalled(svc, cmd, stderr); !ok {
		return code
	}
	var err error
	switch cmd {
	case "start":
		err = svc.Start()
	case "stop":
		err = svc.Stop()
	case "restart":
		err = svc.Restart()
	}
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder %s failed: %v; the system log has the reason (%s)\n", cmd, err, systemLogHint(runtime.GOOS))
		return exitError
	}
	fmt.Fprintf(stdout, "hotfolder %s: done\n", cmd)
	return exitOK
}

// requireInstalled reports "not installed" as an error for cmd.
func requireInstalled(svc service.Service, cmd string, stderr io.Writer) (int, bool) {
	if _, err := svc.Status(); errors.Is(err, service.ErrNotInstalled) {
		fmt.Fprintf(stderr, "hotfolder %s: the %s service is not installed: run \"hotfolder install --config FILE\" or install a hotfolder package first\n", cmd, serviceName)
		return exitError, false
	}
	return 0, true
}

// installedUnitFile is the path of the unit that "hotfolder install" writes.
// The packages install theirs in /lib or /usr/lib instead.
const installedUnitFile = "/etc/systemd/system/" + serviceName + ".service"

func uninstallService(svc service.Service, stdout, stderr io.Writer) int {
	if code, ok := requireInstalled(svc, "uninstall", stderr); !ok {
		return code
	}
	if _, err := os.Stat(installedUnitFile); runtime.GOOS == "linux" && err != nil {
		fmt.Fprintf(stderr, "hotfolder uninstall: %s not found: the service was installed by a package, so remove the package instead (apt remove hotfolder, or dnf remove hotfolder)\n", installedUnitFile)
		return exitError
	}
	if status, _ := svc.Status(); status == service.StatusRunning {
		if err := svc.Stop(); err != nil {
			fmt.Fprintf(stderr, "hotfolder uninstall: stopping the service failed: %v\n", err)
			return exitError
		}
	}
	if err := svc.Uninstall(); err != nil {
		fmt.Fprintf(stderr, "hotfolder uninstall: %v; a service installed by a package is removed with the package instead\n", err)
		return exitError
	}
	fmt.Fprintf(stdout, "hotfolder uninstall: removed the %s service; the config, logs, state and folders are kept\n", serviceName)
	return exitOK
}

// systemLogHint names where goos's service manager logs a failed start.
func systemLogHint(goos string) string {
	switch goos {
	case "windows":
		return `see the Windows Event Log, Application, source "hotfolder"`
	case "linux":
		return "see journalctl -u " + serviceName
	}
	return "see the system log"
}
