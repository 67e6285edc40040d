package receiver

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"
)

// incoming is the file of one upload request, read as it arrives.
type incoming struct {
	name    string            // requested name, validated
	fields  map[string]string // form fields; finish adds those after the file part
	content io.Reader         // the file's bytes
	// finish, when set, reads what follows the file in the request and
	// adds any further form fields.
	finish func() *httpError
}

// upload handles one upload request. pathName is the name from the URL
// path, used when inPath is true.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, rl *requestLog, pathName string, inPath bool) {
	if e := s.authorize(w, r); e != nil {
		fail(w, rl, e)
		return
	}

	if r.ContentLength > s.opts.MaxBodyBytes {
		fail(w, rl, errorf(http.StatusRequestEntityTooLarge,
			"request body of %d bytes exceeds the limit of %d bytes", r.ContentLength, s.opts.MaxBodyBytes))
		return
	}
	key := r.Header.Get("Idempotency-Key")
	rl.key = key
	if e := checkKey(key); e != nil {
		fail(w, rl, e)
		return
	}

	body := s.limitBody(w, r)
	r.Body = body
	defer func() { rl.received = body.n }()
	in, e := s.openIncoming(r, pathName, inPath)
	if in != nil {
		rl.name = in.name
	}
	if e != nil {
		fail(w, rl, e)
		return
	}

	status, receipt, e := s.receive(r, in, key)
	if e != nil {
		fail(w, rl, e)
		return
	}
	rl.stored, rl.size = receipt.Name, receipt.Size
	writeJSON(w, status, receipt)
}

// receive stores in, or, when key belongs to an earlier upload, reads
// in to compare it and returns the earlier receipt. Requests with the
// same key take turns, so only one of them can store the file.
func (s *Server) receive(r *http.Request, in *incoming, key string) (int, Receipt, *httpError) {
	if key == "" {
		receipt, e := s.storeFile(in)
		return http.StatusCreated, receipt, e
	}
	release, ok := s.keys.acquire(r.Context().Done(), key)
	if !ok {
		return 0, Receipt{}, errorf(http.StatusServiceUnavailable,
			"request canceled while waiting for another request with Idempotency-Key %q", key)
	}
	defer release()
	if prior, ok := s.keys.lookup(key); ok {
		receipt, e := confirmRepeat(in, prior, key)
		return http.StatusOK, receipt, e
	}
	receipt, e := s.storeFile(in)
	if e != nil {
		return 0, Receipt{}, e
	}
	// NOTE: a crash between storeFile and add leaves the file stored
	// without its key, so a retry after the restart stores a second copy.
	if err := s.keys.add(key, receipt); err != nil {
		// The file is stored, so the client gets its receipt. Only a
		// repeat after a restart would store it a second time.
		s.log.Error("recording the Idempotency-Key failed", "idempotency_key", key, "name", receipt.Name, "error", err)
	}
	return http.StatusCreated, receipt, nil
}

// confirmRepeat reads the repeated upload without storing it and returns
// the earlier receipt when the content matches. A different file under the
// same key is a client error.
func confirmRepeat(in *incoming, prior Receipt, key string) (Receipt, *httpError) {
	size, sum, readErr, _ := copyHashed(io.Discard, in.content)
	if readErr != nil {
		return Receipt{}, bodyError(readErr)
	}
	if in.finish != nil {
		if e := in.finish(); e != nil {
			return Receipt{}, e
		}
	}
	if size != prior.Size || sum != prior.SHA256 {
		return Receipt{}, errorf(http.StatusUnprocessableEntity,
			"Idempotency-Key %q was already used for different content (stored as %q, %d bytes, sha256 %s); send a new key for a new file",
			key, prior.Name, prior.Size, prior.SHA256)
	}
	prior.Duplicate = true
	return prior, nil
}

