package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

func parseSize(s string) (int64, error) {
	mult := int64(1)
	t := strings.ToUpper(strings.TrimSpace(s))
	for i, u := range []string{"K", "M", "G", "T"} {
		if strings.HasSuffix(t, u) {
			t = strings.TrimSuffix(t, u)
			mult = 1 << (10 * (i + 1))
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("invalid size %q: use a number with K, M, G or T, such as 1G", s)
	}
	return int64(n * float64(mult)), nil
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func secs(d time.Duration) float64 { return d.Seconds() }

// writeFile creates a file of size bytes filled with a repeating pattern
// that does not compress to nothing, and gives it an mtime in the past.
func writeFile(p string, size int64) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	block := make([]byte, 1<<20)
	for i := range block {
		block[i] = byte(i*7 + i/251)
	}
	for left := size; left > 0; {
		n := min(left, int64(len(block)))
		if _, err := f.Write(block[:n]); err != nil {
			f.Close()
			return err
		}
		left -= n
	}
	if err := f.Close(); err != nil {
		return err
	}
	old := time.Now().Add(-time.Hour)
	return os.Chtimes(p, old, old)
}

// sparseFile creates a file of size bytes that takes no disk space.
func sparseFile(p string, size int64) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	old := time.Now().Add(-time.Hour)
	return os.Chtimes(p, old, old)
}

func countDir(dir string) int {
	entries, _ := os.ReadDir(dir)
	n := 0
	for _, e := range entries {
		if e.Type().IsRegular() {
			n++
		}
	}
	return n
}

func waitUntil(what string, limit time.Duration, cond func() bool) error {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

// setup makes a mode's work folder and starts its sink (see startSink);
// done stops the sink and removes the folder unless -keep is set.
func setup(mode string, o options, slots int, hold time.Duration) (root string, s *sink, done func(), err error) {
	root, err = os.MkdirTemp("", "hotfolder-pace-"+mode+"-")
	if err != nil {
		return "", nil, nil, err
	}
	s, err = startSink(slots, hold)
	if err != nil {
		os.RemoveAll(root)
		return "", nil, nil, err
	}
	done = func() {
		s.close()
		if !o.keepDir {
			os.RemoveAll(root)
		}
	}
	return root, s, done, nil
}

// counts returns -files and -size, or the mode's defaults where they are
// not set.
func (o options) counts(files int, size int64) (int, int64) {
	if o.files > 0 {
		files = o.files
	}
	if o.size > 0 {
		size = o.size
	}
	return files, size
}
