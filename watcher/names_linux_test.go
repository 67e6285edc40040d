package watcher

// extraNames returns names only Linux file systems take: double quotes,
// a newline and bytes that are not valid UTF-8.
func extraNames() []string {
	return []string{`say "cheese".txt`, "line\nbreak.txt", "latin1-\xe9t\xe9.txt"}
}
