//go:build !windows

package watcher

import "github.com/fsnotify/fsnotify"

// addNotify watches dir.
func addNotify(n *fsnotify.Watcher, dir string, root bool) error {
	return n.Add(dir)
}
