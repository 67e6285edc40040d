package receiver

import (
	"fmt"
	"mime"
	"net/url"
	"strings"
)

// fileNameParam returns the filename parameter of a Content-Disposition
// value and whether it has one. The RFC 5987 form filename* wins over the
// plain filename. mime.ParseMediaType decodes filename* only in UTF-8, so
// the ISO-8859-1 form, which RFC 5987 also requires, is decoded here.
func fileNameParam(v string) (string, bool, error) {
	_, params, err := mime.ParseMediaType(v)
	if err != nil {
		return "", false, fmt.Errorf("invalid Content-Disposition %q: %w", clip(v, 200), err)
	}
	if name, ok := latin1FileName(v); ok {
		return name, true, nil
	}
	name, ok := params["filename"]
	return name, ok, nil
}

// latin1FileName finds filename*=ISO-8859-1'lang'value in v and decodes it.
func latin1FileName(v string) (string, bool) {
	for _, param := range splitParams(v) {
		key, value, ok := strings.Cut(param, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(key), "filename*") {
			continue
		}
		charset, rest, ok := strings.Cut(strings.TrimSpace(value), "'")
		if !ok || !strings.EqualFold(charset, "iso-8859-1") {
			return "", false
		}
		_, encoded, ok := strings.Cut(rest, "'") // skips the language tag
		if !ok {
			return "", false
		}
		raw, err := url.PathUnescape(encoded)
		if err != nil {
			return "", false
		}
		runes := make([]rune, len(raw))
		for i := 0; i < len(raw); i++ {
			runes[i] = rune(raw[i]) // ISO-8859-1 bytes are the first 256 code points
		}
		return string(runes), true
	}
	return "", false
}

// splitParams splits a header value at the semicolons outside quoted
// strings.
func splitParams(v string) []string {
	var parts []string
	start, quoted := 0, false
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '\\' && quoted:
			i++
		case v[i] == '"':
			quoted = !quoted
		case v[i] == ';' && !quoted:
			parts = append(parts, v[start:i])
			start = i + 1
		}
	}
	return append(parts, v[start:])
}
