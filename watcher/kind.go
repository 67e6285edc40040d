package watcher

import "io/fs"

// kind is the watcher's classification of a directory entry.
type kind uint8

const (
	kindFile    kind = iota // a regular file: a candidate
	kindDir                 // a folder: watched and listed when Recursive
	kindLink                // a symbolic link, junction or mount point: never followed
	kindSpecial             // a FIFO, socket or device: never opened
)

// kindOf classifies the entry at p from its Lstat mode.
func kindOf(p string, m fs.FileMode) kind {
	switch {
	case m&fs.ModeSymlink != 0:
		return kindLink
	case m.IsDir():
		return kindDir
	case m&fs.ModeIrregular != 0:
		return irregularKind(p)
	case m.IsRegular():
		return kindFile
	default:
		return kindSpecial
	}
}

// class returns the log class for an entry the watcher skips.
func (k kind) class() string {
	if k == kindLink {
		return "rejected_link"
	}
	return "rejected_special"
}
