package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/hotfolder/hotfolder/agent"
	"github.com/hotfolder/hotfolder/uploader"
)

const validateUsage = `Usage: hotfolder validate [--config FILE] [--probe]

Checks a config without starting anything and prints the resolved
settings, with relative paths made absolute and secrets redacted. A
problem is reported with the file, line, key, bad value and what is
allowed. --probe also sends each folder's endpoint an OPTIONS request,
else HEAD, and reports whether it responds.

FILE defaults to %s.
Exit status: 0 for a valid config, 2 for an invalid one, 1 when a probe
fails.

Flags:
`

func runValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), validateUsage, defaultConfigFile(runtime.GOOS, os.Getenv))
		fs.PrintDefaults()
	}
	config := fs.String("config", "", "config `FILE` to check")
	probe := fs.Bool("probe", false, "also check that each folder's endpoint answers (OPTIONS, else HEAD)")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	cfg, code := loadConfig(*config, stderr)
	if cfg == nil {
		return code
	}
	fmt.Fprintf(stdout, "# %s is valid; resolved settings (secrets redacted):\n", cfg.File)
	if err := toml.NewEncoder(stdout).Encode(redacted(cfg)); err != nil {
		fmt.Fprintf(stderr, "hotfolder validate: print settings: %v\n", err)
		return exitError
	}
	if *probe && !probeEndpoints(context.Background(), cfg, stdout) {
		return exitError
	}
	return exitOK
}

// loadConfig loads the config at path, printing any problem to stderr.
func loadConfig(path string, stderr io.Writer) (*agent.Config, int) {
	if path == "" {
		path = defaultConfigFile(runtime.GOOS, os.Getenv)
	}
	cfg, err := agent.Load(path)
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder: invalid config:\n%v\n", err)
		return nil, exitUsage
	}
	return cfg, exitOK
}

// sensitiveHeaderWords mark header names whose values are not printed.
var sensitiveHeaderWords = []string{"auth", "token", "key", "secret", "cookie", "password", "session"}

// redacted returns a copy of cfg safe to print: the values of headers that
// look like credentials are replaced. Tokens are never part of Config's
// printable fields.
func redacted(cfg *agent.Config) *agent.Config {
	out := *cfg
	out.Folders = append([]agent.FolderConfig(nil), cfg.Folders...)
	for i := range out.Folders {
		h := map[string]string{}
		for k, v := range out.Folders[i].Upload.Headers {
			for _, w := range sensitiveHeaderWords {
				if strings.Contains(strings.ToLower(k), w) {
					v = "REDACTED"
				}
			}
			h[k] = v
		}
		out.Folders[i].Upload.Headers = h
		out.Folders[i].Upload.URL = uploader.RedactURL(out.Folders[i].Upload.URL)
		if p := out.Folders[i].Upload.Proxy; p != "" {
			out.Folders[i].Upload.Proxy = uploader.RedactURL(p)
		}
	}
	return &out
}
