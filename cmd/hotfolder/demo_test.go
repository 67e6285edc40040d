package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The demo watches subfolders: a file dropped into a folder inside the
// inbox arrives at the receiver and moves to done under the same path.
func TestDemoDeliversFileInSubfolder(t *testing.T) {
	dir := tempDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	exited := make(chan int, 1)
	go func() { exited <- runDemo(ctx, []string{dir}, stdout, stderr) }()
	defer func() {
		cancel()
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			t.Error("demo did not stop after cancel")
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stdout.String(), "Press Ctrl-C") {
		if time.Now().After(deadline) {
			t.Fatalf("demo did not start; stderr:\n%s", stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The subfolder is made after the start, so only a watch on new
	// folders, or the rescan of a recursive folder, finds it.
	content := bytes.Repeat([]byte("%PDF-1.7 invoice "), 1000)
	sub := filepath.Join(dir, "inbox", "invoices", "2026")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(sub, "march.pdf"), content, 0o644)
	done := filepath.Join(dir, "done", "invoices", "2026", "march.pdf")
	deadline = time.Now().Add(60 * time.Second)
	for {
		got, err := os.ReadFile(done)
		if err == nil && bytes.Equal(got, content) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("invoices/2026/march.pdf not in done; stderr:\n%s", stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	got, err := os.ReadFile(filepath.Join(dir, "received", "invoices", "2026", "march.pdf"))
	if err != nil || !bytes.Equal(got, content) {
		t.Errorf("receiver stored %d bytes (%v) at invoices/2026/march.pdf, want %d", len(got), err, len(content))
	}
}
