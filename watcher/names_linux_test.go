package watcher

// extraNames returns names only Linux file systems take: a newline and
// bytes that are not valid UTF-8.
func extraNames() []string {
	return []string{"line\nbreak.txt", "latin1-\xe9t\xe9.txt"}
}
