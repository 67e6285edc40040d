package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hotfolder/hotfolder/agent"
	"github.com/hotfolder/hotfolder/uploader"
)

// probeTimeout limits the check of one endpoint.
const probeTimeout = 15 * time.Second

// probeEndpoints checks that each folder's endpoint responds and prints
// one line per folder, as TOML comments so validate's output stays TOML.
// It returns false when any endpoint cannot be reached or rejects the
// credentials.
func probeEndpoints(ctx context.Context, cfg *agent.Config, w io.Writer) bool {
	fmt.Fprintln(w, "\n# Endpoint checks:")
	ok := true
	for i := range cfg.Folders {
		fc := &cfg.Folders[i]
		msg, good := probeFolder(ctx, fc)
		ok = ok && good
		verdict := "ok"
		if !good {
			verdict = "PROBLEM"
		}
		fmt.Fprintf(w, "#   folder %s, %s: %s: %s\n", fc.Name, uploader.RedactURL(fc.Upload.URL), verdict, msg)
	}
	return ok
}

// probeFolder returns what the probe of fc's endpoint found, in words,
// and whether it is usable.
func probeFolder(ctx context.Context, fc *agent.FolderConfig) (string, bool) {
	client, err := agent.NewClient(fc, nil)
	if err != nil {
		return err.Error(), false
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	method, status, err := client.Probe(ctx)
	switch {
	case err != nil:
		u, _ := url.Parse(fc.Upload.URL)
		return describeProbeError(err, u), false
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Sprintf("reachable, but the server rejected the credentials (%s answered HTTP %d): check token_env or token_file",
			method, status), false
	}
	return fmt.Sprintf("reachable (%s answered HTTP %d %s)", method, status, http.StatusText(status)), true
}

// describeProbeError words a failed probe by its error class.
func describeProbeError(err error, u *url.URL) string {
	host, hostPort := "", ""
	if u != nil {
		host, hostPort = u.Hostname(), u.Host
	}
	switch uploader.Classify(err) {
	case uploader.ClassDNS:
		return fmt.Sprintf("host name %q does not resolve: check the host in url and this machine's DNS settings", host)
	case uploader.ClassRefused:
		return fmt.Sprintf("nothing listens at %s (connection refused): check the host and port in url, and that the server runs", hostPort)
	case uploader.ClassTLS:
		return describeTLSError(err, host)
	case uploader.ClassTimeout:
		return fmt.Sprintf("no answer from %s within %s: a firewall may drop the traffic, or the host is down", hostPort, probeTimeout)
	case uploader.ClassReset:
		return fmt.Sprintf("%s closed the connection without an answer: check the scheme (http or https) and the port in url", hostPort)
	case uploader.ClassNetwork:
		return fmt.Sprintf("network error reaching %s: %v", hostPort, errors.Unwrap(err))
	}
	// net/http reports a plain-HTTP response to a TLS handshake with an
	// untyped error, so only its text identifies it.
	if strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
		return "the server did not answer with TLS: check whether url should start with http:// instead of https://"
	}
	return err.Error()
}

func describeTLSError(err error, host string) string {
	var (
		unknownCA   x509.UnknownAuthorityError
		hostnameErr x509.HostnameError
		invalidErr  x509.CertificateInvalidError
		recordErr   tls.RecordHeaderError
		alertErr    tls.AlertError
	)
	switch {
	case errors.As(err, &unknownCA):
		return "certificate not trusted: set ca_file to the CA certificate (PEM) that signed the server's certificate"
	case errors.As(err, &hostnameErr):
		return fmt.Sprintf("the server's certificate is not valid for %q: use the host name the certificate names in url", host)
	case errors.As(err, &invalidErr) && invalidErr.Reason == x509.Expired:
		return "the server's certificate has expired or is not valid yet: renew it, or check this machine's clock"
	case errors.As(err, &invalidErr):
		return fmt.Sprintf("the server's certificate is invalid: %v", invalidErr)
	case errors.As(err, &recordErr):
		return "the server did not answer with TLS: check whether url should start with http:// instead of https://"
	case errors.As(err, &alertErr):
		return fmt.Sprintf("the server rejected the TLS handshake (%v): if it requires a client certificate, set client_cert and client_key", alertErr)
	}
	return fmt.Sprintf("TLS handshake failed: %v", errors.Unwrap(err))
}
