package watcher

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// defaultExclude is what the agent passes as Options.Exclude.
var defaultExclude = []string{".*", "~$*", "*.tmp", "*.part", "*.partial", "*.crdownload", ".~lock*"}

func TestChunkedWriterReportedOnceWithFinalSize(t *testing.T) {
	root := tempDir(t)
	settle := 600 * time.Millisecond
	h := start(t, Options{Root: root, Settle: settle})
	h.waitListed(t)

	f, err := os.Create(filepath.Join(root, "scan.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := strings.Repeat("x", 4096)
	const chunks = 25 // one every 100 ms: 2.5 s, well apart from settle
	for range chunks {
		if _, err := f.WriteString(chunk); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
		if n := h.rec.count("scan.pdf"); n != 0 {
			t.Fatalf("scan.pdf reported while still being written")
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	got := h.rec.wait(t, "scan.pdf", 1)
	if want := int64(chunks * len(chunk)); got.Size != want {
		t.Errorf("Size = %d, want %d", got.Size, want)
	}
	h.rec.quiet(t, "scan.pdf", 1)
}

func TestRenameIn(t *testing.T) {
	t.Parallel()
	outside := tempDir(t)
	root := filepath.Join(outside, "inbox")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	h := start(t, Options{Root: root})
	h.waitListed(t)
	src := filepath.Join(outside, "ready.csv")
	writeFile(t, src, "1,2,3")
	if err := os.Rename(src, filepath.Join(root, "ready.csv")); err != nil {
		t.Fatal(err)
	}
	if f := h.rec.wait(t, "ready.csv", 1); f.Size != 5 {
		t.Errorf("Size = %d, want 5", f.Size)
	}
	h.rec.quiet(t, "ready.csv", 1)
}

func TestTempNameRenamedIntoPlace(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		temp string
	}{
		{"atomic save hidden temp", ".report.docx.tmp1234"},
		{"atomic save tmp suffix", "report.docx.tmp"},
		{"rsync temp file", ".report.docx.Xy12Ab"},
		{"browser download", "report.docx.crdownload"},
		{"partial download", "report.docx.part"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := tempDir(t)
			h := start(t, Options{Root: root, Exclude: defaultExclude})
			h.waitListed(t)
			temp := filepath.Join(root, tc.temp)
			f, err := os.Create(temp)
			if err != nil {
				t.Fatal(err)
			}
			for range 5 {
				if _, err := f.WriteString("some bytes "); err != nil {
					t.Fatal(err)
				}
				time.Sleep(2 * testSettle / 3)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(temp, filepath.Join(root, "report.docx")); err != nil {
				t.Fatal(err)
			}
			if f := h.rec.wait(t, "report.docx", 1); f.Size != 55 {
				t.Errorf("Size = %d, want 55", f.Size)
			}
			h.rec.quiet(t, "report.docx", 1)
			if got := h.rec.rels(); len(got) != 1 {
				t.Fatalf("reported %v, want only report.docx", got)
			}
		})
	}
}

func TestAtomicSaveOverPendingFile(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	settle := 800 * time.Millisecond
	h := start(t, Options{Root: root, Settle: settle, Exclude: defaultExclude})
	h.waitListed(t)
	target := filepath.Join(root, "data.xml")
	writeFile(t, target, "<old/>")
	time.Sleep(settle / 3)
	temp := filepath.Join(root, ".data.xml.swp")
	writeFile(t, temp, "<new>longer</new>")
	if err := os.Rename(temp, target); err != nil {
		t.Fatal(err)
	}
	if f := h.rec.wait(t, "data.xml", 1); f.Size != int64(len("<new>longer</new>")) {
		t.Errorf("Size = %d, want the saved content's %d", f.Size, len("<new>longer</new>"))
	}
	h.rec.quiet(t, "data.xml", 1)
}

func TestTruncateAndRewrite(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	settle := 800 * time.Millisecond
	h := start(t, Options{Root: root, Settle: settle})
	h.waitListed(t)
	p := filepath.Join(root, "till.csv")
	writeFile(t, p, strings.Repeat("a", 1000))
	time.Sleep(settle / 3)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(settle / 3)
	if _, err := f.WriteString("short"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if got := h.rec.wait(t, "till.csv", 1); got.Size != 5 {
		t.Errorf("Size = %d, want 5 (the rewritten content)", got.Size)
	}
	h.rec.quiet(t, "till.csv", 1)
}

func TestOfficeLockFileNeverReported(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	h := start(t, Options{Root: root, Exclude: defaultExclude})
	h.waitListed(t)
	writeFile(t, filepath.Join(root, "~$budget.xlsx"), "owner")
	writeFile(t, filepath.Join(root, ".~lock.budget.ods#"), "owner")
	writeFile(t, filepath.Join(root, "budget.xlsx"), "sheet")
	h.rec.wait(t, "budget.xlsx", 1)
	h.rec.quiet(t, "~$budget.xlsx", 0)
	if n := h.rec.count(".~lock.budget.ods#"); n != 0 {
		t.Fatalf(".~lock file reported %d times", n)
	}
}

func TestVanishedFileDroppedQuietly(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	settle := time.Second
	h := start(t, Options{Root: root, Settle: settle})
	h.waitListed(t)
	p := filepath.Join(root, "gone.txt")
	writeFile(t, p, "brief")
	time.Sleep(settle / 2)
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "stays.txt"), "x")
	h.rec.wait(t, "stays.txt", 1)
	h.rec.quiet(t, "gone.txt", 0)
	if n := h.logs.count("", "class", "read_failed"); n != 0 {
		t.Errorf("logged %d read_failed lines for a vanished file, want 0", n)
	}
}

func TestVanishedFileInPollMode(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	settle := 3 * time.Second
	p := filepath.Join(root, "gone.txt")
	writeFile(t, p, "brief")
	// A fresh mtime keeps the file from settling early, so it is still
	// pending when it disappears; poll mode sees no Remove event.
	h := start(t, Options{Root: root, Settle: settle, Poll: true, Rescan: time.Hour})
	h.waitListed(t)
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	h.logs.waitLog(t, "file vanished before it settled", "path", p)
	if n := h.rec.count("gone.txt"); n != 0 {
		t.Fatalf("gone.txt reported %d times", n)
	}
}

func TestTouchAndChmodStormReportedOnce(t *testing.T) {
	root := tempDir(t)
	h := start(t, Options{Root: root})
	h.waitListed(t)
	p := filepath.Join(root, "busy.txt")
	writeFile(t, p, "content")
	storm := func(d time.Duration) {
		end := time.Now().Add(d)
		mode := os.FileMode(0o644)
		for time.Now().Before(end) {
			mode ^= 0o020
			if err := os.Chmod(p, mode); err != nil {
				t.Error(err)
				return
			}
			now := time.Now()
			if err := os.Chtimes(p, now, now); err != nil {
				t.Error(err)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	storm(4 * testSettle)
	if n := h.rec.count("busy.txt"); n != 0 {
		t.Fatalf("busy.txt reported %d times while its mtime kept changing", n)
	}
	h.rec.wait(t, "busy.txt", 1)
	// Handed to the agent: a second storm must not report it again.
	storm(4 * testSettle)
	h.rec.quiet(t, "busy.txt", 1)
}

func TestUnusualNames(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	nfc := "caf\u00e9.txt"
	nfd := "cafe\u0301.txt"
	want := []string{nfc, nfd, "with space.txt", "it's.txt", "日本語のファイル.pdf"}
	want = append(want, extraNames()...)
	h := start(t, Options{Root: root})
	h.waitListed(t)
	for _, n := range want {
		writeFile(t, filepath.Join(root, n), n)
	}
	for _, n := range want {
		if f := h.rec.wait(t, n, 1); f.Size != int64(len(n)) {
			t.Errorf("%q: Size = %d, want %d", n, f.Size, len(n))
		}
	}
	time.Sleep(quietPeriod)
	if got := len(h.rec.all()); got != len(want) {
		t.Fatalf("got %d reports, want %d: %q", got, len(want), h.rec.rels())
	}
}
