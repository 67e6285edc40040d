package watcher

import "github.com/fsnotify/fsnotify"

// notifyBufferSize is the ReadDirectoryChangesW buffer per watched folder,
// raised from fsnotify's 64 KiB default so bursts of events overflow less.
const notifyBufferSize = 256 << 10

// addNotify watches dir. SMB shares reject buffers above 64 KiB, so a
// failure with the large buffer is retried with fsnotify's default.
func addNotify(n *fsnotify.Watcher, dir string) error {
	if err := n.AddWith(dir, fsnotify.WithBufferSize(notifyBufferSize)); err == nil {
		return nil
	}
	return n.Add(dir)
}
