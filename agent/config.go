package agent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is the agent's whole configuration, read from a TOML file.
type Config struct {
	Agent   AgentConfig    `toml:"agent"`
	Folders []FolderConfig `toml:"folder"`

	// File is the absolute path of the config file; relative paths in it
	// resolve against its folder.
	File string `toml:"-"`
}

// AgentConfig is the [agent] table.
type AgentConfig struct {
	LogFile       string    `toml:"log_file"`         // default "logs/hotfolder.log" beside the config
	LogLevel      string    `toml:"log_level"`        // debug, info, warn, error; default info
	LogFormat     string    `toml:"log_format"`       // text or json; default text
	LogMaxSizeMB  int       `toml:"log_max_size_mb"`  // rotate at this size; default 50
	LogMaxBackups int       `toml:"log_max_backups"`  // rotated files kept; default 10
	LogMaxAgeDays int       `toml:"log_max_age_days"` // rotated files older than this are removed; default 90
	LogCompress   bool      `toml:"log_compress"`     // gzip rotated files; default true
	StateDir      string    `toml:"state_dir"`        // default "state" beside the config
	MaxUploads    int       `toml:"max_uploads"`      // uploads in flight at most; default 4
	ShutdownGrace Duration  `toml:"shutdown_grace"`   // time in-flight uploads get to finish on stop; default 10s
	Bandwidth     Bandwidth `toml:"bandwidth"`        // cap shared by all uploads; default off
	MemoryWarnMB  int       `toml:"memory_warn_mb"`   // log a warning above this; default 256, 0 off
	MemoryLimitMB int       `toml:"memory_limit_mb"`  // lower concurrency and pause intake above this; default 512, 0 off

	StatusListen      string `toml:"status_listen"`       // host:port of /status, /metrics, /healthz; default "", off
	StatusAllowRemote bool   `toml:"status_allow_remote"` // allow a non-loopback status_listen; default false
}

// FolderConfig is one [[folder]] table: an inbox and where its files go.
type FolderConfig struct {
	Name        string       `toml:"name"`         // default: the inbox's base name
	Inbox       string       `toml:"inbox"`        // required
	Done        string       `toml:"done"`         // default "<inbox>/done"
	Failed      string       `toml:"failed"`       // default "<inbox>/failed"
	Recursive   bool         `toml:"recursive"`    // default false
	Include     []string     `toml:"include"`      // default: every file
	Exclude     []string     `toml:"exclude"`      // added to DefaultExclude
	Settle      Duration     `toml:"settle"`       // default 2s
	Rescan      Duration     `toml:"rescan"`       // default 1m
	Watch       string       `toml:"watch"`        // auto or poll; default auto
	ReadyMarker string       `toml:"ready_marker"` // e.g. ".ready"; default none
	KeepDone    string       `toml:"keep_done"`    // delete files from done this long after filing, e.g. "30d"; default "", keep
	DoneLayout  string       `toml:"done_layout"`  // Go time layout of dated subfolders of done, e.g. "2006-01-02"; default none
	Bandwidth   Bandwidth    `toml:"bandwidth"`    // cap for this folder's uploads; default off
	Upload      UploadConfig `toml:"upload"`

	keepDone time.Duration // KeepDone parsed; 0 keeps files forever
}

