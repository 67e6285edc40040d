package watcher

import "github.com/fsnotify/fsnotify"

// rootBufferSize is the ReadDirectoryChangesW buffer for the inbox itself,
// raised from fsnotify's 64 KiB default so a burst of files dropped into
// the inbox overflows less. Subfolders keep the default because fsnotify
// allocates the buffer for every watched folder.
const rootBufferSize = 256 << 10

// addNotify watches dir. fsnotify documents 64 KiB as the largest buffer
// guaranteed to work on SMB shares, so a failure with the large buffer is
// retried with the default.
//
// NOTE: fsnotify 1.10.1 opens dir without the \\?\ prefix, so where the
// LongPathsEnabled policy is off, Windows likely rejects a folder path
// longer than MAX_PATH and that folder is found only by rescans. Wine
// accepts such paths, so no test here shows it.
func addNotify(n *fsnotify.Watcher, dir string, root bool) error {
	if root {
		if err := n.AddWith(dir, fsnotify.WithBufferSize(rootBufferSize)); err == nil {
			return nil
		}
	}
	return n.Add(dir)
}
