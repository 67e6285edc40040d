package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/hotfolder/hotfolder/agent"
)

// versionString names the version, the commit when the build recorded one,
// and the platform.
func versionString() string {
	v := agent.Version
	if info, ok := debug.ReadBuildInfo(); ok && v == "dev" {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += "+" + s.Value[:12]
			}
		}
	}
	return fmt.Sprintf("hotfolder %s %s/%s %s", v, runtime.GOOS, runtime.GOARCH, runtime.Version())
}
