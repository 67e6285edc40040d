// Command hotfolder watches drop folders and uploads each finished file to
// an HTTP endpoint, then files it in done or failed.
//
// Usage: hotfolder COMMAND [flags]; run "hotfolder help" for the list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1 // a runtime failure
	exitUsage = 2 // bad flags or a bad config
)

const usage = `hotfolder watches drop folders and uploads each finished file to an HTTP
endpoint, then moves it into done/ or, with a note saying why, failed/.

Usage:
  hotfolder run [--config FILE]      run the agent in the foreground
  hotfolder validate [--config FILE] [--probe]
                                     check a config and print the resolved settings;
                                     --probe also checks that each endpoint answers
  hotfolder status [--config FILE]   show the service, the queue and uploads in flight
  hotfolder send FILE... [--config FILE] [--folder NAME]
                                     upload files once, without moving them
  hotfolder receive --dir DIR        run a small upload receiver (see --help)
  hotfolder demo [DIR]               try it: a receiver and an agent in DIR (default ./hotfolder-demo)
  hotfolder version                  print the version

Service (systemd on Linux, the service control manager on Windows):
  hotfolder install [--config FILE]  install the agent as a service that starts at boot
  hotfolder uninstall                stop and remove the service; config, logs and folders stay
  hotfolder start|stop|restart       control the installed service
  hotfolder post-install             used by the Windows installer: create the config
                                     from its example, set the recovery actions

FILE defaults to /etc/hotfolder/agent.toml, or C:\ProgramData\hotfolder\agent.toml
on Windows. Each command takes --help.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// runMain dispatches to a command and returns the exit status.
func runMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return runAgent(rest, stdout, stderr)
	case "validate":
		return runValidate(rest, stdout, stderr)
	case "status":
		return runStatus(ctx, rest, stdout, stderr)
	case "send":
		return runSend(ctx, rest, stdout, stderr)
	case "receive":
		return runReceive(ctx, rest, stdout, stderr)
	case "demo":
		return runDemo(ctx, rest, stdout, stderr)
	case "install", "uninstall", "start", "stop", "restart":
		return runServiceCommand(cmd, rest, stdout, stderr)
	case "post-install":
		return runPostInstall(rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, versionString())
		return exitOK
	case "help", "--help", "-help", "-h":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "hotfolder: unknown command %q\n\n%s", cmd, usage)
	return exitUsage
}

// parseFlags parses args into fs, returning an exit status when the
// command should stop: 0 after --help, 2 after a bad flag.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (int, bool) {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	if fs.NArg() > 0 && fs.Name() != "demo" {
		fmt.Fprintf(stderr, "hotfolder %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return exitUsage, false
	}
	return 0, true
}
