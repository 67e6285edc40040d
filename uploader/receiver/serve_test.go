package receiver

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// served is a receiver started with Serve.
type served struct {
	url  string // upload URL
	dir  string
	done chan error // receives Serve's result
	stop context.CancelFunc
	once sync.Once
}

// startServe runs Serve in the background and waits for its Ready call.
func startServe(t *testing.T, opts ServeOptions) *served {
	t.Helper()
	if opts.Options.Dir == "" {
		opts.Options.Dir = tempDir(t)
	}
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	ready := make(chan string, 1)
	opts.Ready = func(_ net.Addr, url string) { ready <- url }
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{dir: opts.Options.Dir, done: make(chan error, 1), stop: cancel}
	go func() { s.done <- Serve(ctx, opts) }()
	select {
	case s.url = <-ready:
	case err := <-s.done:
		cancel()
		t.Fatalf("Serve: %v", err)
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("Serve did not report its address")
	}
	t.Cleanup(func() { s.shutdown(t) })
	return s
}

// shutdown cancels Serve and checks that it returns nil.
func (s *served) shutdown(t *testing.T) {
	t.Helper()
	s.once.Do(func() {
		s.stop()
		select {
		case err := <-s.done:
			if err != nil {
				t.Errorf("Serve returned %v after shutdown", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("Serve did not return after shutdown")
		}
	})
}

func TestServeUploadAndShutdown(t *testing.T) {
	s := startServe(t, ServeOptions{})
	if !strings.HasPrefix(s.url, "http://127.0.0.1:") || !strings.HasSuffix(s.url, "/upload") {
		t.Fatalf("upload URL %q", s.url)
	}
	content := []byte("through Serve")
	req := newRequest(t, http.MethodPut, s.url+"/served.txt", bytes.NewReader(content))
	checkReceipt(t, s.dir, do(t, req), "served.txt", content)
	s.shutdown(t)
	if _, err := http.Get(strings.TrimSuffix(s.url, "/upload") + "/healthz"); err == nil {
		t.Error("receiver still answers after shutdown")
	}
}

func TestServeFinishesRunningUpload(t *testing.T) {
	s := startServe(t, ServeOptions{})
	pr, pw := io.Pipe()
	req := newRequest(t, http.MethodPut, s.url+"/slow.txt", pr)
	req.ContentLength = 10
	result := make(chan response, 1)
	go func() { result <- do(t, req) }()
	pw.Write([]byte("first"))
	waitFor(t, "the upload to start", func() bool { return len(tempFiles(t, s.dir)) == 1 })
	s.stop()
	time.Sleep(100 * time.Millisecond) // let Shutdown begin
	pw.Write([]byte("-last"))
	pw.Close()
	res := <-result
	checkReceipt(t, s.dir, res, "slow.txt", []byte("first-last"))
}

func TestServeRejectsOpenAddressWithoutToken(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0"} {
		err := Serve(context.Background(), ServeOptions{Listen: addr, Options: Options{Dir: tempDir(t)}})
		if !errors.Is(err, ErrTokenRequired) {
			t.Errorf("Serve on %s without a token: %v, want ErrTokenRequired", addr, err)
			continue
		}
		if !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "--token-file") {
			t.Errorf("error %q does not name the address and the fix", err)
		}
	}
}

func TestServeLocalhostNeedsNoToken(t *testing.T) {
	s := startServe(t, ServeOptions{Listen: "localhost:0"})
	res := do(t, newRequest(t, http.MethodHead, s.url, nil))
	if res.status != http.StatusNoContent {
		t.Errorf("HEAD %s: status %d, want 204", s.url, res.status)
	}
}

