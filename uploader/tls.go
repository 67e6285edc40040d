package uploader

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"os"
)

// TLSConfig builds the client TLS settings: the system roots plus caFile
// when set (for a private CA), and a client certificate for mutual TLS when
// certFile and keyFile are set. Verification is always on.
func TLSConfig(caFile, certFile, keyFile string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("read ca_file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s contains no PEM certificate: export the CA certificate in PEM form (-----BEGIN CERTIFICATE-----)", caFile)
		}
		cfg.RootCAs = pool
	}
	if (certFile == "") != (keyFile == "") {
		return nil, fmt.Errorf("client_cert and client_key must be set together")
	}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("load client_cert %s and client_key %s: %w", certFile, keyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// ProxyFunc returns the proxy choice for requests: a fixed proxy URL when
// proxy is set, else HTTPS_PROXY, HTTP_PROXY and NO_PROXY from the
// environment. A service does not see a user's shell profile, so the fixed
// form is often the one that works.
func ProxyFunc(proxy string) (func(*http.Request) (*url.URL, error), error) {
	if proxy == "" {
		return http.ProxyFromEnvironment, nil
	}
	u, err := url.Parse(proxy)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
		return nil, fmt.Errorf("invalid proxy %q: use a URL such as \"http://proxy.example.com:3128\"", RedactURL(proxy))
	}
	return http.ProxyURL(u), nil
}
