package receiver

import (
	"net/http"
	"strings"
	"testing"
)

func TestTokenRequired(t *testing.T) {
	const token = "s3cret-token"
	tr := startReceiver(t, Options{Token: token})
	cases := []struct {
		auth   string
		status int
	}{
		{"", http.StatusUnauthorized},
		{"Bearer wrong", http.StatusUnauthorized},
		{"Basic " + token, http.StatusUnauthorized},
		{"Bearer " + token + "x", http.StatusUnauthorized},
		{"Bearer " + token, http.StatusCreated},
		{"bearer " + token, http.StatusCreated},
	}
	for i, c := range cases {
		req := newRequest(t, http.MethodPut, tr.url("/upload/t.txt"), strings.NewReader("x"))
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		res := do(t, req)
		if res.status != c.status {
			t.Errorf("case %d (%q): status %d (%s), want %d", i, c.auth, res.status, res.body, c.status)
		}
	}
	if files := listFiles(t, tr.dir); len(files) != 2 {
		t.Errorf("files stored %v, want the two authorized uploads", files)
	}
	if strings.Contains(tr.logs.String(), token) {
		t.Errorf("the log contains the token:\n%s", tr.logs.String())
	}
}

func TestProbesNeedToken(t *testing.T) {
	tr := startReceiver(t, Options{Token: "probe-token"})
	for _, method := range []string{http.MethodHead, http.MethodOptions} {
		req := newRequest(t, method, tr.url("/upload"), nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without token: status %d, want 401", method, res.StatusCode)
		}
		if res.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s without token: no WWW-Authenticate header", method)
		}
		req.Header.Set("Authorization", "Bearer probe-token")
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNoContent {
			t.Errorf("%s with token: status %d, want 204", method, res.StatusCode)
		}
		if allow := res.Header.Get("Allow"); !strings.Contains(allow, "POST") {
			t.Errorf("%s: Allow %q lacks POST", method, allow)
		}
	}
}

func TestHealthNeedsNoToken(t *testing.T) {
	tr := startReceiver(t, Options{Token: "t"})
	res := do(t, newRequest(t, http.MethodGet, tr.url("/healthz"), nil))
	if res.status != http.StatusOK || res.body != "ok" {
		t.Errorf("GET /healthz: %d %q, want 200 ok", res.status, res.body)
	}
}

func TestUnknownRoutes(t *testing.T) {
	tr := startReceiver(t, Options{})
	cases := []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/", http.StatusNotFound},
		{http.MethodPost, "/uploads", http.StatusNotFound},
		{http.MethodGet, "/upload", http.StatusMethodNotAllowed},
		{http.MethodPut, "/upload", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/upload/x.txt", http.StatusMethodNotAllowed},
		{http.MethodGet, "/upload/x.txt", http.StatusMethodNotAllowed},
		{http.MethodPost, "/healthz", http.StatusMethodNotAllowed},
	}
	for _, c := range cases {
		res := do(t, newRequest(t, c.method, tr.url(c.path), nil))
		if res.status != c.status {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, res.status, c.status)
		}
	}
}

func TestRequestLogLine(t *testing.T) {
	tr := startReceiver(t, Options{Token: "log-token"})
	req := newRequest(t, http.MethodPut, tr.url("/upload/logged.txt"), strings.NewReader("12345"))
	req.Header.Set("Authorization", "Bearer log-token")
	req.Header.Set("Idempotency-Key", "abc123")
	if res := do(t, req); res.status != http.StatusCreated {
		t.Fatalf("status %d", res.status)
	}
	logs := tr.logs.String()
	for _, want := range []string{"msg=request", "method=PUT", "name=logged.txt", "size=5", "status=201", "duration=", "remote=127.0.0.1", "idempotency_key=abc123"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "log-token") {
		t.Errorf("log contains the token:\n%s", logs)
	}
}
