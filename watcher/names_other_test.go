//go:build !linux

package watcher

// extraNames returns no names beyond the portable ones.
func extraNames() []string { return nil }
