package main

import (
	"path/filepath"
	"runtime"
	"strings"
)

// defaultConfigFile returns the config file that run and the service
// commands use without --config: %ProgramData%\hotfolder\agent.toml on
// Windows (C:\ProgramData when the variable is unset) and
// /etc/hotfolder/agent.toml elsewhere. The packages install their config
// there.
func defaultConfigFile(goos string, getenv func(string) string) string {
	if goos != "windows" {
		return "/etc/hotfolder/agent.toml"
	}
	programData := strings.TrimRight(getenv("ProgramData"), `\/`)
	if programData == "" {
		programData = `C:\ProgramData`
	}
	return programData + `\hotfolder\agent.toml`
}

// configFileOrDefault returns the absolute path of the --config value, or
// of the default config file when the flag was not given.
func configFileOrDefault(flagValue string, getenv func(string) string) (string, error) {
	if flagValue == "" {
		return defaultConfigFile(runtime.GOOS, getenv), nil
	}
	return filepath.Abs(flagValue)
}
