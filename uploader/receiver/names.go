package receiver

import (
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"
)

// Limits on upload names, in bytes of UTF-8. 255 is the component limit
// of ext4, XFS, APFS and NTFS (which counts UTF-16 units, so it is looser).
const (
	maxComponentBytes = 255
	maxNameBytes      = 4096
)

// NameError reports an upload name that cannot be stored.
type NameError struct {
	Name   string
	Reason string
}

func (e *NameError) Error() string {
	return fmt.Sprintf("invalid file name %q: %s", e.Name, e.Reason)
}

// ValidateName returns a *NameError unless name is a relative,
// slash-separated path that stays inside the upload folder. Such a name is
// valid UTF-8 of at most 4096 bytes, and contains no control characters
// and no backslash. It has no leading slash or drive letter, and no empty,
// "." or ".." components. Each component is at most 255 bytes, and the
// name does not reach the receiver's state folder or temporary files. On
// Windows it also rejects the characters <>:"|?*, components ending in a
// dot or space, and device names such as CON and COM1.
func ValidateName(name string) error {
	return validateName(name, runtime.GOOS == "windows")
}

func validateName(name string, windows bool) error {
	if reason := nameProblem(name, windows); reason != "" {
		return &NameError{Name: name, Reason: reason}
	}
	return nil
}

func nameProblem(name string, windows bool) string {
	switch {
	case name == "":
		return "the name is empty"
	case len(name) > maxNameBytes:
		return fmt.Sprintf("the name is %d bytes long, more than the maximum of %d", len(name), maxNameBytes)
	case !utf8.ValidString(name):
		return "the name is not valid UTF-8"
	case strings.IndexFunc(name, isControl) >= 0:
		return "the name contains a control character"
	case strings.Contains(name, `\`):
		return `the name contains a backslash; separate folders with "/"`
	case strings.HasPrefix(name, "/"):
		return "absolute paths are not allowed; send a path relative to the upload folder"
	case hasDriveLetter(name):
		return "drive letters are not allowed; send a path relative to the upload folder"
	}
	parts := strings.Split(name, "/")
	if reason := reservedProblem(name, parts[0]); reason != "" {
		return reason
	}
	for _, part := range parts {
		if reason := componentProblem(part, windows); reason != "" {
			return reason
		}
	}
	return ""
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func hasDriveLetter(name string) bool {
	if len(name) < 2 || name[1] != ':' {
		return false
	}
	c := name[0] | 0x20
	return c >= 'a' && c <= 'z'
}

// reservedProblem rejects names that would reach the receiver's own files.
func reservedProblem(name, first string) string {
	if strings.EqualFold(first, stateDirName) {
		return fmt.Sprintf("%q is the receiver's state folder", stateDirName)
	}
	if name == first && isTempName(name) {
		return fmt.Sprintf("names of the form %s*%s are reserved for the receiver's temporary files", tempPrefix, tempSuffix)
	}
	return ""
}

func componentProblem(part string, windows bool) string {
	switch {
	case part == "":
		return "the name contains an empty folder name (a double or trailing slash)"
	case part == "." || part == "..":
		return fmt.Sprintf("%q components are not allowed; send a path inside the upload folder", part)
	case len(part) > maxComponentBytes:
		return fmt.Sprintf("the component %q is %d bytes long, more than the maximum of %d",
			truncateUTF8(part, 32)+"...", len(part), maxComponentBytes)
	}
	if windows {
		return windowsComponentProblem(part)
	}
	return ""
}

// windowsComponentProblem applies the naming rules of Win32 file names.
func windowsComponentProblem(part string) string {
	if i := strings.IndexAny(part, `<>:"|?*`); i >= 0 {
		return fmt.Sprintf("the character %q is not allowed in Windows file names", part[i])
	}
	if strings.HasSuffix(part, ".") || strings.HasSuffix(part, " ") {
		return fmt.Sprintf("the component %q ends in a dot or a space, which Windows drops", part)
	}
	if isWindowsDeviceName(part) {
		return fmt.Sprintf("%q is a Windows device name", part)
	}
	return ""
}

// isWindowsDeviceName reports whether part names a device such as NUL or
// COM1, with or without an extension ("nul.txt" is the device too).
func isWindowsDeviceName(part string) bool {
	stem, _, _ := strings.Cut(part, ".")
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(stem) == 4 && (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) {
		return stem[3] >= '0' && stem[3] <= '9'
	}
	if len(stem) == 5 && (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) {
		switch stem[3:] {
		case "¹", "²", "³":
			return true
		}
	}
	return false
}
