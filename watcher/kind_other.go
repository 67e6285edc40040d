//go:build !windows

package watcher

// foldCase is false because names on these systems are compared byte for
// byte.
const foldCase = false

// irregularKind classifies an entry Go reports as fs.ModeIrregular, which
// outside Windows is a file type Go does not know: never opened.
func irregularKind(string) kind { return kindSpecial }
