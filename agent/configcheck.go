package agent

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/hotfolder/hotfolder/uploader"
)

// minSettle is the shortest settle time accepted: below it, a writer's
// pauses between writes would pass for the end of the file.
const minSettle = 100 * time.Millisecond

// validator collects every problem in a config, so one run of validate
// shows them all.
type validator struct {
	file      string
	lines     map[string]int
	errs      []error
	skipToken bool // leave token_env and token_file unread
}

func (v *validator) addf(key, format string, args ...any) {
	v.errs = append(v.errs, &FieldError{File: v.file, Line: v.lines[key], Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) err() error { return errors.Join(v.errs...) }

// reported reports whether a problem with key is already recorded.
func (v *validator) reported(key string) bool {
	for _, err := range v.errs {
		if fe, ok := err.(*FieldError); ok && fe.Key == key {
			return true
		}
	}
	return false
}

// applyDefaults fills every key the file left out. defined holds the keys
// present in the file, in indexed form, so an explicit false or 0 is kept.
func (c *Config) applyDefaults(defined map[string]bool) {
	a := &c.Agent
	dir := filepath.Dir(c.File)
	a.LogFile = resolvePath(dir, orDefault(a.LogFile, filepath.Join("logs", "hotfolder.log")))
	a.LogLevel = strings.ToLower(orDefault(a.LogLevel, "info"))
	a.LogFormat = strings.ToLower(orDefault(a.LogFormat, "text"))
	a.StateDir = resolvePath(dir, orDefault(a.StateDir, "state"))
	setDefault(&a.LogMaxSizeMB, 50, defined["agent.log_max_size_mb"])
	setDefault(&a.LogMaxBackups, 10, defined["agent.log_max_backups"])
	setDefault(&a.LogMaxAgeDays, 90, defined["agent.log_max_age_days"])
	setDefault(&a.LogCompress, true, defined["agent.log_compress"])
	setDefault(&a.MaxUploads, 4, defined["agent.max_uploads"])
	setDefault(&a.ShutdownGrace, Duration(10*time.Second), defined["agent.shutdown_grace"])
	setDefault(&a.MemoryWarnMB, 256, defined["agent.memory_warn_mb"])
	setDefault(&a.MemoryLimitMB, 512, defined["agent.memory_limit_mb"])
	for i := range c.Folders {
		c.Folders[i].applyDefaults(dir, func(key string) bool { return defined[fmt.Sprintf("folder[%d].%s", i, key)] })
	}
}

func (f *FolderConfig) applyDefaults(dir string, defined func(string) bool) {
	if f.Inbox != "" {
		f.Inbox = resolvePath(dir, f.Inbox)
		f.Done = resolvePath(dir, orDefault(f.Done, filepath.Join(f.Inbox, "done")))
		f.Failed = resolvePath(dir, orDefault(f.Failed, filepath.Join(f.Inbox, "failed")))
		f.Name = orDefault(f.Name, filepath.Base(f.Inbox))
	}
	setDefault(&f.Settle, Duration(2*time.Second), defined("settle"))
	setDefault(&f.Rescan, Duration(time.Minute), defined("rescan"))
	f.Watch = strings.ToLower(orDefault(f.Watch, "auto"))
	u := &f.Upload
	u.Method = strings.ToUpper(orDefault(u.Method, http.MethodPost))
	u.Mode = strings.ToLower(orDefault(u.Mode, "multipart"))
	u.Field = orDefault(u.Field, "file")
	setDefault(&u.StallTimeout, Duration(time.Minute), defined("upload.stall_timeout"))
	setDefault(&u.RetryMin, Duration(time.Second), defined("upload.retry_min"))
	setDefault(&u.RetryMax, Duration(5*time.Minute), defined("upload.retry_max"))
	for _, p := range []*string{&u.TokenFile, &u.CAFile, &u.ClientCert, &u.ClientKey} {
		if *p != "" {
			*p = resolvePath(dir, *p)
		}
	}
}

func orDefault(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}

func setDefault[T comparable](p *T, def T, defined bool) {
	var zero T
	if !defined && *p == zero {
		*p = def
	}
}

// checkUnresolved checks values whose meaning resolving them would hide:
// filepath.Join drops the separator that ends "logs/", so the log would
// go to a file named logs.
func (c *Config) checkUnresolved(v *validator) {
	if p := c.Agent.LogFile; p != "" && os.IsPathSeparator(p[len(p)-1]) {
		v.addf("agent.log_file", "invalid value %q: it ends with a path separator, so it names a folder: name a file in it, such as %q",
			p, p+"hotfolder.log")
	}
}

// resolvePath makes p absolute against the config file's folder, never the
// working directory, because a Windows service starts in System32.
func resolvePath(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

func (c *Config) check(v *validator) {
	a := &c.Agent
	oneOf(v, "agent.log_level", a.LogLevel, "debug", "info", "warn", "error")
	oneOf(v, "agent.log_format", a.LogFormat, "text", "json")
	atLeast(v, "agent.log_max_size_mb", a.LogMaxSizeMB, 1)
	atLeast(v, "agent.log_max_backups", a.LogMaxBackups, 0)
	atLeast(v, "agent.log_max_age_days", a.LogMaxAgeDays, 0)
	if a.MaxUploads < 1 || a.MaxUploads > 256 {
		v.addf("agent.max_uploads", "invalid value %d: use a number from 1 to 256", a.MaxUploads)
	}
	c.checkMemory(v)
	if len(c.Folders) == 0 {
		v.addf("folder", "no [[folder]] table: add at least one folder with an inbox and an [folder.upload] url")
	}
	names := map[string]int{}
	for i := range c.Folders {
		f := &c.Folders[i]
		key := fmt.Sprintf("folder[%d]", i)
		f.check(v, key)
		// Two folders with one inbox also share its default name. The
		// shared inbox is the one problem, and checkOverlaps reports it.
		if j, ok := names[f.Name]; ok && f.Name != "" && !samePath(f.Inbox, c.Folders[j].Inbox) {
			v.addf(key+".name", "duplicate folder name %q (also folder[%d]): give each folder its own name", f.Name, j)
		}
		names[f.Name] = i
	}
	c.checkOverlaps(v)
	c.checkAgentPaths(v)
	c.checkOperatorKeys(v)
}

// checkAgentPaths rejects a log file or state folder that a watcher would
// see or that filing and retention would touch: the agent would upload its
// own log, or move or delete its journal.
func (c *Config) checkAgentPaths(v *validator) {
	a := &c.Agent
	controlInPath(v, "agent.log_file", a.LogFile)
	controlInPath(v, "agent.state_dir", a.StateDir)
	for i := range c.Folders {
		f := &c.Folders[i]
		key := fmt.Sprintf("folder[%d]", i)
		// done and failed default to folders in the inbox: one message.
		if !controlInPath(v, key+".inbox", f.Inbox) {
			controlInPath(v, key+".done", f.Done)
			controlInPath(v, key+".failed", f.Failed)
		}
	}
	if st, err := os.Stat(a.LogFile); err == nil && st.IsDir() && !v.reported("agent.log_file") {
		v.addf("agent.log_file", "%s is a folder: name a file in it, such as %s", a.LogFile, filepath.Join(a.LogFile, "hotfolder.log"))
	}
	if st, err := os.Stat(a.StateDir); err == nil && !st.IsDir() {
		v.addf("agent.state_dir", "%s is a file: name a folder for the agent's journal and lock", a.StateDir)
	}
	for i := range c.Folders {
		f := &c.Folders[i]
		if f.Inbox == "" {
			continue
		}
		for _, in := range []struct{ name, path string }{{"inbox", f.Inbox}, {"done", f.Done}, {"failed", f.Failed}} {
			if samePath(a.LogFile, in.path) || within(a.LogFile, in.path) {
				v.addf("agent.log_file", "%s is inside the %s folder %s of folder[%d]: keep the log outside the folders the agent watches and files into", a.LogFile, in.name, in.path, i)
			}
			if samePath(a.StateDir, in.path) || within(a.StateDir, in.path) {
				v.addf("agent.state_dir", "%s overlaps the %s folder %s of folder[%d]: give the agent's state a folder of its own", a.StateDir, in.name, in.path, i)
			}
		}
	}
}

func (c *Config) checkMemory(v *validator) {
	a := &c.Agent
	// The Go runtime alone uses several MiB, so lower levels would pause
	// intake for good.
	for key, mb := range map[string]int{"agent.memory_warn_mb": a.MemoryWarnMB, "agent.memory_limit_mb": a.MemoryLimitMB} {
		if mb != 0 && mb < 32 {
			v.addf(key, "invalid value %d: use 32 or more, or 0 to turn the check off", mb)
		}
	}
	if a.MemoryWarnMB > 0 && a.MemoryLimitMB > 0 && a.MemoryWarnMB > a.MemoryLimitMB {
		v.addf("agent.memory_warn_mb", "invalid value %d: must not exceed memory_limit_mb (%d); the agent resumes below the warning level", a.MemoryWarnMB, a.MemoryLimitMB)
	}
}

func (f *FolderConfig) check(v *validator, key string) {
	if f.Inbox == "" {
		v.addf(key+".inbox", "missing: set inbox to the folder files are dropped into")
		return
	}
	inboxErr := creatable(f.Inbox)
	if inboxErr != nil {
		v.addf(key+".inbox", "%v", inboxErr)
	}
	for _, p := range []struct{ key, path string }{{"done", f.Done}, {"failed", f.Failed}} {
		// A done or failed folder inside an inbox that cannot be made
		// fails for the same reason, which is reported once, on inbox.
		if inboxErr != nil && within(p.path, f.Inbox) {
			continue
		}
		if err := creatable(p.path); err != nil {
			v.addf(key+"."+p.key, "%v", err)
		}
	}
	if f.Settle.D() < minSettle || f.Settle.D() > 24*time.Hour {
		v.addf(key+".settle", "invalid value %q: use a duration from \"100ms\" to \"24h\"; a file must stay unchanged this long before it is sent", f.Settle)
	}
	if f.Rescan.D() < time.Second {
		v.addf(key+".rescan", "invalid value %q: use a duration of at least \"1s\"; rescans find files that raised no event", f.Rescan)
	}
	oneOf(v, key+".watch", f.Watch, "auto", "poll")
	for _, g := range append(append([]string{}, f.Include...), f.Exclude...) {
		if _, err := path.Match(g, ""); err != nil {
			v.addf(key+".include", "invalid glob pattern %q: %v", g, err)
		}
	}
	if m := f.ReadyMarker; m != "" && (!strings.HasPrefix(m, ".") || strings.ContainsAny(m, `/\`) || len(m) < 2) {
		v.addf(key+".ready_marker", "invalid value %q: use a suffix that starts with a dot, such as \".ready\"", m)
	}
	f.Upload.check(v, key+".upload")
}

func (u *UploadConfig) check(v *validator, key string) {
	parsed, err := url.Parse(strings.ReplaceAll(u.URL, "{name}", "name"))
	switch {
	case u.URL == "":
		v.addf(key+".url", "missing: set url to the endpoint, such as \"https://files.example.com/upload\"")
	case err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "":
		v.addf(key+".url", "invalid value %q: use an absolute http:// or https:// URL", u.URL)
	case !validPort(parsed.Port()):
		v.addf(key+".url", "invalid value %q: port %s is out of range: use a port from 1 to 65535", u.URL, parsed.Port())
	case parsed.User != nil:
		v.addf(key+".url", "the URL contains a user name or password: put the credential in token_env or token_file instead")
	}
	for _, ph := range placeholder.FindAllString(u.URL, -1) {
		if ph != "{name}" {
			v.addf(key+".url", "unknown placeholder %s in %q: the only placeholder is {name}, which raw mode replaces with the file's path below the inbox", ph, u.URL)
		}
	}
	oneOf(v, key+".method", u.Method, http.MethodPost, http.MethodPut)
	oneOf(v, key+".mode", u.Mode, "multipart", "raw")
	if u.Mode != "raw" && strings.Contains(u.URL, "{name}") {
		v.addf(key+".url", "{name} in the URL needs mode = \"raw\"; in multipart mode the name travels in the form part")
	}
	for h, val := range u.Headers {
		switch {
		case strings.EqualFold(h, "Authorization"):
			v.addf(key+".headers", "the Authorization header is not allowed inline: set token_env or token_file, which are never written to logs")
		case !validHeaderName(h):
			v.addf(key+".headers", "invalid header name %q: use letters, digits and - only, such as \"X-Source\"", h)
		case !validHeaderValue(val):
			v.addf(key+".headers", "the value of header %q has a line break or control character: put it on one line", h)
		}
	}
	if u.RetryMin.D() <= 0 {
		v.addf(key+".retry_min", "invalid value %q: use a positive duration such as \"1s\"", u.RetryMin)
	}
	if u.RetryMax.D() < u.RetryMin.D() {
		v.addf(key+".retry_max", "invalid value %q: must be at least retry_min (%s)", u.RetryMax, u.RetryMin)
	}
	if !v.skipToken {
		u.loadToken(v, key)
	}
	if _, err := uploader.TLSConfig(u.CAFile, u.ClientCert, u.ClientKey); err != nil {
		v.addf(key+".ca_file", "%v", err)
	}
	if _, err := uploader.ProxyFunc(u.Proxy); err != nil {
		v.addf(key+".proxy", "%v", err)
	}
}

// placeholder matches a {...} placeholder in a URL.
var placeholder = regexp.MustCompile(`\{[^{}]*\}`)

// validPort reports whether port, from url.URL.Port, is empty or a TCP
// port number. url.Parse checks only that it is digits.
func validPort(port string) bool {
	if port == "" {
		return true
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}

// loadToken reads the bearer token from its source. The token itself never
// appears in a message.
func (u *UploadConfig) loadToken(v *validator, key string) {
	switch {
	case u.TokenEnv != "" && u.TokenFile != "":
		v.addf(key+".token_env", "token_env and token_file are both set: keep one")
	case u.TokenEnv != "":
		u.token = strings.TrimSpace(os.Getenv(u.TokenEnv))
		if u.token == "" {
			v.addf(key+".token_env", "environment variable %s is empty or not set: set it for the agent's process or use token_file", u.TokenEnv)
		}
	case u.TokenFile != "":
		data, err := os.ReadFile(u.TokenFile)
		if err != nil {
			v.addf(key+".token_file", "cannot read %s: %v", u.TokenFile, errors.Unwrap(err))
			return
		}
		u.token = strings.TrimSpace(string(data))
		if u.token == "" {
			v.addf(key+".token_file", "%s is empty: write the bearer token into it", u.TokenFile)
		}
	}
}

// checkOverlaps rejects folder layouts that would loop: a done or failed
// folder equal to an inbox, or an inbox inside a done or failed folder.
// A done or failed folder inside its own inbox is fine: it is never
// watched.
func (c *Config) checkOverlaps(v *validator) {
	for i := range c.Folders {
		f := &c.Folders[i]
		if f.Inbox == "" {
			continue
		}
		key := fmt.Sprintf("folder[%d]", i)
		if samePath(f.Done, f.Failed) {
			v.addf(key+".failed", "%s is also the done folder: give failed files a folder of their own", f.Failed)
		}
		for j := range c.Folders {
			g := &c.Folders[j]
			if g.Inbox == "" {
				continue
			}
			if i != j && samePath(f.Inbox, g.Inbox) {
				// Reported once, on the later folder. The checks below
				// would only restate it through g's done and failed.
				if j < i {
					v.addf(key+".inbox", "%s is also the inbox of folder[%d]: each inbox belongs to one folder", f.Inbox, j)
				}
				continue
			}
			if i != j && f.Recursive && within(g.Inbox, f.Inbox) {
				// f would watch g's inbox too and send its files twice.
				v.addf(key+".inbox", "%s is recursive and would also watch the inbox %s of folder[%d], sending its files twice: move one inbox out of the other", f.Inbox, g.Inbox, j)
			}
			for _, out := range []struct{ name, path string }{{"done", g.Done}, {"failed", g.Failed}} {
				if samePath(f.Inbox, out.path) || within(f.Inbox, out.path) {
					v.addf(key+".inbox", "%s is inside the %s folder %s of folder[%d]: files would be sent again after filing; use separate folders", f.Inbox, out.name, out.path, j)
				}
				if i != j && within(out.path, f.Inbox) && (f.Recursive || samePath(filepath.Dir(out.path), f.Inbox)) {
					v.addf(key+".inbox", "%s would pick up the %s folder %s of folder[%d]: move that folder out of this inbox", f.Inbox, out.name, out.path, j)
				}
			}
		}
	}
}

// creatable returns nil when p is a folder or could be made: its nearest
// existing ancestor is a folder.
func creatable(p string) error {
	for cur := p; ; cur = filepath.Dir(cur) {
		st, err := os.Stat(cur)
		if err == nil {
			switch {
			case st.IsDir():
				return nil
			case cur == p:
				return fmt.Errorf("%s is a file: name a folder", p)
			}
			return fmt.Errorf("%s cannot be created: %s is a file", p, cur)
		}
		// Below a file, stat fails with ENOTDIR on Unix, so the walk goes
		// on up to name that file.
		if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return fmt.Errorf("%s cannot be checked: %v", p, err)
		}
		if filepath.Dir(cur) == cur {
			return fmt.Errorf("%s cannot be created: no part of the path exists", p)
		}
	}
}

func oneOf(v *validator, key, val string, allowed ...string) {
	for _, a := range allowed {
		if val == a {
			return
		}
	}
	v.addf(key, "invalid value %q: use one of %s", val, strings.Join(allowed, ", "))
}

func atLeast(v *validator, key string, val, lo int) {
	if val < lo {
		v.addf(key, "invalid value %d: use %d or more", val, lo)
	}
}

func normPath(p string) string {
	p = filepath.Clean(p)
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		p = strings.ToLower(p)
	}
	return p
}

func samePath(a, b string) bool { return normPath(a) == normPath(b) }

// within reports whether child is strictly inside parent.
func within(child, parent string) bool {
	rel, err := filepath.Rel(normPath(parent), normPath(child))
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// validHeaderName reports whether name is an HTTP token (RFC 9110, 5.1).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if r > 0x7e || !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return true
}

// validHeaderValue reports whether val has no control character other
// than a tab (RFC 9110, 5.5).
func validHeaderValue(val string) bool {
	for _, r := range val {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return false
		}
	}
	return true
}

// controlInPath rejects a path with a control character, which in a
// config comes from a Windows path in double quotes: "C:\temp" holds a
// tab. It reports whether it found one.
func controlInPath(v *validator, key, p string) bool {
	if !strings.ContainsFunc(p, unicode.IsControl) {
		return false
	}
	v.addf(key, "%q contains a control character, such as a tab from \\t in double quotes: write Windows paths in single quotes, such as 'C:\\temp', or double each backslash", p)
	return true
}
