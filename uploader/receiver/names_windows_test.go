package receiver

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// An agent on Linux may send names that are valid there but not on
// Windows. On Windows "scan:v2.pdf" names the stream "v2.pdf" of the file
// "scan", and "a:b.txt" the file "b.txt" in the current folder of drive
// A:, so the receiver rejects such names with 400 and the reason, and
// stores nothing.
func TestWindowsNamesRejectedOverHTTP(t *testing.T) {
	cases := []struct {
		name, reason string
	}{
		{"a:b.txt", "drive letters are not allowed"},
		{"scan:v2.pdf", `the character ':' is not allowed`},
		{"scans/report:v2.pdf", `the character ':' is not allowed`},
		{"a<b.txt", `the character '<' is not allowed`},
		{`say "hi".txt`, `the character '"' is not allowed`},
		{"what?.txt", `the character '?' is not allowed`},
		{"a|b.txt", `the character '|' is not allowed`},
		{"star*.txt", `the character '*' is not allowed`},
		{"ends with dot.", "ends in a dot or a space"},
		{"CON.txt", "is a Windows device name"},
		{"sub/nul", "is a Windows device name"},
	}
	tr := startReceiver(t, Options{})
	for _, c := range cases {
		res := tr.putRaw(t, escapeSegments(c.name), []byte("x"), nil)
		if res.status != http.StatusBadRequest {
			t.Errorf("PUT %q: status %d (%s), want 400", c.name, res.status, res.body)
			continue
		}
		if !strings.Contains(res.errMsg, c.reason) {
			t.Errorf("PUT %q: error %q, want it to say %q", c.name, res.errMsg, c.reason)
		}
	}
	if files := listFiles(t, tr.dir); len(files) != 0 {
		t.Errorf("files stored from rejected names: %v", files)
	}
}

func TestWindowsNameRejectedInFormAndHeader(t *testing.T) {
	tr := startReceiver(t, Options{})
	res := tr.postForm(t, "", formPart{fileDisposition("file", "scan:v2.pdf"), "multipart"})
	if res.status != http.StatusBadRequest || !strings.Contains(res.errMsg, `':'`) {
		t.Errorf("multipart file name scan:v2.pdf: status %d, error %q; want 400 naming ':'", res.status, res.errMsg)
	}
	req := newRequest(t, http.MethodPost, tr.url("/upload"), bytes.NewReader([]byte("raw")))
	req.Header.Set("Content-Disposition", `attachment; filename="scan:v2.pdf"`)
	res = do(t, req)
	if res.status != http.StatusBadRequest || !strings.Contains(res.errMsg, `':'`) {
		t.Errorf("Content-Disposition scan:v2.pdf: status %d, error %q; want 400 naming ':'", res.status, res.errMsg)
	}
	if files := listFiles(t, tr.dir); len(files) != 0 {
		t.Errorf("files stored from rejected names: %v", files)
	}
	if temps := tempFiles(t, tr.dir); len(temps) != 0 {
		t.Errorf("temporary files left: %v", temps)
	}
}
