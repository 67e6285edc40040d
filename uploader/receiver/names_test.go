package receiver

import (
	"bytes"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// checkNothingEscaped fails when the parent of dir holds anything but dir,
// or dir holds any stored file.
func checkNothingEscaped(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != filepath.Base(dir) {
			t.Errorf("%q appeared next to the receive folder", e.Name())
		}
	}
	if files := listFiles(t, dir); len(files) != 0 {
		t.Errorf("files stored from rejected names: %v", files)
	}
	if temps := tempFiles(t, dir); len(temps) != 0 {
		t.Errorf("temporary files left: %v", temps)
	}
}

func TestTraversalInPathRejected(t *testing.T) {
	tr := startReceiver(t, Options{})
	for _, escaped := range []string{
		"..%2F..%2Fevil.txt",
		"../../evil.txt",
		"%2E%2E/evil.txt",
		"sub/..%2F..%2Fevil.txt",
		"%2Fetc%2Fevil.txt",
		"C:%5Cevil.txt",
		"C:evil.txt",
		"sub%5C..%5C..%5Cevil.txt",
		"a%00b.txt",
		"a%0Ab.txt",
		"./evil.txt",
		"a//b.txt",
		"sub/",
		"",
		".hotfolder-receiver%2Fkeys.jsonl",
		".recv-0123.tmp",
		strings.Repeat("x", maxComponentBytes+1),
	} {
		req := newRequest(t, http.MethodPut, tr.url("/upload/"+escaped), strings.NewReader("evil"))
		res := do(t, req)
		if res.status != http.StatusBadRequest {
			t.Errorf("PUT /upload/%s: status %d (%s), want 400", escaped, res.status, res.body)
			continue
		}
		if !strings.Contains(res.errMsg, "invalid file name") {
			t.Errorf("PUT /upload/%s: error %q does not name the bad name", escaped, res.errMsg)
		}
	}
	checkNothingEscaped(t, tr.dir)
}

func TestTraversalInDispositionRejected(t *testing.T) {
	tr := startReceiver(t, Options{})
	for _, disposition := range []string{
		`attachment; filename="../evil.txt"`,
		`attachment; filename="/etc/evil.txt"`,
		`attachment; filename="..\\evil.txt"`,
		`attachment; filename*=UTF-8''..%2F..%2Fevil.txt`,
		`attachment; filename="C:/evil.txt"`,
		`attachment; filename=""`,
	} {
		req := newRequest(t, http.MethodPost, tr.url("/upload"), strings.NewReader("evil"))
		req.Header.Set("Content-Disposition", disposition)
		if res := do(t, req); res.status != http.StatusBadRequest {
			t.Errorf("Content-Disposition %s: status %d (%s), want 400", disposition, res.status, res.body)
		}
	}
	checkNothingEscaped(t, tr.dir)
}

func TestTraversalInFormRejected(t *testing.T) {
	tr := startReceiver(t, Options{})
	for _, disposition := range []string{
		`form-data; name="file"; filename="../../evil.txt"`,
		`form-data; name="file"; filename="ok.txt"; filename*=UTF-8''..%2Fevil.txt`,
		`form-data; name="file"; filename="sub/../../evil.txt"`,
		`form-data; name="file"; filename="\\\\server\\share\\evil.txt"`,
	} {
		body, contentType := buildForm(t, formPart{disposition, "evil"})
		req := newRequest(t, http.MethodPost, tr.url("/upload"), bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if res := do(t, req); res.status != http.StatusBadRequest {
			t.Errorf("part %s: status %d (%s), want 400", disposition, res.status, res.body)
		}
	}
	checkNothingEscaped(t, tr.dir)
}

func TestSymlinkOutOfDirRejected(t *testing.T) {
	tr := startReceiver(t, Options{})
	outside := tempDir(t)
	if err := os.Symlink(outside, filepath.Join(tr.dir, "link")); err != nil {
		t.Skipf("symbolic links unavailable: %v", err)
	}
	res := tr.putRaw(t, "link/evil.txt", []byte("evil"), nil)
	entries, err := os.ReadDir(outside)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("upload escaped through a symbolic link: %d entries in %s", len(entries), outside)
	}
	if runtime.GOOS != "windows" && res.status < 400 {
		t.Errorf("status %d, want an error for a link out of the folder", res.status)
	}
}

