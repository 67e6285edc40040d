package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hotfolder/hotfolder/agent"
	"github.com/hotfolder/hotfolder/agent/status"
	"github.com/kardianos/service"
)

const statusUsage = `Usage: hotfolder status [--config FILE] [--recent N]

Shows the service's state (running, stopped, not installed), the config
and log file, and, from the agent's status page (status_listen in the
config), the queue, uploads in flight and recent outcomes.

FILE defaults to %s.
Exit status: 1 when there is no service manager, the service has failed,
the config does not load or the status page does not respond, 2 for a bad
flag, else 0.

Flags:
`

// runStatus prints the service's state, the config and log file it uses
// and, from the agent's status page, its queue, uploads in flight and
// recent outcomes. It reads the config only; it never opens the agent's
// log file. It exits 1 when there is no service manager, the service has
// failed or the status page does not respond.
func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), statusUsage, defaultConfigFile(runtime.GOOS, os.Getenv))
		fs.PrintDefaults()
	}
	config := fs.String("config", "", "config `FILE` of the agent (default "+defaultConfigFile(runtime.GOOS, os.Getenv)+")")
	recent := fs.Int("recent", 10, "show this many recent outcomes, newest first")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	file, err := configFileOrDefault(*config, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder status: invalid --config %q: %v\n", *config, err)
		return exitUsage
	}

	state, code := serviceState(file)
	fmt.Fprintf(stdout, "service:  %s\n", state)

	cfg, err := agent.LoadSettings(file)
	if err != nil {
		fmt.Fprintf(stdout, "config:   %s cannot be loaded; \"hotfolder validate --config %s\" says why\n", file, file)
		return exitError
	}
	fmt.Fprintf(stdout, "config:   %s\nlog file: %s\n", cfg.File, cfg.Agent.LogFile)

	listen := cfg.Agent.StatusListen
	if listen == "" {
		fmt.Fprintf(stdout, "agent:    status page is off; to see the queue and uploads here, set status_listen = \"127.0.0.1:7755\" in the [agent] table of %s and restart the agent\n", cfg.File)
		return code
	}
	url := "http://" + status.DialAddress(listen) + "/status"
	snap, err := fetchStatus(ctx, url)
	if err != nil {
		fmt.Fprintf(stdout, "agent:    not reachable at %s: %v\n", url, err)
		return exitError
	}
	renderStatus(stdout, snap, *recent)
	return code
}

// serviceState returns the state of the service that runs the agent with
// configFile, in words, and exitError when there is no service manager or
// the service has failed.
func serviceState(configFile string) (string, int) {
	if reason := missingServiceManager(runtime.GOOS, systemdRuntimeDir); reason != "" {
		return reason, exitError
	}
	svc, err := service.New(&program{configFile: configFile}, serviceConfig(configFile))
	if err != nil {
		return fmt.Sprintf("unknown: %v", err), exitError
	}
	st, err := svc.Status()
	switch {
	case errors.Is(err, service.ErrNotInstalled):
		return "not installed", exitOK
	case err != nil && strings.Contains(err.Error(), "failed state"):
		// NOTE: the service library reports systemd's failed state only
		// in its error text.
		return "failed: it exited with an error (" + systemLogHint(runtime.GOOS) + ")", exitError
	case err != nil:
		return fmt.Sprintf("unknown: the service manager (%s) returned: %v", service.ChosenSystem(), err), exitError
	case st == service.StatusRunning:
		return "running", exitOK
	}
	return "stopped", exitOK
}

func fetchStatus(ctx context.Context, url string) (status.Snapshot, error) {
	var snap status.Snapshot
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return snap, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return snap, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return snap, fmt.Errorf("HTTP %d from the status page", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&snap); err != nil {
		return snap, fmt.Errorf("invalid status JSON: %w", err)
	}
	return snap, nil
}

// renderStatus writes snap as readable tables, with at most recent
// outcomes.
func renderStatus(w io.Writer, snap status.Snapshot, recent int) {
	health := "healthy"
	if !snap.Healthy {
		health = "unhealthy: " + strings.Join(snap.Problems, "; ")
	}
	fmt.Fprintf(w, "agent:    %s, version %s, up %s, %s\n", snap.State, snap.Version,
		snap.Time.Sub(snap.Started).Round(time.Second), health)
	q := snap.Queue
	fmt.Fprintf(w, "queue:    %d files (%s) waiting, %d waiting to retry, %d uploading at %s, ETA %s\n",
		q.Files, formatSize(q.Bytes), q.RetryWaiting, q.InFlight, formatRate(q.Rate), formatETA(q.ETASeconds))

	section(w, "FOLDERS", "FOLDER\tHEALTH\tQUEUED\tRETRYING\tUPLOADING\tDONE\tFAILED", len(snap.Folders), func(tw io.Writer) {
		for _, f := range snap.Folders {
			h := "ok"
			if !f.Healthy {
				h = f.Problem
			}
			fmt.Fprintf(tw, "%s\t%s\t%d (%s)\t%d\t%d\t%d\t%d\n", f.Name, h, f.QueueFiles, formatSize(f.QueueBytes),
				f.RetryWaiting, f.InFlight, f.Uploaded, f.Failed)
		}
	})
	section(w, "IN FLIGHT", "FOLDER\tFILE\tSENT\tSIZE\tPROGRESS\tRATE\tETA\tATTEMPT", len(snap.InFlight), func(tw io.Writer) {
		for _, u := range snap.InFlight {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1f%%\t%s\t%s\t%d\n", u.Folder, u.File, formatSize(u.Sent),
				formatSize(u.Size), u.Percent, formatRate(u.Rate), strings.TrimPrefix(uploadETA(u), "ETA "), u.Attempt)
		}
	})
	outcomes := snap.Recent[:min(max(recent, 0), len(snap.Recent))]
	section(w, "RECENT, NEWEST FIRST", "TIME\tFOLDER\tFILE\tOUTCOME\tSIZE\tDURATION\tHTTP\tCLASS\tERROR", len(outcomes), func(tw io.Writer) {
		for _, o := range outcomes {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", o.Time.Local().Format(time.DateTime), o.Folder, o.File,
				o.Outcome, formatSize(o.Bytes), o.Duration.Round(time.Millisecond), orDash(o.Status), orDash(o.Class),
				orDash(clip(o.Error, 70)))
		}
	})
	classes := sortedKeys(snap.LastErrors)
	section(w, "LAST ERROR PER CLASS", "CLASS\tTIME\tFOLDER\tFILE\tERROR", len(classes), func(tw io.Writer) {
		for _, c := range classes {
			o := snap.LastErrors[c]
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c, o.Time.Local().Format(time.DateTime), o.Folder, o.File, clip(o.Error, 90))
		}
	})
}

// section writes a titled table, or the title and "none" when it has no
// rows.
func section(w io.Writer, title, header string, rows int, body func(io.Writer)) {
	fmt.Fprintf(w, "\n%s\n", title)
	if rows == 0 {
		fmt.Fprintln(w, "  none")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	body(tw)
	tw.Flush()
}

func orDash[T comparable](v T) string {
	var zero T
	if v == zero {
		return "-"
	}
	return fmt.Sprint(v)
}

// clip shortens s to at most n runes, on one line.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-3]) + "..."
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
