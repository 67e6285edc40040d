package main

import (
	"context"
	"flag"
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

func runAgent(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	config := fs.String("config", "", "config `FILE`")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	cfg, code := loadConfig(*config, stderr)
	if cfg == nil {
		return code
	}
	console := newConsole(stdout, stderr)
	log, closer, err := agent.NewLogger(cfg.Agent, console.logWriter())
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder: %v\n", err)
		return exitError
	}
	defer closer.Close()
	defer console.close()
	a, err := agent.New(cfg, log)
	if err != nil {
		log.Error("agent cannot start", "error", err)
		return exitError
	}
	console.show(a.Tracker())
	prg := &program{agent: a, log: log, grace: cfg.Agent.ShutdownGrace.D()}
	svc, err := service.New(prg, serviceConfig(cfg.File))
	if err != nil {
		log.Error("service setup failed", "error", err)
		return exitError
	}
	// Run returns after the service manager stops the service, or, in a
	// terminal, after SIGINT or SIGTERM; it calls program.Stop first.
	if err := svc.Run(); err != nil {
		log.Error("agent failed", "error", err)
		return exitError
	}
	return exitOK
}

// serviceConfig describes the service that runs the agent with the config
// at configFile, an absolute path.
func serviceConfig(configFile string) *service.Config {
	return &service.Config{
		Name:        "hotfolder",
		DisplayName: "hotfolder agent",
		Description: "Uploads files dropped into watched folders to an HTTP endpoint.",
		Arguments:   []string{"run", "--config", configFile},
	}
}

// program adapts the agent to service.Interface: Start returns at once and
// the agent runs in the background; Stop waits for it to finish.
type program struct {
	agent  *agent.Agent
	log    *slog.Logger
	grace  time.Duration
	cancel context.CancelFunc
	done   chan struct{}
}

func (p *program) Start(service.Service) error {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.done = make(chan struct{})
	go func() {
		defer close(p.done)
		if err := p.agent.Run(ctx); err != nil {
			p.log.Error("agent stopped with an error", "error", err)
		}
	}()
	return nil
}

// Stop stops the agent. A second SIGINT or SIGTERM while it drains exits at
// once; the files in flight stay in the inbox.
func (p *program) Stop(service.Service) error {
	second := make(chan os.Signal, 1)
	signal.Notify(second, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(second)
	p.log.Info("stopping agent", "grace", p.grace)
	p.cancel()
	select {
	case <-p.done:
	case <-second:
		p.log.Warn("second stop signal, exiting now")
		os.Exit(exitError)
	}
	return nil
}
