package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every row of the send table starts each column where the header does,
// also when later rows have longer file names than the first.
func TestSendTableColumnsAlign(t *testing.T) {
	dir := tempDir(t)
	config := writeConfigFile(t, dir, "", startReceiver(t, filepath.Join(dir, "received"), ""), "")
	short := filepath.Join(dir, "a.txt")
	long := filepath.Join(dir, "a-much-longer-scan-name.pdf")
	os.WriteFile(short, []byte("alpha"), 0o644)
	os.WriteFile(long, make([]byte, 3000), 0o644)
	folder := filepath.Join(dir, "scans")
	os.Mkdir(folder, 0o755)

	_, out, errOut := run("send", "--config", config, short, long, folder, filepath.Join(dir, "missing.pdf"))
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 7 {
		t.Fatalf("want a first line, a header, 4 rows and a count, got %d lines:\n%s\nstderr:\n%s", len(lines), out, errOut)
	}
	header := lines[1]
	var starts []int
	for _, col := range []string{"RESULT", "HTTP", "SIZE", "DURATION", "CLASS", "ERROR"} {
		i := strings.Index(header, col)
		if i < 0 {
			t.Fatalf("header lacks %s: %q", col, header)
		}
		starts = append(starts, i)
	}
	for _, row := range lines[2:6] {
		for _, i := range starts {
			if len(row) <= i || row[i-1] != ' ' || row[i] == ' ' {
				t.Errorf("row does not start a column at %d like the header:\n%s\n%s", i, header, row)
				break
			}
		}
	}
}

// A folder given to send is one failed row whose message names the
// folder, with the class in the CLASS column only.
func TestSendFolderArgument(t *testing.T) {
	dir := tempDir(t)
	config := writeConfigFile(t, dir, "", startReceiver(t, filepath.Join(dir, "received"), ""), "")
	folder := filepath.Join(dir, "scans")
	os.Mkdir(folder, 0o755)

	code, out, _ := run("send", "--config", config, folder)
	if code != exitError {
		t.Errorf("exit %d, want %d", code, exitError)
	}
	if !strings.Contains(out, folder+" is a folder, not a regular file") {
		t.Errorf("output does not say the argument is a folder:\n%s", out)
	}
	if strings.Contains(out, "internal: ") {
		t.Errorf("the ERROR column repeats the class:\n%s", out)
	}
}