// storeFile writes in to a temporary file, hashing it on the way, syncs
// it and moves it to a free name. A failure at any step removes the
// temporary file.
func (s *Server) storeFile(in *incoming) (Receipt, *httpError) {
	f, tmp, err := s.store.createTemp()
	if err != nil {
		return Receipt{}, internalError("storing the upload failed", err)
	}
	committed := false
	defer func() {
		if !committed {
			f.Close()
			s.store.removeTemp(tmp)
		}
	}()

	size, sum, readErr, writeErr := copyHashed(f, in.content)
	switch {
	case readErr != nil:
		return Receipt{}, bodyError(readErr)
	case writeErr != nil:
		return Receipt{}, internalError("storing the upload failed", writeErr)
	}
	if in.finish != nil {
		if e := in.finish(); e != nil {
			return Receipt{}, e
		}
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return Receipt{}, internalError("storing the upload failed", err)
	}

	stored, err := s.store.commit(tmp, in.name)
	if errors.Is(err, errNameConflict) {
		return Receipt{}, &httpError{status: http.StatusConflict, msg: err.Error()}
	}
	if err != nil {
		return Receipt{}, internalError("storing the upload failed", err)
	}
	committed = true
	return Receipt{Name: stored, Size: size, SHA256: sum, Fields: in.fields}, nil
}

// openIncoming finds the file in the request: the name from the URL path,
// a multipart/form-data file part, or a raw body named by its
// Content-Disposition header.
func (s *Server) openIncoming(r *http.Request, pathName string, inPath bool) (*incoming, *httpError) {
	if inPath {
		return namedBody(pathName, r.Body)
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "multipart/form-data" {
		return openForm(r)
	}
	disposition := r.Header.Get("Content-Disposition")
	if disposition == "" {
		return nil, errorf(http.StatusBadRequest,
			"missing file name: send multipart/form-data, a Content-Disposition header with a filename, or PUT to %s/NAME", uploadPath)
	}
	name, err := dispositionFileName(disposition)
	if err != nil {
		return nil, &httpError{status: http.StatusBadRequest, msg: err.Error()}
	}
	return namedBody(name, r.Body)
}

func namedBody(name string, body io.Reader) (*incoming, *httpError) {
	if err := ValidateName(name); err != nil {
		return &incoming{name: name}, &httpError{status: http.StatusBadRequest, msg: err.Error()}
	}
	return &incoming{name: name, content: body}, nil
}

// dispositionFileName returns the file name of a raw upload's
// Content-Disposition header.
func dispositionFileName(v string) (string, error) {
	name, ok, err := fileNameParam(v)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("Content-Disposition %q has no filename parameter", clip(v, 200))
	}
	return name, nil
}

// checkKey accepts an empty key (none sent) or 1 to 255 visible ASCII
// characters.
func checkKey(key string) *httpError {
	if len(key) > 255 {
		return errorf(http.StatusBadRequest, "Idempotency-Key of %d characters is too long; use at most 255", len(key))
	}
	for i := 0; i < len(key); i++ {
		if key[i] <= ' ' || key[i] > '~' {
			return errorf(http.StatusBadRequest, "invalid Idempotency-Key %q: use visible ASCII characters only", clip(key, 64))
		}
	}
	return nil
}

// limitBody caps the body at MaxBodyBytes and cuts it off when no bytes
// arrive for BodyIdleTimeout.
func (s *Server) limitBody(w http.ResponseWriter, r *http.Request) *idleBody {
	if sw, ok := w.(*statusWriter); ok {
		w = sw.ResponseWriter // lets MaxBytesReader mark the connection for closing
	}
	return &idleBody{
		ReadCloser: http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes),
		rc:         http.NewResponseController(w),
		idle:       s.opts.BodyIdleTimeout,
	}
}

// idleBody moves the connection's read deadline forward before each read
// and counts the bytes read.
type idleBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	idle time.Duration
	n    int64
}

func (b *idleBody) Read(p []byte) (int, error) {
	// SetReadDeadline returns an error when the ResponseWriter cannot set
	// deadlines, and such a body has no idle limit.
	b.rc.SetReadDeadline(time.Now().Add(b.idle))
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	return n, err
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return truncateUTF8(s, n) + "..."
}
