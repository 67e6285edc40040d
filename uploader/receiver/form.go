package receiver

import (
	"io"
	"mime/multipart"
	"net/http"
)

// Limits on the text fields of a multipart upload, which are held in
// memory. The file part is streamed to disk and has no such limit.
const (
	maxFormFields     = 1000
	maxFieldBytes     = 64 << 10
	maxFormFieldBytes = 1 << 20
)

// form reads a multipart/form-data body part by part. The first part with
// a filename parameter is the file. Fields may come before or after it.
type form struct {
	mr     *multipart.Reader
	fields map[string]string
	bytes  int // total size of the field values read
}

func openForm(r *http.Request) (*incoming, *httpError) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, &httpError{status: http.StatusBadRequest, msg: "invalid multipart request", cause: err}
	}
	f := &form{mr: mr, fields: make(map[string]string)}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil, errorf(http.StatusBadRequest, "the form contains no file: send the file in a part with a filename parameter")
		}
		if err != nil {
			return nil, formError(err)
		}
		name, isFile, e := partFileName(p)
		if e != nil {
			return nil, e
		}
		if !isFile {
			if e := f.addField(p); e != nil {
				return nil, e
			}
			continue
		}
		in, e := namedBody(name, p)
		if e != nil {
			return in, e
		}
		in.fields, in.finish = f.fields, f.finish
		return in, nil
	}
}

// partFileName returns the part's filename parameter. It parses the
// header itself because Part.FileName drops the folders of a relative
// path.
func partFileName(p *multipart.Part) (string, bool, *httpError) {
	name, ok, err := fileNameParam(p.Header.Get("Content-Disposition"))
	if err != nil {
		return "", false, &httpError{status: http.StatusBadRequest, msg: "invalid form part: " + err.Error()}
	}
	return name, ok, nil
}

func (f *form) addField(p *multipart.Part) *httpError {
	name := p.FormName()
	if name == "" {
		return nil // not a form field; NextPart skips its content
	}
	if len(f.fields) >= maxFormFields {
		return errorf(http.StatusBadRequest, "the form has more than %d fields", maxFormFields)
	}
	value, err := io.ReadAll(io.LimitReader(p, maxFieldBytes+1))
	if err != nil {
		return formError(err)
	}
	if len(value) > maxFieldBytes {
		return errorf(http.StatusBadRequest,
			"form field %q is larger than %d bytes; send files in a part with a filename parameter", clip(name, 64), maxFieldBytes)
	}
	f.bytes += len(name) + len(value)
	if f.bytes > maxFormFieldBytes {
		return errorf(http.StatusBadRequest, "the form fields add up to more than %d bytes", maxFormFieldBytes)
	}
	f.fields[name] = string(value)
	return nil
}

// finish reads the parts after the file up to the closing boundary, so an
// upload cut short is never stored.
func (f *form) finish() *httpError {
	for {
		p, err := f.mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return formError(err)
		}
		name, isFile, e := partFileName(p)
		if e != nil {
			return e
		}
		if isFile {
			return errorf(http.StatusBadRequest, "the form contains a second file %q; send one file per request", clip(name, 200))
		}
		if e := f.addField(p); e != nil {
			return e
		}
	}
}

// formError classifies an error from the multipart reader: a body that is
// too large, stalled or cut short, or a malformed form.
func formError(err error) *httpError {
	e := bodyError(err)
	if e.status == http.StatusBadRequest {
		e.msg = "invalid multipart body"
	}
	return e
}
