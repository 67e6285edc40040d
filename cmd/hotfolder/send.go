package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hotfolder/hotfolder/agent"
	"github.com/hotfolder/hotfolder/uploader"
)

// runSend uploads the named files once each, through the client a
// folder's [folder.upload] table describes, and prints each outcome. It
// neither moves the files nor retries.
func runSend(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: hotfolder send FILE... --config FILE [--folder NAME]\n\nUploads each FILE once to the endpoint of the folder NAME (needed when the\nconfig has more than one folder) and prints the outcome. Files are not moved.")
		fs.PrintDefaults()
	}
	config := fs.String("config", "", "config `FILE`")
	folderName := fs.String("folder", "", "send to the endpoint of the folder `NAME`")
	files, code, ok := parseInterleaved(fs, args, stderr)
	if !ok {
		return code
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "hotfolder send: no files given: pass the paths of the files to upload")
		return exitUsage
	}
	cfg, code := loadConfig(*config, stderr)
	if cfg == nil {
		return code
	}
	fc, err := pickFolder(cfg, *folderName)
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder send: %v\n", err)
		return exitUsage
	}
	client, err := agent.NewClient(fc, nil)
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder send: %v\n", err)
		return exitError
	}
	defer client.Close()

	fmt.Fprintf(stdout, "sending to %s (folder %s)\n", uploader.RedactURL(fc.Upload.URL), fc.Name)
	table := newSendTable(stdout, files)
	failed := 0
	for _, file := range files {
		r := sendOne(ctx, client, fc, file)
		if r.err != nil {
			failed++
		}
		r.print(table)
	}
	if failed > 0 {
		fmt.Fprintf(stdout, "%d of %d files failed\n", failed, len(files))
		return exitError
	}
	return exitOK
}

// sendResult is the outcome of one file.
type sendResult struct {
	file   string
	status int
	size   int64
	took   time.Duration
	err    error
}

// print writes r as a row of t. The ERROR column leaves out the class
// that starts the message, because the CLASS column shows it.
func (r sendResult) print(t *sendTable) {
	result, class, msg := "ok", "-", "-"
	if r.err != nil {
		result, class = "FAILED", string(uploader.Classify(r.err))
		msg = clip(strings.TrimPrefix(r.err.Error(), class+": "), 100)
	}
	t.row(r.file, result, orDash(r.status), formatSize(r.size), r.took.Round(time.Millisecond).String(), class, msg)
}

// sendTable prints the outcome of each file as one row as soon as it is
// known. Rows printed one at a time cannot be aligned afterwards, so the
// column widths are fixed up front: the longest file name, and for the
// other columns the longest value they usually take. A longer value
// shifts the rest of its row.
type sendTable struct {
	w      io.Writer
	widths []int
}

func newSendTable(w io.Writer, files []string) *sendTable {
	header := []string{"FILE", "RESULT", "HTTP", "SIZE", "DURATION", "CLASS", "ERROR"}
	t := &sendTable{w: w, widths: make([]int, len(header))}
	for i, h := range header {
		t.widths[i] = len(h)
	}
	for _, f := range files {
		t.widths[0] = max(t.widths[0], utf8.RuneCountInString(f))
	}
	t.widths[2] = max(t.widths[2], len("599"))
	t.widths[3] = max(t.widths[3], len("1023.9 MiB"))
	t.widths[4] = max(t.widths[4], len("59m59.999s"))
	for _, c := range uploader.Classes {
		t.widths[5] = max(t.widths[5], len(c))
	}
	t.row(header...)
	return t
}

// row prints cells padded to the column widths, two spaces apart. The
// last cell is not padded.
func (t *sendTable) row(cells ...string) {
	var b strings.Builder
	for i, c := range cells {
		if i == len(cells)-1 {
			b.WriteString(c)
			break
		}
		fmt.Fprintf(&b, "%-*s  ", t.widths[i], c)
	}
	fmt.Fprintln(t.w, b.String())
}

