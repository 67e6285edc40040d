//go:build !windows

package main

// configureRecovery does nothing outside Windows: the systemd unit's
// Restart=on-failure and launchd's KeepAlive restart the agent.
func configureRecovery(string) error { return nil }
