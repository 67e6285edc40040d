package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"

	"github.com/hotfolder/hotfolder/agent"
	"github.com/hotfolder/hotfolder/uploader/receiver"
)

// demoConfig is the agent.toml the demo writes: short settle time,
// subfolders watched, the receiver's URL, everything else at its default.
const demoConfig = `# Written by "hotfolder demo"; the receiver's port changes on each run.
[agent]
log_file = "logs/hotfolder.log"
state_dir = "state"

[[folder]]
name = "demo"
inbox = "inbox"
done = "done"
failed = "failed"
recursive = true
settle = "1s"

[folder.upload]
url = %q
`

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: hotfolder demo [DIR]\n\nRuns the built-in receiver on a free loopback port and the agent against it,\nin DIR (default ./hotfolder-demo). Ctrl-C stops both.")
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(stderr, "hotfolder demo: unexpected argument %q: pass at most one folder\n", fs.Arg(1))
		return exitUsage
	}
	dir, err := filepath.Abs(firstOr(fs.Args(), "hotfolder-demo"))
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder demo: %v\n", err)
		return exitError
	}
	for _, sub := range []string{"inbox", "done", "failed", "received"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			fmt.Fprintf(stderr, "hotfolder demo: %v\n", err)
			return exitError
		}
	}

	recvCtx, stopReceiver := context.WithCancel(context.WithoutCancel(ctx))
	defer stopReceiver()
	recvLog := slog.New(agent.NewHandler(stderr, "text", "info")).With("component", "receiver")
	urls := make(chan string, 1)
	recvDone := make(chan error, 1)
	go func() {
		recvDone <- receiver.Serve(recvCtx, receiver.ServeOptions{
			Listen:  "127.0.0.1:0",
			Options: receiver.Options{Dir: filepath.Join(dir, "received"), Logger: recvLog},
			Ready:   func(_ net.Addr, u string) { urls <- u },
		})
	}()
	var url string
	select {
	case url = <-urls:
	case err := <-recvDone:
		fmt.Fprintf(stderr, "hotfolder demo: receiver: %v\n", err)
		return exitError
	}

	configFile := filepath.Join(dir, "agent.toml")
	if err := os.WriteFile(configFile, fmt.Appendf(nil, demoConfig, url), 0o644); err != nil {
		fmt.Fprintf(stderr, "hotfolder demo: %v\n", err)
		return exitError
	}
	cfg, code := loadConfig(configFile, stderr)
	if cfg == nil {
		return code
	}
	log, closer, err := agent.NewLogger(cfg.Agent, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder demo: %v\n", err)
		return exitError
	}
	defer closer.Close()
	a, err := agent.New(cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder demo: %v\n", err)
		return exitError
	}
	fmt.Fprintf(stdout, `hotfolder demo
  receiver:  %s, storing into %s
  drop files into   %s, or into folders inside it
  sent files move to %s (rejected ones to %s)
  log file:  %s
  config:    %s
Press Ctrl-C to stop.
`, url, filepath.Join(dir, "received"), cfg.Folders[0].Inbox, cfg.Folders[0].Done, cfg.Folders[0].Failed,
		cfg.Agent.LogFile, configFile)
	a.Run(ctx)
	stopReceiver()
	if err := <-recvDone; err != nil {
		fmt.Fprintf(stderr, "hotfolder demo: receiver: %v\n", err)
		return exitError
	}
	return exitOK
}

func firstOr(args []string, def string) string {
	if len(args) > 0 {
		return args[0]
	}
	return def
}
