package receiver

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSecondServerOnSameDirRejected(t *testing.T) {
	tr := startReceiver(t, Options{})
	_, err := New(Options{Dir: tr.dir})
	if !errors.Is(err, ErrDirInUse) {
		t.Fatalf("second New on %s: %v, want ErrDirInUse", tr.dir, err)
	}
	tr.stop(t)
	srv, err := New(Options{Dir: tr.dir})
	if err != nil {
		t.Fatalf("New after the first closed: %v", err)
	}
	srv.Close()
}

func TestNewRemovesStaleTemps(t *testing.T) {
	dir := tempDir(t)
	stale := filepath.Join(dir, tempPrefix+"deadbeef"+tempSuffix)
	if err := os.WriteFile(stale, []byte("half an upload"), 0o644); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(dir, "sub", tempPrefix+"user"+tempSuffix)
	os.MkdirAll(filepath.Dir(keep), 0o755)
	if err := os.WriteFile(keep, []byte("a user's file in a subfolder"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temporary file still there: %v", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("file in a subfolder was removed: %v", err)
	}
}

func TestNewValidatesOptions(t *testing.T) {
	if _, err := New(Options{}); err == nil || !strings.Contains(err.Error(), "Dir") {
		t.Errorf("New without Dir: %v, want an error naming Dir", err)
	}
	if _, err := New(Options{Dir: tempDir(t), MaxBodyBytes: -1}); err == nil || !strings.Contains(err.Error(), "-1") {
		t.Errorf("New with MaxBodyBytes -1: %v, want an error naming the value", err)
	}
}

func writeKeyLines(t *testing.T, dir string, lines ...string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(keysFile))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func keyLine(t *testing.T, key string, at time.Time) string {
	t.Helper()
	b, err := json.Marshal(keyRecord{Key: key, Time: at, Receipt: Receipt{Name: key + ".txt", Size: 1, SHA256: sha256Hex([]byte("1"))}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestKeyIndexDropsExpiredAndTornLines(t *testing.T) {
	dir := tempDir(t)
	now := time.Now()
	p := writeKeyLines(t, dir,
		keyLine(t, "old", now.Add(-48*time.Hour)),
		keyLine(t, "fresh", now.Add(-time.Hour)),
		`{"key":"torn","na`, // a crash cut this line short
	)
	srv, err := New(Options{Dir: dir, KeyRetention: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.keys.lookup("fresh"); !ok {
		t.Error("fresh key was dropped")
	}
	if _, ok := srv.keys.lookup("old"); ok {
		t.Error("expired key was kept")
	}
	if err := srv.keys.add("new", Receipt{Name: "new.txt"}); err != nil {
		t.Fatal(err)
	}
	srv.Close()

	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("index has %d lines, want fresh and new:\n%s", len(lines), data)
	}
	for _, line := range lines {
		var rec keyRecord
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("invalid line %q after compaction: %v", line, err)
		}
	}
}

func TestKeyIndexAfterUnterminatedLine(t *testing.T) {
	dir := tempDir(t)
	p := writeKeyLines(t, dir, keyLine(t, "kept", time.Now())) // no final newline
	srv, err := New(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.keys.add("next", Receipt{Name: "next.txt"}); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	srv, err = New(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, key := range []string{"kept", "next"} {
		if _, ok := srv.keys.lookup(key); !ok {
			data, _ := os.ReadFile(p)
			t.Errorf("key %q lost after a restart; index:\n%s", key, data)
		}
	}
}

func TestKeyRetentionNegativeKeepsAll(t *testing.T) {
	dir := tempDir(t)
	writeKeyLines(t, dir, keyLine(t, "ancient", time.Now().Add(-10*365*24*time.Hour)))
	srv, err := New(Options{Dir: dir, KeyRetention: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, ok := srv.keys.lookup("ancient"); !ok {
		t.Error("key dropped although retention is unlimited")
	}
}
