package receiver

import (
	"errors"
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

// removeFile removes the file name in root. When os.Root's removal fails
// with ERROR_INVALID_FUNCTION, it deletes the file through the handle of
// root's folder instead.
//
// NOTE: os.Root.Remove (Go 1.26) deletes with FileDispositionInformationEx,
// which Windows 10 1607 and later implement. Wine 8 does not, and the
// error it returns is not one of those for which Go falls back to the
// older FileDispositionInfo.
func removeFile(root *os.Root, name string) error {
	err := root.Remove(name)
	if !errors.Is(err, windows.ERROR_INVALID_FUNCTION) {
		return err
	}
	return deleteInFolder(root, name)
}

// deleteInFolder deletes the file name directly inside root's folder with
// FileDispositionInfo. The open is relative to a handle of that folder,
// name must be one component, and a reparse point is opened itself, not
// followed, so, as with os.Root, the deletion cannot reach outside the
// folder.
func deleteInFolder(root *os.Root, name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `\/:`) {
		return &os.PathError{Op: "remove", Path: name, Err: errors.New("not a file name inside the folder")}
	}
	dir, err := root.Open(".")
	if err != nil {
		return err
	}
	defer dir.Close()
	h, err := openForDelete(windows.Handle(dir.Fd()), name)
	if err != nil {
		return &os.PathError{Op: "remove", Path: name, Err: err}
	}
	defer windows.CloseHandle(h)
	info := fileDispositionInfo{DeleteFile: true}
	err = windows.SetFileInformationByHandle(h, windows.FileDispositionInfo,
		(*byte)(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info)))
	if err != nil {
		return &os.PathError{Op: "remove", Path: name, Err: err}
	}
	return nil
}

// fileDispositionInfo is FILE_DISPOSITION_INFO from winbase.h.
type fileDispositionInfo struct {
	DeleteFile bool
}

// openForDelete opens the file name in the folder dir for deletion only,
// sharing every access so that it works like DeleteFile.
func openForDelete(dir windows.Handle, name string) (windows.Handle, error) {
	objName, err := windows.NewNTUnicodeString(name)
	if err != nil {
		return 0, err
	}
	attrs := windows.OBJECT_ATTRIBUTES{RootDirectory: dir, ObjectName: objName, Attributes: windows.OBJ_CASE_INSENSITIVE}
	attrs.Length = uint32(unsafe.Sizeof(attrs))
	var h windows.Handle
	var status windows.IO_STATUS_BLOCK
	err = windows.NtCreateFile(&h, windows.DELETE|windows.SYNCHRONIZE, &attrs, &status, nil, 0,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE, windows.FILE_OPEN,
		windows.FILE_NON_DIRECTORY_FILE|windows.FILE_OPEN_REPARSE_POINT|windows.FILE_SYNCHRONOUS_IO_NONALERT, 0, 0)
	var nt windows.NTStatus
	if errors.As(err, &nt) {
		return 0, nt.Errno()
	}
	return h, err
}
