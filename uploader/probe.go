package uploader

import (
	"context"
	"io"
	"net/http"
)

// probeName replaces {name} in a raw-mode URL for a probe.
const probeName = "hotfolder-probe"

// Probe checks that the endpoint responds, without sending a file. It
// sends OPTIONS to the URL, and HEAD when the server rejects OPTIONS with
// 405 or 501. It returns the method of the last request and the HTTP
// status of its response, whatever the status. When no response arrives,
// the error is an *Error with the failure's class.
func (c *Client) Probe(ctx context.Context) (method string, status int, err error) {
	for _, method = range []string{http.MethodOptions, http.MethodHead} {
		status, err = c.probe(ctx, method)
		if err != nil || (status != http.StatusMethodNotAllowed && status != http.StatusNotImplemented) {
			return method, status, err
		}
	}
	return method, status, nil
}

func (c *Client) probe(ctx context.Context, method string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, expandName(c.cfg.URL, probeName), nil)
	if err != nil {
		return 0, &Error{Class: ClassInternal, Err: err}
	}
	for k, v := range c.cfg.Headers {
		req.Header.Set(k, v)
	}
	if c.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	}
	if c.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, &Error{Class: Classify(err), Err: err}
	}
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	resp.Body.Close()
	return resp.StatusCode, nil
}