func TestServeTokenFile(t *testing.T) {
	tokenFile := filepath.Join(tempDir(t), "token")
	if err := os.WriteFile(tokenFile, []byte("  file-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, ServeOptions{TokenFile: tokenFile})
	req := newRequest(t, http.MethodPut, s.url+"/a.txt", strings.NewReader("a"))
	if res := do(t, req); res.status != http.StatusUnauthorized {
		t.Errorf("without token: status %d, want 401", res.status)
	}
	req = newRequest(t, http.MethodPut, s.url+"/a.txt", strings.NewReader("a"))
	req.Header.Set("Authorization", "Bearer file-token")
	if res := do(t, req); res.status != http.StatusCreated {
		t.Errorf("with token: status %d (%s), want 201", res.status, res.body)
	}
}

func TestServeTokenFileErrors(t *testing.T) {
	empty := filepath.Join(tempDir(t), "empty")
	os.WriteFile(empty, []byte(" \n"), 0o600)
	err := Serve(context.Background(), ServeOptions{Listen: "127.0.0.1:0", TokenFile: empty, Options: Options{Dir: tempDir(t)}})
	if err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty token file: %v, want an error saying it is empty", err)
	}
	missing := filepath.Join(tempDir(t), "missing")
	err = Serve(context.Background(), ServeOptions{Listen: "127.0.0.1:0", TokenFile: missing, Options: Options{Dir: tempDir(t)}})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing token file: %v, want a not-exist error", err)
	}
}

func TestServeTLSNeedsCertAndKey(t *testing.T) {
	err := Serve(context.Background(), ServeOptions{Listen: "127.0.0.1:0", TLSCert: "cert.pem", Options: Options{Dir: tempDir(t)}})
	if err == nil || !strings.Contains(err.Error(), "both") {
		t.Errorf("certificate without key: %v, want an error asking for both", err)
	}
}

// writeSelfSigned writes a self-signed certificate for 127.0.0.1 and its
// key as PEM files, and returns their paths and the certificate.
func writeSelfSigned(t *testing.T) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "hotfolder receiver test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}

	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if cert, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}

	dir := tempDir(t)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	return certFile, keyFile, cert
}

func TestServeTLS(t *testing.T) {
	certFile, keyFile, cert := writeSelfSigned(t)
	s := startServe(t, ServeOptions{TLSCert: certFile, TLSKey: keyFile})
	if !strings.HasPrefix(s.url, "https://127.0.0.1:") {
		t.Fatalf("upload URL %q, want https", s.url)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)

	for _, http2 := range []bool{false, true} {
		client := &http.Client{Transport: &http.Transport{
			TLSClientConfig:   &tls.Config{RootCAs: pool},
			ForceAttemptHTTP2: http2,
		}}
		name := fmt.Sprintf("tls/http2-%v.txt", http2)
		content := []byte("over TLS to " + name)
		res, err := client.Post(s.url+"/"+name, "application/octet-stream", bytes.NewReader(content))
		if err != nil {
			t.Fatalf("POST over TLS (HTTP/2 %v): %v", http2, err)
		}
		var receipt Receipt
		decodeErr := json.NewDecoder(res.Body).Decode(&receipt)
		res.Body.Close()
		client.CloseIdleConnections()

		if res.StatusCode != http.StatusCreated {
			t.Fatalf("HTTP/2 %v: status %d, want 201", http2, res.StatusCode)
		}
		if http2 && res.ProtoMajor != 2 {
			t.Errorf("protocol %s, want HTTP/2", res.Proto)
		}
		if decodeErr != nil {
			t.Fatalf("decode receipt: %v", decodeErr)
		}
		if receipt.SHA256 != sha256Hex(content) {
			t.Errorf("sha256 %s, want %s", receipt.SHA256, sha256Hex(content))
		}
		if got := readStored(t, s.dir, name); !bytes.Equal(got, content) {
			t.Errorf("stored %q, want %q", got, content)
		}
	}
}

func TestUploadURL(t *testing.T) {
	cases := []struct {
		addr  *net.TCPAddr
		https bool
		want  string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, false, "http://127.0.0.1:8080/upload"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 9000}, true, "https://127.0.0.1:9000/upload"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 1}, false, "http://[::1]:1/upload"},
	}
	for _, c := range cases {
		if got := UploadURL(c.addr, c.https); got != c.want {
			t.Errorf("UploadURL(%v, %v) = %q, want %q", c.addr, c.https, got, c.want)
		}
	}
}