func TestLongComponentAccepted(t *testing.T) {
	tr := startReceiver(t, Options{})
	name := strings.Repeat("n", maxComponentBytes-4) + ".txt"
	checkReceipt(t, tr.dir, tr.putRaw(t, name, []byte("1"), nil), name, []byte("1"))
	// The collision suffix shortens the base name to stay within the limit.
	res := tr.putRaw(t, name, []byte("2"), nil)
	if res.status != http.StatusCreated {
		t.Fatalf("second upload: status %d (%s)", res.status, res.body)
	}
	if got := res.receipt.Name; len(got) > maxComponentBytes || !strings.HasSuffix(got, " (1).txt") {
		t.Errorf("second name %q (%d bytes), want a suffixed name within %d bytes", got, len(got), maxComponentBytes)
	}
}

func TestValidateName(t *testing.T) {
	valid := []string{"a.txt", "sub/dir/scan 1.pdf", "日本/報告.pdf", ".profile", "a..b", "...x", "name with: colon"}
	for _, name := range valid {
		if err := validateName(name, false); err != nil {
			t.Errorf("validateName(%q): %v", name, err)
		}
	}
	invalid := []string{
		"", "/abs", "../x", "a/../b", "a/..", ".", "a/./b", "a//b", "a/", `a\b`,
		"C:x", "c:/x", "a\x00b", "a\x1fb", "a\x7fb", "\xff\xfe",
		".hotfolder-receiver", ".HOTFOLDER-RECEIVER/x", ".recv-abc.tmp",
		strings.Repeat("a", maxComponentBytes+1),
		strings.Repeat("a/", maxNameBytes/2) + "b",
	}
	for _, name := range invalid {
		err := validateName(name, false)
		if err == nil {
			t.Errorf("validateName(%q) accepted the name", name)
			continue
		}
		if ne, ok := err.(*NameError); !ok || ne.Name != name {
			t.Errorf("validateName(%q) = %v, want a *NameError naming it", name, err)
		}
	}
}

func TestValidateNameWindowsRules(t *testing.T) {
	for _, name := range []string{"a<b", "a>b", `a"b`, "a|b", "a?b", "a*b", "file.txt:stream", "dot.", "space ",
		"CON", "nul.txt", "sub/com1", "LPT9.log", "COM¹", "conin$"} {
		if err := validateName(name, true); err == nil {
			t.Errorf("validateName(%q, windows) accepted the name", name)
		}
		if err := validateName(name, false); err != nil {
			t.Errorf("validateName(%q) outside Windows: %v", name, err)
		}
	}
	for _, name := range []string{"console.txt", "COM10", "nullable", "sub/LPT.txt"} {
		if err := validateName(name, true); err != nil {
			t.Errorf("validateName(%q, windows): %v", name, err)
		}
	}
}

func TestCandidateName(t *testing.T) {
	cases := []struct {
		want string
		n    int
		name string
	}{
		{"scan.pdf", 0, "scan.pdf"},
		{"scan.pdf", 1, "scan (1).pdf"},
		{"a/b/archive.tar.gz", 12, "a/b/archive.tar (12).gz"},
		{".profile", 2, ".profile (2)"},
		{"noext", 3, "noext (3)"},
	}
	for _, c := range cases {
		if got := candidateName(c.want, c.n); got != c.name {
			t.Errorf("candidateName(%q, %d) = %q, want %q", c.want, c.n, got, c.name)
		}
	}
}

// FuzzValidateName checks that every name accepted under Unix or Windows
// rules round-trips through path.Clean and is a local path on this OS.
func FuzzValidateName(f *testing.F) {
	for _, seed := range []string{"a.txt", "sub/dir/x.pdf", "../x", "a/./b", `a\b`, "C:x", "CON", "日本/a", "a//b", "x\x00"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, windows := range []bool{false, true} {
			if validateName(name, windows) != nil {
				continue
			}
			if path.Clean(name) != name {
				t.Errorf("accepted %q (windows %v), which path.Clean changes to %q", name, windows, path.Clean(name))
			}
			// filepath.IsLocal applies the rules of the OS it runs on.
			if windows == (runtime.GOOS == "windows") && !filepath.IsLocal(filepath.FromSlash(name)) {
				t.Errorf("accepted %q (windows %v), which is not a local path", name, windows)
			}
		}
	})
}
