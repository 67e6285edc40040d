package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hotfolder/hotfolder/agent"
	"github.com/kardianos/service"
)

// stopMargin is how long Stop waits beyond shutdown_grace for the agent to
// cancel its uploads and close its files before it gives up and returns.
// The unit's TimeoutStopSec is shutdown_grace plus more than this.
const stopMargin = 10 * time.Second

// program adapts the agent to service.Interface. Start loads the config,
// opens the log file and builds the agent, then runs it in the background
// and returns. Stop cancels it and waits for it to finish. Under a service
// manager, start, stop and a failed start are also written to the system
// log (journald or syslog, or the Windows Event Log), because an
// administrator looks there first when a service does not come up.
type program struct {
	configFile string
	stderr     io.Writer
	console    *console       // in a terminal; nil under a service manager
	system     service.Logger // the system log under a service manager; else nil

	exitCode int // the exit status for a failed Start
	log      *slog.Logger
	logFile  io.Closer
	grace    time.Duration
	cancel   context.CancelFunc
	done     chan struct{}
	started  time.Time
}

// errStartFailed is returned by Start after it has reported the cause.
var errStartFailed = errors.New("agent did not start")

func (p *program) Start(service.Service) error {
	cfg, err := agent.Load(p.configFile)
	if err != nil {
		return p.failStart(exitUsage, "invalid config", err, false)
	}
	var consoleLog io.Writer
	if p.console != nil {
		consoleLog = p.console.logWriter()
	}
	log, logFile, err := agent.NewLogger(cfg.Agent, consoleLog)
	if err != nil {
		return p.failStart(exitError, "cannot open the log file", err, false)
	}
	a, err := agent.New(cfg, log)
	if err != nil {
		log.Error("agent cannot start", "error", err)
		logFile.Close()
		return p.failStart(exitError, "", err, true)
	}
	if p.console != nil {
		p.console.show(a.Tracker())
	}
	p.log, p.logFile, p.grace = log, logFile, cfg.Agent.ShutdownGrace.D()
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.done, p.started = cancel, make(chan struct{}), time.Now()
	go p.runAgent(ctx, a)
	p.systemInfo(fmt.Sprintf("hotfolder agent started: version=%s pid=%d config=%s log_file=%s",
		agent.Version, os.Getpid(), cfg.File, cfg.Agent.LogFile))
	return nil
}

// runAgent runs the agent until ctx is canceled. An agent that stops by
// itself ends the process with status 1, so the service manager restarts it.
func (p *program) runAgent(ctx context.Context, a *agent.Agent) {
	defer close(p.done)
	err := a.Run(ctx)
	if err != nil {
		p.log.Error("agent stopped with an error", "error", err)
	}
	if ctx.Err() == nil {
		p.systemError(fmt.Sprintf("hotfolder agent stopped unexpectedly: %v", err))
		p.logFile.Close()
		os.Exit(exitError)
	}
}

// failStart reports why the agent did not start and records the exit
// status. what names the step that failed, or is "" when err names it.
// logged reports whether the agent's logger already wrote err to the
// console.
func (p *program) failStart(code int, what string, err error, logged bool) error {
	p.exitCode = code
	msg := fmt.Sprintf("hotfolder agent failed to start: config=%s: %v", p.configFile, err)
	if what != "" {
		msg = fmt.Sprintf("hotfolder agent failed to start: %s: config=%s: %v", what, p.configFile, err)
	}
	p.systemError(msg)
	switch {
	case p.console != nil && !logged:
		fmt.Fprintf(p.stderr, "hotfolder: %s:\n%v\n", what, err)
	case p.console == nil && p.system == nil:
		fmt.Fprintln(p.stderr, msg)
	}
	return errStartFailed
}

// Stop stops the agent: intake stops at once and uploads in flight get
// shutdown_grace to finish. A second SIGINT or SIGTERM while it drains
// exits at once; the files in flight stay in the inbox.
func (p *program) Stop(service.Service) error {
	second := make(chan os.Signal, 1)
	signal.Notify(second, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(second)
	p.log.Info("stopping agent", "grace", p.grace)
	p.cancel()
	limit := time.NewTimer(p.grace + stopMargin)
	defer limit.Stop()
	select {
	case <-p.done:
		p.systemInfo(fmt.Sprintf("hotfolder agent stopped: ran_for=%s", time.Since(p.started).Round(time.Second)))
	case <-limit.C:
		p.log.Error("agent did not stop in time, exiting", "waited", p.grace+stopMargin)
		p.systemError(fmt.Sprintf("hotfolder agent did not stop within %s, exiting", p.grace+stopMargin))
	case <-second:
		p.log.Warn("second stop signal, exiting now")
		os.Exit(exitError)
	}
	return nil
}

// close releases the log file after the service stopped.
func (p *program) close() {
	if p.logFile != nil {
		p.logFile.Close()
	}
}

func (p *program) systemInfo(msg string) {
	if p.system != nil {
		p.system.Info(msg)
	}
}

func (p *program) systemError(msg string) {
	if p.system != nil {
		p.system.Error(msg)
	}
}
