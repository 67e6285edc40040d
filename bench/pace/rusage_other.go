//go:build !unix

package main

import "os/exec"

// maxRSSKiB returns 0: peak RSS is read from rusage, which this platform
// lacks.
func maxRSSKiB(*exec.Cmd) int64 { return 0 }
