package receiver

import (
	"bytes"
	"net/http"
	"runtime"
	"strings"
	"testing"
)

func TestMultipartWithFieldsAndUnicodeName(t *testing.T) {
	tr := startReceiver(t, Options{})
	name := "Büro/scan #1 ünïcødé.pdf"
	content := []byte("%PDF-1.7 fake scan\n")
	res := tr.postForm(t, "",
		formPart{fieldDisposition("source"), "scanner-2"},
		formPart{fileDisposition("file", name), string(content)},
		formPart{fieldDisposition("after"), "trailing field"},
	)
	checkReceipt(t, tr.dir, res, name, content)
	if got := res.receipt.Fields["source"]; got != "scanner-2" {
		t.Errorf("field source = %q, want scanner-2", got)
	}
	if got := res.receipt.Fields["after"]; got != "trailing field" {
		t.Errorf("field after the file = %q, want %q", got, "trailing field")
	}
}

func TestMultipartQuotedName(t *testing.T) {
	tr := startReceiver(t, Options{})
	name := `sub/dir/scan 1 "draft" \ 2.pdf`
	res := tr.postForm(t, "", formPart{fileDisposition("upload", name), "x"})
	if res.status != http.StatusBadRequest || !strings.Contains(res.errMsg, "backslash") {
		t.Errorf("name with a backslash: status %d (%s), want 400 naming the backslash", res.status, res.errMsg)
	}
	name = `sub/dir/scan 1 "draft".pdf`
	res = tr.postForm(t, "", formPart{fileDisposition("upload", name), "x"})
	if runtime.GOOS == "windows" {
		// The quotes arrive intact, and Windows does not allow them.
		if res.status != http.StatusBadRequest || !strings.Contains(res.errMsg, `'"'`) {
			t.Errorf("status %d (%s), want 400 naming the quote", res.status, res.errMsg)
		}
		return
	}
	checkReceipt(t, tr.dir, res, name, []byte("x"))
}

func TestMultipartEmptyFile(t *testing.T) {
	tr := startReceiver(t, Options{})
	res := tr.postForm(t, "", formPart{fileDisposition("file", "empty.txt"), ""})
	checkReceipt(t, tr.dir, res, "empty.txt", nil)
}

func TestMultipartWithoutFile(t *testing.T) {
	tr := startReceiver(t, Options{})
	res := tr.postForm(t, "", formPart{fieldDisposition("only"), "a field"})
	if res.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", res.status)
	}
	if !strings.Contains(res.errMsg, "no file") {
		t.Errorf("error %q does not say that the file is missing", res.errMsg)
	}
}

func TestMultipartSecondFileRejected(t *testing.T) {
	tr := startReceiver(t, Options{})
	res := tr.postForm(t, "",
		formPart{fileDisposition("file", "one.txt"), "1"},
		formPart{fileDisposition("file", "two.txt"), "2"},
	)
	if res.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", res.status)
	}
	if !strings.Contains(res.errMsg, "two.txt") {
		t.Errorf("error %q does not name the second file", res.errMsg)
	}
	if files := listFiles(t, tr.dir); len(files) != 0 {
		t.Errorf("files stored after a rejected form: %v", files)
	}
	if temps := tempFiles(t, tr.dir); len(temps) != 0 {
		t.Errorf("temporary files left: %v", temps)
	}
}

func TestMultipartFieldTooLarge(t *testing.T) {
	tr := startReceiver(t, Options{})
	res := tr.postForm(t, "",
		formPart{fieldDisposition("file"), strings.Repeat("x", maxFieldBytes+1)},
	)
	if res.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", res.status)
	}
	if !strings.Contains(res.errMsg, `"file"`) {
		t.Errorf("error %q does not name the field", res.errMsg)
	}
}

func TestMultipartTruncatedNotStored(t *testing.T) {
	tr := startReceiver(t, Options{})
	body, contentType := buildForm(t, formPart{fileDisposition("file", "cut.bin"), strings.Repeat("data", 1000)})
	cut := body[:len(body)-60] // drops the closing boundary and some content
	req := newRequest(t, http.MethodPost, tr.url("/upload"), bytes.NewReader(cut))
	req.Header.Set("Content-Type", contentType)
	res := do(t, req)
	if res.status != http.StatusBadRequest {
		t.Fatalf("status %d (%s), want 400", res.status, res.body)
	}
	if files := listFiles(t, tr.dir); len(files) != 0 {
		t.Errorf("files stored from a truncated form: %v", files)
	}
	if temps := tempFiles(t, tr.dir); len(temps) != 0 {
		t.Errorf("temporary files left: %v", temps)
	}
}

