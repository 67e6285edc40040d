package uploader

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeCA writes srv's certificate, which httptest signs itself, as a PEM
// CA file.
func writeCA(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	p := filepath.Join(tempDir(t), "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeOtherCA writes a fresh self-signed CA that signed nothing the test
// servers use. httptest servers all share one certificate.
func writeOtherCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "other CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(tempDir(t), "other-ca.pem")
	os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	return p
}

func TestUploadPrivateCA(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	src := writeSource(t, "a.txt", []byte("over TLS"))

	good, err := TLSConfig(writeCA(t, srv), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newClient(t, Config{URL: srv.URL, TLS: good}).Upload(context.Background(), src, nil); err != nil {
		t.Fatalf("upload with the right CA: %v", err)
	}

	wrong, err := TLSConfig(writeOtherCA(t), "", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = newClient(t, Config{URL: srv.URL, TLS: wrong}).Upload(context.Background(), src, nil)
	if got := Classify(err); got != ClassTLS {
		t.Fatalf("upload with the wrong CA: class %q (%v), want tls", got, err)
	}
}

func TestTLSConfigRejectsBadFiles(t *testing.T) {
	notPEM := filepath.Join(tempDir(t), "ca.txt")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o644)
	if _, err := TLSConfig(notPEM, "", ""); err == nil {
		t.Error("a CA file without PEM was accepted")
	}
	if _, err := TLSConfig("", "cert.pem", ""); err == nil {
		t.Error("client_cert without client_key was accepted")
	}
	if _, err := ProxyFunc("proxy:3128"); err == nil {
		t.Error("a proxy without scheme was accepted")
	}
}
