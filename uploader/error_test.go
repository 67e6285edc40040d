package uploader

import (
	"errors"
	"testing"
)

func TestErrorMessage(t *testing.T) {
	cause := errors.New("/srv/scans is not a regular file")
	cases := []struct {
		name string
		err  *Error
		want string
	}{
		{"cause", &Error{Class: ClassInternal, Err: cause}, "internal: /srv/scans is not a regular file"},
		{"same class nested", &Error{Class: ClassInternal, Err: &Error{Class: ClassInternal, Err: cause}},
			"internal: /srv/scans is not a regular file"},
		{"other class nested", &Error{Class: ClassPermission, Err: &Error{Class: ClassInternal, Err: cause}},
			"permission_denied: internal: /srv/scans is not a regular file"},
		{"status and body", &Error{Class: ClassHTTPClient, Status: 415, Body: "only PDF files"},
			`http_client: HTTP 415 Unsupported Media Type: "only PDF files"`},
		{"class alone", &Error{Class: ClassCanceled}, "canceled"},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%s: Error() = %q, want %q", c.name, got, c.want)
		}
	}
}