func TestRawPutNameInPath(t *testing.T) {
	tr := startReceiver(t, Options{})
	cases := []struct {
		escaped, name string
	}{
		{"sub%2Fscan.pdf", "sub/scan.pdf"},
		{"sub/deeper/scan%201.pdf", "sub/deeper/scan 1.pdf"},
		{escapeSegments("über/ärger #1 & co.txt"), "über/ärger #1 & co.txt"},
	}
	for _, c := range cases {
		content := []byte("content of " + c.name)
		res := tr.putRaw(t, c.escaped, content, nil)
		checkReceipt(t, tr.dir, res, c.name, content)
	}
}

func TestRawPostNameInPath(t *testing.T) {
	tr := startReceiver(t, Options{})
	content := []byte("posted")
	req := newRequest(t, http.MethodPost, tr.url("/upload/a/b.txt"), bytes.NewReader(content))
	checkReceipt(t, tr.dir, do(t, req), "a/b.txt", content)
}

func TestRawPostContentDisposition(t *testing.T) {
	tr := startReceiver(t, Options{})
	cases := []struct {
		disposition, name string
	}{
		{`attachment; filename="plain.csv"`, "plain.csv"},
		{`attachment; filename="sub/r_sum_.pdf"; filename*=UTF-8''sub%2Fr%C3%A9sum%C3%A9.pdf`, "sub/résumé.pdf"},
		{`attachment; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt`, "日本.txt"},
		{`attachment; filename="fallback.txt"; filename*=ISO-8859-1'de'%E4rger.txt`, "ärger.txt"},
		{`attachment; filename="semi;filename=iso-8859-1''x.txt"`, "semi;filename=iso-8859-1''x.txt"},
	}
	for _, c := range cases {
		content := []byte("body of " + c.name)
		req := newRequest(t, http.MethodPost, tr.url("/upload"), bytes.NewReader(content))
		req.Header.Set("Content-Type", "application/octet-stream")
		req.Header.Set("Content-Disposition", c.disposition)
		checkReceipt(t, tr.dir, do(t, req), c.name, content)
	}
}

func TestRawPostWithoutName(t *testing.T) {
	tr := startReceiver(t, Options{})
	req := newRequest(t, http.MethodPost, tr.url("/upload"), strings.NewReader("nameless"))
	res := do(t, req)
	if res.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", res.status)
	}
	if !strings.Contains(res.errMsg, "Content-Disposition") {
		t.Errorf("error %q does not say how to name the file", res.errMsg)
	}
}

func TestNameCollisionGetsSuffix(t *testing.T) {
	tr := startReceiver(t, Options{})
	want := []string{"sub/scan.pdf", "sub/scan (1).pdf", "sub/scan (2).pdf"}
	for i, name := range want {
		content := []byte{byte('a' + i)}
		res := tr.putRaw(t, "sub/scan.pdf", content, nil)
		checkReceipt(t, tr.dir, res, name, content)
	}
	res := tr.putRaw(t, ".profile", []byte("1"), nil)
	checkReceipt(t, tr.dir, res, ".profile", []byte("1"))
	res = tr.putRaw(t, ".profile", []byte("2"), nil)
	checkReceipt(t, tr.dir, res, ".profile (1)", []byte("2"))
}

func TestConcurrentSameNameNeverOverwrites(t *testing.T) {
	tr := startReceiver(t, Options{})
	const n = 8
	results := make(chan response, n)
	for i := range n {
		go func() {
			req := newRequest(t, http.MethodPut, tr.url("/upload/same.txt"), strings.NewReader(strings.Repeat(string(rune('a'+i)), 1000)))
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				results <- response{status: -1, body: err.Error()}
				return
			}
			res.Body.Close()
			results <- response{status: res.StatusCode}
		}()
	}
	for range n {
		if r := <-results; r.status != http.StatusCreated {
			t.Errorf("status %d (%s), want 201", r.status, r.body)
		}
	}
	files := listFiles(t, tr.dir)
	if len(files) != n {
		t.Fatalf("%d files stored, want %d: %v", len(files), n, files)
	}
	seen := map[byte]bool{}
	for _, f := range files {
		seen[readStored(t, tr.dir, f)[0]] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct contents on disk, want %d: an upload was overwritten", len(seen), n)
	}
}

func TestFolderNameTakenByFile(t *testing.T) {
	tr := startReceiver(t, Options{})
	if res := tr.putRaw(t, "a.pdf", []byte("file"), nil); res.status != http.StatusCreated {
		t.Fatalf("first upload: status %d", res.status)
	}
	res := tr.putRaw(t, "a.pdf/b.pdf", []byte("nested"), nil)
	if res.status != http.StatusConflict {
		t.Fatalf("status %d (%s), want 409", res.status, res.body)
	}
	if !strings.Contains(res.errMsg, `"a.pdf"`) {
		t.Errorf("error %q does not name the file in the way", res.errMsg)
	}
	if temps := tempFiles(t, tr.dir); len(temps) != 0 {
		t.Errorf("temporary files left: %v", temps)
	}
}
