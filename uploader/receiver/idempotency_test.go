package receiver

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func keyHeader(key string) http.Header {
	return http.Header{"Idempotency-Key": {key}}
}

func TestRepeatedKeyStoredOnce(t *testing.T) {
	tr := startReceiver(t, Options{})
	content := []byte("once only")
	first := tr.putRaw(t, "doc.txt", content, keyHeader("k1"))
	checkReceipt(t, tr.dir, first, "doc.txt", content)
	again := tr.putRaw(t, "doc.txt", content, keyHeader("k1"))
	if again.status != http.StatusOK {
		t.Fatalf("repeat: status %d (%s), want 200", again.status, again.body)
	}
	if !again.receipt.Duplicate {
		t.Errorf("repeat: receipt %+v lacks duplicate", again.receipt)
	}
	if again.receipt.Name != first.receipt.Name || again.receipt.SHA256 != first.receipt.SHA256 {
		t.Errorf("repeat: receipt %+v differs from the first %+v", again.receipt, first.receipt)
	}
	if files := listFiles(t, tr.dir); len(files) != 1 {
		t.Errorf("files on disk %v, want only doc.txt", files)
	}
	other := tr.putRaw(t, "doc.txt", content, keyHeader("k2"))
	checkReceipt(t, tr.dir, other, "doc (1).txt", content)
}

func TestRepeatedKeyMultipartKeepsFields(t *testing.T) {
	tr := startReceiver(t, Options{})
	parts := []formPart{
		{fieldDisposition("batch"), "42"},
		{fileDisposition("file", "in/scan.pdf"), "pdf bytes"},
	}
	first := tr.postForm(t, "form-key", parts...)
	checkReceipt(t, tr.dir, first, "in/scan.pdf", []byte("pdf bytes"))
	again := tr.postForm(t, "form-key", parts...)
	if again.status != http.StatusOK {
		t.Fatalf("repeat: status %d (%s), want 200", again.status, again.body)
	}
	if got := again.receipt.Fields["batch"]; got != "42" {
		t.Errorf("repeat: field batch = %q, want 42", got)
	}
	if files := listFiles(t, tr.dir); len(files) != 1 {
		t.Errorf("files on disk %v, want only in/scan.pdf", files)
	}
}

func TestRepeatedKeyAfterRestart(t *testing.T) {
	tr := startReceiver(t, Options{})
	content := []byte("survives restarts")
	first := tr.putRaw(t, "keep.txt", content, keyHeader("restart-key"))
	checkReceipt(t, tr.dir, first, "keep.txt", content)
	tr.stop(t)

	tr2 := startReceiver(t, Options{Dir: tr.dir})
	again := tr2.putRaw(t, "keep.txt", content, keyHeader("restart-key"))
	if again.status != http.StatusOK {
		t.Fatalf("after restart: status %d (%s), want 200", again.status, again.body)
	}
	if again.receipt.Name != "keep.txt" || !again.receipt.Duplicate {
		t.Errorf("after restart: receipt %+v, want the first one marked duplicate", again.receipt)
	}
	if files := listFiles(t, tr.dir); len(files) != 1 {
		t.Errorf("files on disk %v, want only keep.txt", files)
	}
}

func TestRepeatedKeyDifferentContent(t *testing.T) {
	tr := startReceiver(t, Options{})
	tr.putRaw(t, "a.txt", []byte("first"), keyHeader("reused"))
	res := tr.putRaw(t, "a.txt", []byte("second"), keyHeader("reused"))
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d (%s), want 422", res.status, res.body)
	}
	if !strings.Contains(res.errMsg, "reused") {
		t.Errorf("error %q does not name the key", res.errMsg)
	}
	if files := listFiles(t, tr.dir); len(files) != 1 {
		t.Errorf("files on disk %v, want only a.txt", files)
	}
}

func TestConcurrentSameKeyStoredOnce(t *testing.T) {
	tr := startReceiver(t, Options{})
	content := bytes.Repeat([]byte("concurrent "), 50_000)
	const n = 6
	var wg sync.WaitGroup
	statuses := make([]int, n)
	names := make([]string, n)
	for i := range n {
		wg.Go(func() {
			req := newRequest(t, http.MethodPut, tr.url("/upload/race.bin"), bytes.NewReader(content))
			req.Header.Set("Idempotency-Key", "same-key")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Errorf("request %d: %v", i, err)
				return
			}
			defer res.Body.Close()
			statuses[i] = res.StatusCode
			var buf bytes.Buffer
			buf.ReadFrom(res.Body)
			names[i] = buf.String()
		})
	}
	wg.Wait()

	created := 0
	for i, s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusOK:
		default:
			t.Errorf("request %d: status %d (%s)", i, s, names[i])
		}
	}
	if created != 1 {
		t.Errorf("%d requests got 201, want exactly 1", created)
	}
	if files := listFiles(t, tr.dir); len(files) != 1 {
		t.Errorf("files on disk %v, want only race.bin", files)
	}
}

func TestInvalidKeyRejected(t *testing.T) {
	tr := startReceiver(t, Options{})
	for _, key := range []string{"has space", strings.Repeat("k", 256), "tab\tkey"} {
		res := tr.putRaw(t, "x.txt", []byte("x"), keyHeader(key))
		if res.status != http.StatusBadRequest {
			t.Errorf("key %q: status %d, want 400", key, res.status)
		}
	}
	if files := listFiles(t, tr.dir); len(files) != 0 {
		t.Errorf("files stored with invalid keys: %v", files)
	}
}
