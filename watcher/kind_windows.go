package watcher

import (
	"syscall"
)

// foldCase makes names and patterns compare without regard to case, as
// NTFS and SMB shares do.
const foldCase = true

// reparseTagNameSurrogate is the bit that marks a reparse tag whose target
// is another named entity: symbolic links, junctions and mount points.
const reparseTagNameSurrogate = 0x20000000

// irregularKind classifies a reparse point that Go reports as
// fs.ModeIrregular. Junctions and mount points lead out of the inbox, so
// they count as links. Other tags, such as OneDrive placeholders, are
// files or folders with data of their own.
func irregularKind(p string) kind {
	name, err := syscall.UTF16PtrFromString(longPath(p))
	if err != nil {
		return kindSpecial
	}
	var data syscall.Win32finddata
	h, err := syscall.FindFirstFile(name, &data)
	if err != nil {
		return kindSpecial
	}
	_ = syscall.FindClose(h)
	switch {
	case data.FileAttributes&syscall.FILE_ATTRIBUTE_REPARSE_POINT != 0 && data.Reserved0&reparseTagNameSurrogate != 0:
		return kindLink
	case data.FileAttributes&syscall.FILE_ATTRIBUTE_DIRECTORY != 0:
		return kindDir
	default:
		return kindFile
	}
}