// UploadConfig is a folder's [folder.upload] table.
type UploadConfig struct {
	URL          string            `toml:"url"`           // required, http or https
	Method       string            `toml:"method"`        // POST or PUT; default POST
	Mode         string            `toml:"mode"`          // multipart or raw; default multipart
	Field        string            `toml:"field"`         // multipart file part name; default "file"
	Fields       map[string]string `toml:"fields"`        // extra multipart form fields
	Headers      map[string]string `toml:"headers"`       // extra request headers
	TokenEnv     string            `toml:"token_env"`     // environment variable holding the bearer token
	TokenFile    string            `toml:"token_file"`    // file holding the bearer token
	Timeout      Duration          `toml:"timeout"`       // limit for one attempt; default 0, no limit
	StallTimeout Duration          `toml:"stall_timeout"` // abort after this long without progress; default 60s
	RetryMin     Duration          `toml:"retry_min"`     // first retry delay; default 1s
	RetryMax     Duration          `toml:"retry_max"`     // maximum retry delay; default 5m
	RetryFor     Duration          `toml:"retry_for"`     // give up after retrying this long; default 0, forever
	CAFile       string            `toml:"ca_file"`       // PEM CA certificate added to the system roots
	ClientCert   string            `toml:"client_cert"`   // PEM client certificate for mutual TLS
	ClientKey    string            `toml:"client_key"`    // PEM key of client_cert
	Proxy        string            `toml:"proxy"`         // proxy URL; default from HTTPS_PROXY, HTTP_PROXY, NO_PROXY

	token string // read from TokenEnv or TokenFile; never printed
}

// Token returns the bearer token read at load time, "" when none is set.
func (u *UploadConfig) Token() string { return u.token }

// DefaultExclude lists the names never uploaded: hidden files, and the
// temporary names of editors, browsers and copy tools.
var DefaultExclude = []string{".*", "~$*", "*.tmp", "*.part", "*.partial", "*.crdownload", ".~lock*"}

// Load reads, checks and resolves the config file at path. The returned
// error lists every problem found, each with the file, line where known,
// key, bad value and what is allowed.
func Load(path string) (*Config, error) {
	return load(path, false)
}

// LoadSettings is Load without reading the bearer token, for commands
// that need only the config's paths and addresses, such as status, and
// may run in a shell that lacks the service's environment.
func LoadSettings(path string) (*Config, error) {
	return load(path, true)
}

func load(path string, skipToken bool) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("config file %q: %w", path, err)
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("config file %s not found: pass --config with the path of an agent.toml (agent.toml.example shows every key)", abs)
		}
		return nil, fmt.Errorf("read config: %w", err)
	}
	return parse(data, abs, skipToken)
}

// Parse is Load for config text already read; file names the config file,
// used in messages and to resolve relative paths.
func Parse(data []byte, file string) (*Config, error) {
	return parse(data, file, false)
}

func parse(data []byte, file string, skipToken bool) (*Config, error) {
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return nil, decodeError(err, file)
	}
	lines := keyLines(data)
	if errs := checkTypes(doc, lines, file); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	cfg := &Config{File: file}
	md, err := toml.Decode(string(data), cfg)
	if err != nil {
		return nil, decodeError(err, file)
	}
	var errs []error
	var unknown []string
	for _, key := range undecodedKeys(md) {
		if underAny(key, unknown) {
			continue // inside an unknown table, already reported
		}
		unknown = append(unknown, key)
		errs = append(errs, &FieldError{File: file, Line: lines[key], Key: key, Msg: unknownKeyMessage(key)})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	v := &validator{file: file, lines: lines, skipToken: skipToken}
	cfg.checkUnresolved(v)
	cfg.applyDefaults(definedKeys(md))
	cfg.check(v)
	if err := v.err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// decodeError turns a TOML decoder error into a FieldError with its line.
func decodeError(err error, file string) error {
	var pe toml.ParseError
	var ppe *toml.ParseError
	if errors.As(err, &ppe) {
		pe = *ppe
	}
	if errors.As(err, &pe) || ppe != nil {
		msg := pe.Message
		if strings.HasPrefix(msg, "invalid escape") {
			msg += `: in double quotes a backslash starts an escape, so write a Windows path in single quotes ('C:\Scans') or double each backslash ("C:\\Scans")`
		}
		return &FieldError{File: file, Line: pe.Position.Line, Key: pe.LastKey, Msg: msg}
	}
	return fmt.Errorf("%s: %w", file, err)
}
