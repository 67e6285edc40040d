package uploader

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"path"
	"sort"
	"strings"
)

// body is one attempt's request body: a fixed prefix, the file's bytes and
// a fixed suffix, so the exact Content-Length is known before sending.
type body struct {
	head, tail  []byte
	contentType string
}

func (b *body) length(size int64) int64 {
	return int64(len(b.head)) + size + int64(len(b.tail))
}

// reader returns the whole body over file, which yields exactly the file's
// bytes.
func (b *body) reader(file io.Reader) io.Reader {
	return io.MultiReader(bytes.NewReader(b.head), file, bytes.NewReader(b.tail))
}

// multipartBody lays out a multipart/form-data body: the extra fields in
// name order, then the file part named field.
func multipartBody(field, name string, fields map[string]string) (*body, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := w.WriteField(k, fields[k]); err != nil {
			return nil, err
		}
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", formDataDisposition(field, name))
	h.Set("Content-Type", contentTypeOf(name))
	if _, err := w.CreatePart(h); err != nil {
		return nil, err
	}
	head := bytes.Clone(buf.Bytes())
	buf.Reset()
	if err := w.Close(); err != nil {
		return nil, err
	}
	return &body{head: head, tail: bytes.Clone(buf.Bytes()), contentType: w.FormDataContentType()}, nil
}

// rawBody is the file alone.
func rawBody(name string) *body {
	return &body{contentType: contentTypeOf(name)}
}

func contentTypeOf(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", "%0D", "\n", "%0A")

// formDataDisposition writes the part header the way browsers do, with the
// name in a quoted string, and adds the RFC 5987 filename* form for
// non-ASCII names, which servers that follow RFC 6266 prefer.
func formDataDisposition(field, name string) string {
	v := `form-data; name="` + quoteEscaper.Replace(field) + `"; filename="` + quoteEscaper.Replace(name) + `"`
	if !isASCII(name) {
		v += "; filename*=UTF-8''" + url.PathEscape(name)
	}
	return v
}

// attachmentDisposition names the file of a raw upload.
func attachmentDisposition(name string) string {
	v := `attachment; filename="` + quoteEscaper.Replace(asciiFallback(name)) + `"`
	if !isASCII(name) {
		v += "; filename*=UTF-8''" + url.PathEscape(name)
	}
	return v
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] < 0x20 {
			return false
		}
	}
	return true
}

// asciiFallback replaces non-ASCII runes with '_', for the plain filename
// parameter of a header, where raw UTF-8 is not allowed.
func asciiFallback(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f {
			return '_'
		}
		return r
	}, s)
}

// expandName replaces {name} in a URL with the escaped relative path. Each
// path segment is escaped on its own, so the slashes of a subfolder stay
// path separators.
func expandName(rawURL, rel string) string {
	if !strings.Contains(rawURL, "{name}") {
		return rawURL
	}
	segs := strings.Split(rel, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.ReplaceAll(rawURL, "{name}", strings.Join(segs, "/"))
}
