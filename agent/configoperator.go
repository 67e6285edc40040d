package agent

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/hotfolder/hotfolder/agent/status"
)

// minKeepDone is the shortest keep_done accepted, so a slip such as "30m"
// for thirty months cannot empty a done folder within the hour.
const minKeepDone = time.Hour

// checkOperatorKeys checks the keys of the status page and of retention,
// and parses keep_done.
func (c *Config) checkOperatorKeys(v *validator) {
	a := &c.Agent
	if a.StatusListen != "" {
		if err := status.CheckListen(a.StatusListen, a.StatusAllowRemote); err != nil {
			v.addf("agent.status_listen", "%v", err)
		}
	}
	for i := range c.Folders {
		f := &c.Folders[i]
		key := fmt.Sprintf("folder[%d]", i)
		if f.KeepDone != "" {
			d, err := parseDuration(f.KeepDone)
			switch {
			case err != nil:
				v.addf(key+".keep_done", "%v", err)
			case d < minKeepDone:
				v.addf(key+".keep_done", "invalid value %q: use at least \"1h\", such as \"30d\", or \"\" to keep files forever", f.KeepDone)
			default:
				f.keepDone = d
			}
		}
		if err := checkDoneLayout(f.DoneLayout); err != nil {
			v.addf(key+".done_layout", "%v", err)
		}
	}
}

// KeepDoneFor returns how long files stay in done after filing; 0 keeps
// them forever.
func (f *FolderConfig) KeepDoneFor() time.Duration { return f.keepDone }

// checkDoneLayout accepts "" and Go time layouts that format to a
// relative, slash-separated folder path that changes with the date.
func checkDoneLayout(layout string) error {
	if layout == "" {
		return nil
	}
	samples := []string{
		time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC).Format(layout),
		time.Date(2012, 11, 24, 16, 45, 57, 0, time.UTC).Format(layout),
	}
	if samples[0] == samples[1] {
		return fmt.Errorf("invalid value %q: it contains no date element; use a Go time layout such as \"2006-01-02\" or \"2006/01\"", layout)
	}
	for _, s := range samples {
		bad := strings.ContainsAny(s, `\:*?"<>|`) || path.IsAbs(s) || path.Clean(s) != s ||
			s == ".." || strings.HasPrefix(s, "../")
		if bad {
			return fmt.Errorf("invalid value %q: it formats to %q; use a relative folder path with \"/\" between levels and none of \\ : * ? \" < > |, such as \"2006-01-02\"", layout, s)
		}
	}
	return nil
}

// doneRel returns where below its done folder a file with inbox path rel
// is filed when the server accepted it at t: rel itself, or rel inside
// the dated subfolder of done_layout, in local time.
func doneRel(f *FolderConfig, rel string, t time.Time) string {
	if f.DoneLayout == "" {
		return rel
	}
	return path.Join(t.Local().Format(f.DoneLayout), rel)
}