// sendOne uploads one file with the name and Idempotency-Key the agent
// would use: its path below the folder's inbox when it is in there, else
// its base name.
func sendOne(ctx context.Context, client *uploader.Client, fc *agent.FolderConfig, file string) sendResult {
	r := sendResult{file: file}
	path, err := filepath.Abs(file)
	if err != nil {
		r.err = &uploader.Error{Class: uploader.ClassInternal, Err: err}
		return r
	}
	st, err := os.Stat(path)
	if err != nil {
		r.err = &uploader.Error{Class: uploader.Classify(err), Err: err}
		return r
	}
	if err := checkRegular(path, st); err != nil {
		r.err = err
		return r
	}
	r.size = st.Size()
	start := time.Now()
	sum, err := uploader.HashFile(ctx, path, st.Size())
	if err != nil {
		r.err = &uploader.Error{Class: uploader.Classify(err), Err: fmt.Errorf("read for hashing: %w", err)}
		return r
	}
	name := uploadName(fc.Inbox, path)
	rc, err := client.Upload(ctx, uploader.Source{Path: path, Name: name, Size: st.Size(), ModTime: st.ModTime(),
		SHA256: sum, Key: uploader.IdempotencyKey(name, sum)}, nil)
	r.took = time.Since(start)
	var ue *uploader.Error
	switch {
	case err == nil:
		r.status = rc.Status
	case errors.As(err, &ue):
		r.status, r.err = ue.Status, err
	default:
		r.err = err
	}
	return r
}

// checkRegular returns an error unless st, the file information of path,
// describes a regular file. A FIFO, socket or device gets the class
// rejected_special, as the agent gives it, and a folder gets internal.
func checkRegular(path string, st os.FileInfo) error {
	switch {
	case st.Mode().IsRegular():
		return nil
	case st.IsDir():
		return &uploader.Error{Class: uploader.ClassInternal,
			Err: fmt.Errorf("%s is a folder, not a regular file: pass the files in it", path)}
	}
	kind := "a special file"
	switch mode := st.Mode(); {
	case mode&os.ModeNamedPipe != 0:
		kind = "a named pipe"
	case mode&os.ModeSocket != 0:
		kind = "a socket"
	case mode&os.ModeDevice != 0:
		kind = "a device"
	}
	return &uploader.Error{Class: uploader.ClassRejectedSpecial,
		Err: fmt.Errorf("%s is %s, not a regular file, so it is not opened", path, kind)}
}

// uploadName returns path's slash-separated path below inbox when it is
// inside it, else its base name.
func uploadName(inbox, path string) string {
	rel, err := filepath.Rel(inbox, path)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") || filepath.IsAbs(rel) {
		return filepath.Base(path)
	}
	return filepath.ToSlash(rel)
}

// pickFolder returns the folder named name, or the only folder when name
// is empty.
func pickFolder(cfg *agent.Config, name string) (*agent.FolderConfig, error) {
	var names []string
	for i := range cfg.Folders {
		if cfg.Folders[i].Name == name {
			return &cfg.Folders[i], nil
		}
		names = append(names, cfg.Folders[i].Name)
	}
	if name == "" && len(cfg.Folders) == 1 {
		return &cfg.Folders[0], nil
	}
	if name == "" {
		return nil, fmt.Errorf("the config has %d folders: pass --folder with one of %s", len(names), strings.Join(names, ", "))
	}
	return nil, fmt.Errorf("no folder named %q in the config: use one of %s", name, strings.Join(names, ", "))
}

// parseInterleaved parses flags that may come before, between or after
// the positional arguments, which it returns; everything after "--" is
// positional. ok is false when the command should stop with code.
func parseInterleaved(fs *flag.FlagSet, args []string, stderr io.Writer) (pos []string, code int, ok bool) {
	fs.SetOutput(stderr)
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK, false
			}
			return nil, exitUsage, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
