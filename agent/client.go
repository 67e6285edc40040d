package agent

import (
	"fmt"

	"github.com/hotfolder/hotfolder/uploader"
)

// NewClient returns the upload client for a folder's [folder.upload]
// table, as the agent uses it. throttle, when not nil, caps its rate.
func NewClient(fc *FolderConfig, throttle uploader.Throttle) (*uploader.Client, error) {
	u := fc.Upload
	tlsConfig, err := uploader.TLSConfig(u.CAFile, u.ClientCert, u.ClientKey)
	if err != nil {
		return nil, fmt.Errorf("folder %q: %w", fc.Name, err)
	}
	proxy, err := uploader.ProxyFunc(u.Proxy)
	if err != nil {
		return nil, fmt.Errorf("folder %q: %w", fc.Name, err)
	}
	client, err := uploader.New(uploader.Config{
		URL: u.URL, Method: u.Method, Mode: u.Mode, Field: u.Field,
		Fields: u.Fields, Headers: u.Headers, Token: u.Token(),
		Timeout: u.Timeout.D(), StallTimeout: u.StallTimeout.D(),
		TLS: tlsConfig, Proxy: proxy, UserAgent: "hotfolder/" + Version,
		Throttle: throttle,
	})
	if err != nil {
		return nil, fmt.Errorf("folder %q: %w", fc.Name, err)
	}
	return client, nil
}
