package main

import (
	"fmt"
	"strings"
	"time"
)

// stopTimeoutMargin is added to shutdown_grace for the unit's
// TimeoutStopSec, so systemd does not kill an agent that is still
// finishing uploads within its grace. It exceeds stopMargin.
const stopTimeoutMargin = 20 * time.Second

// unitSettings are the values that differ between the packaged unit and
// the one "hotfolder install" writes.
type unitSettings struct {
	Exe            string
	ConfigFile     string
	User           string   // "" or "root" runs the agent as root
	ReadWritePaths []string // each may start with "-": ignored when missing
	StopTimeout    time.Duration
}

// packagedUnit holds the settings of the unit in the Linux packages:
// packaging/systemd/hotfolder.service is systemdUnit(packagedUnit), and a
// test keeps the two equal. Its stop timeout fits the default
// shutdown_grace of 10s.
var packagedUnit = unitSettings{
	Exe:            "/usr/bin/hotfolder",
	ConfigFile:     "/etc/hotfolder/agent.toml",
	User:           "hotfolder",
	ReadWritePaths: []string{"/var/lib/hotfolder", "/var/log/hotfolder"},
	StopTimeout:    10*time.Second + stopTimeoutMargin,
}

// unitTemplate is the systemd unit. The hardening keeps
// "systemd-analyze security" at 3.0 or lower: the agent needs no
// capabilities, no devices and no kernel interfaces, only files below
// ReadWritePaths and IP or Unix sockets (AF_UNIX for the journal).
const unitTemplate = `# hotfolder agent: uploads files dropped into watched folders.
# The service may write only below ReadWritePaths. For folders elsewhere,
# add a drop-in with "systemctl edit hotfolder", such as:
#   [Service]
#   ReadWritePaths=/srv/scans
[Unit]
Description=hotfolder agent: uploads files dropped into watched folders
Documentation=file:/usr/share/doc/hotfolder/install.md
Wants=network-online.target
After=network-online.target
# Restart for as long as it fails, so a share that mounts late or a
# server that comes back is picked up without an administrator.
StartLimitIntervalSec=0

[Service]
Type=simple
ExecStart=%s run --config %s
%sRestart=on-failure
RestartSec=10s
TimeoutStopSec=%s
%s
NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
DevicePolicy=closed
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
ProcSubset=pid
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
RemoveIPC=yes
KeyringMode=private
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
SystemCallErrorNumber=EPERM

[Install]
WantedBy=multi-user.target
`

// systemdUnit returns the unit file text for u.
func systemdUnit(u unitSettings) string {
	user := ""
	if u.User != "" && u.User != "root" {
		user = fmt.Sprintf("User=%s\nGroup=%s\n", u.User, u.User)
	}
	var rw []string
	for _, p := range u.ReadWritePaths {
		rw = append(rw, "ReadWritePaths="+systemdQuote(p))
	}
	return fmt.Sprintf(unitTemplate, systemdQuote(u.Exe), systemdQuote(u.ConfigFile), user,
		systemdSeconds(u.StopTimeout), strings.Join(rw, "\n"))
}

// systemdQuote quotes s for a unit file when it contains characters that
// systemd would split on or expand: specifiers (%) and variables ($) are
// doubled, and a word with blanks, quotes or backslashes is double-quoted
// with C escapes.
func systemdQuote(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	s = strings.ReplaceAll(s, "$", "$$")
	if !strings.ContainsAny(s, " \t\"'\\;") {
		return s
	}
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	return `"` + s + `"`
}

// systemdSeconds formats d as whole seconds, rounded up.
func systemdSeconds(d time.Duration) string {
	return fmt.Sprintf("%ds", int((d+time.Second-1)/time.Second))
}
