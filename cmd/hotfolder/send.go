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
	"text/tabwriter"
	"time"

	"github.com/hotfolder/hotfolder/agent"
	"github.com/hotfolder/hotfolder/uploader"
)

// runSend uploads the named files once each, through the client a
// folder's [folder.upload] table describes, and prints each outcome. It
// neither moves the files nor retries.
func runSend(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: hotfolder send FILE... --config FILE [--folder NAME]\n\nUploads each FILE once to the endpoint of the folder NAME (needed when the\nconfig has more than one folder) and prints the outcome. Files are not moved.")
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
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tRESULT\tHTTP\tSIZE\tDURATION\tCLASS\tERROR")
	failed := 0
	for _, file := range files {
		r := sendOne(ctx, client, fc, file)
		if r.err != nil {
			failed++
		}
		r.print(tw)
		tw.Flush()
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

func (r sendResult) print(w io.Writer) {
	result, class, msg := "ok", "-", "-"
	if r.err != nil {
		result, class, msg = "FAILED", string(uploader.Classify(r.err)), clip(r.err.Error(), 100)
	}
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.file, result, orDash(r.status), formatSize(r.size),
		r.took.Round(time.Millisecond), class, msg)
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
	if err == nil && !st.Mode().IsRegular() {
		err = &uploader.Error{Class: uploader.ClassInternal, Err: fmt.Errorf("%s is not a regular file", path)}
	}
	if err != nil {
		r.err = &uploader.Error{Class: uploader.Classify(err), Err: err}
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
