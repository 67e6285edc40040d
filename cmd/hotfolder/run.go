package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/kardianos/service"
)

const runUsage = `Usage: hotfolder run [--config FILE]

Runs the agent in the foreground until SIGINT or SIGTERM: it watches each
folder's inbox, uploads each settled file and files it in done or failed.
Logs go to the log file and to stderr. In a terminal, a progress bar per
upload and a queue summary are drawn. On a stop, uploads in flight get
shutdown_grace to finish, and a second signal ends the agent at once.

FILE defaults to %s.
Exit status: 0 after a stop, 2 for a usage or config error, 1 otherwise.

Flags:
`

func runAgent(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), runUsage, defaultConfigFile(runtime.GOOS, os.Getenv))
		fs.PrintDefaults()
	}
	config := fs.String("config", "", "config `FILE` (default "+defaultConfigFile(runtime.GOOS, os.Getenv)+")")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	file, err := configFileOrDefault(*config, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder run: invalid --config %q: %v\n", *config, err)
		return exitUsage
	}

	p := &program{configFile: file, stderr: stderr}
	svc, err := service.New(p, serviceConfig(file))
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder: service setup failed: %v\n", err)
		return exitError
	}
	if underServiceManager(runtime.GOOS, os.Getenv) {
		p.system = openSystemLogger(svc, stderr)
	} else {
		p.console = newConsole(stdout, stderr)
		defer p.console.close()
	}

	// Run calls program.Start, then returns after the service manager stops
	// the service or, in a terminal, after SIGINT or SIGTERM; it calls
	// program.Stop first. It returns at once when Start fails.
	err = svc.Run()
	p.close()
	switch {
	case p.exitCode != 0:
		return p.exitCode
	case err != nil:
		fmt.Fprintf(stderr, "hotfolder: agent failed: %v\n", err)
		p.systemError(fmt.Sprintf("hotfolder agent failed: %v", err))
		return exitError
	}
	return exitOK
}

// underServiceManager reports whether the process runs as a service: the
// service library reports it as not interactive, or, on Linux, systemd set
// INVOCATION_ID, as it does for every unit it starts. The second test
// covers containers, where the library always reports interactive.
func underServiceManager(goos string, getenv func(string) string) bool {
	if !service.Interactive() {
		return true
	}
	return goos == "linux" && getenv("INVOCATION_ID") != ""
}

// openSystemLogger opens the system log, reporting a failure on stderr,
// which systemd also sends to the journal.
func openSystemLogger(svc service.Service, stderr io.Writer) service.Logger {
	l, err := svc.SystemLogger(nil)
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder: cannot open the system log, start and stop are logged only to the log file: %v\n", err)
		return nil
	}
	return l
}
