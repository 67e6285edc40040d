package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/hotfolder/hotfolder/agent/limit"
	"github.com/hotfolder/hotfolder/agent/status"
	"github.com/hotfolder/hotfolder/uploader"
)

// process makes one upload attempt for j, holding slot of its folder's
// concurrency limiter, and acts on the outcome.
func (a *Agent) process(ctx context.Context, j *job, slot limit.Slot) {
	f := j.folder
	a.tracker.Dequeued(f.cfg.Name, j.file.Size)
	if err := f.gate.wait(ctx); err != nil {
		f.limiter.Release(slot, limit.Ignore, 0, 0)
		a.canceled(j, err)
		return
	}
	if j.sha256 == "" {
		sum, err := uploader.HashFile(ctx, j.file.Path, j.file.Size)
		if err != nil {
			f.limiter.Release(slot, limit.Ignore, 0, 0)
			f.gate.abandon()
			a.failed(ctx, j, &uploader.Error{Class: uploader.Classify(err), Err: fmt.Errorf("read for hashing: %w", err)})
			return
		}
		j.sha256 = sum
	}
	src := uploader.Source{
		Path: j.file.Path, Name: j.file.Rel, Size: j.file.Size, ModTime: j.file.ModTime,
		SHA256: j.sha256, Key: uploader.IdempotencyKey(j.file.Rel, j.sha256),
	}
	j.attempts++
	j.last = time.Now()
	if j.first.IsZero() {
		j.first = j.last
	}
	meter := new(uploader.Meter)
	inFlight := a.tracker.Begin(f.cfg.Name, j.file.Rel, j.file.Size, j.attempts, meter)
	rc, err := f.client.Upload(ctx, src, meter)
	inFlight.End()
	a.release(f, slot, err, time.Since(j.last), meter.Sent())
	f.gate.record(err)
	if err != nil {
		a.failed(ctx, j, err)
		return
	}
	a.done(ctx, j, rc, time.Since(j.last))
}

// done files an uploaded file in its done folder.
func (a *Agent) done(ctx context.Context, j *job, rc *uploader.Receipt, took time.Duration) {
	f := j.folder
	accepted := time.Now()
	a.record(j, status.OutcomeDone, took, rc.Status, nil)
	rec := receiptRecord{Op: "sent", Folder: f.cfg.Name, Path: j.file.Path, Rel: j.file.Rel, Size: j.file.Size,
		ModTime: j.file.ModTime.UnixNano(), SHA256: j.sha256, Status: rc.Status}
	if err := a.journal.append(rec, true); err != nil {
		a.log.Error("cannot record the receipt; a crash before the move would send the file again",
			"folder", f.cfg.Name, "file", j.file.Rel, "class", uploader.Classify(err), "error", err)
	}
	rel := doneRel(f.cfg, j.file.Rel, accepted)
	dst, err := a.fileAway(ctx, j, f.cfg.Done, rel)
	if err != nil {
		a.keepFiling(ctx, j, rel, err)
		return
	}
	a.log.Info("file uploaded", "folder", f.cfg.Name, "file", j.file.Rel, "bytes", j.file.Size,
		"duration", took.Round(time.Millisecond), "rate", formatRate(j.file.Size, took), "attempts", j.attempts,
		"status", rc.Status, "sha256", j.sha256, "outcome", "done", "moved_to", dst)
	a.filedInDone(f, dst)
	a.journal.append(receiptRecord{Op: "filed", Folder: f.cfg.Name, Path: j.file.Path}, false)
	f.watcher.Release(j.file.Path)
}

// failed decides what an attempt's error means for the file: wait and
// retry, settle again, forget, or file it in failed.
func (a *Agent) failed(ctx context.Context, j *job, err error) {
	f := j.folder
	class := uploader.Classify(err)
	attrs := []any{"folder", f.cfg.Name, "file", j.file.Rel, "class", class, "attempts", j.attempts, "error", err}
	switch {
	case class == uploader.ClassCanceled:
		a.canceled(j, err)
	case class == uploader.ClassFileNotFound:
		a.log.Info("file vanished before upload", attrs...)
		a.record(j, status.OutcomeVanished, 0, 0, err)
		f.watcher.Release(j.file.Path)
	case class == uploader.ClassSourceChanged:
		a.log.Info("file changed during upload, settling it again", attrs...)
		a.record(j, status.OutcomeChanged, time.Since(j.last), 0, err)
		f.watcher.Resettle(j.file.Path)
	case class.Recoverable() && !a.retryTimeUp(j):
		a.retry(j, err, attrs)
	default:
		a.fileFailed(ctx, j, err)
	}
}

func (a *Agent) retryTimeUp(j *job) bool {
	limit := j.folder.cfg.Upload.RetryFor.D()
	return limit > 0 && !j.first.IsZero() && time.Since(j.first) >= limit
}

// retry puts j back in the queue after a backoff, or the server's
// Retry-After when that is longer.
func (a *Agent) retry(j *job, err error, attrs []any) {
	u := j.folder.cfg.Upload
	delay := uploader.Backoff(j.attempts, u.RetryMin.D(), u.RetryMax.D())
	var ue *uploader.Error
	if errors.As(err, &ue) && ue.RetryAfter > delay {
		delay = ue.RetryAfter
		attrs = append(attrs, "status", ue.Status)
	} else if ue != nil && ue.Status != 0 {
		attrs = append(attrs, "status", ue.Status)
	}
	attrs = append(attrs, "retry_in", delay.Round(time.Millisecond))
	if paused := j.folder.gate.pausedFor(); paused > 0 {
		attrs = append(attrs, "endpoint_paused", paused.Round(time.Millisecond))
	}
	level := slog.LevelWarn
	if j.folder.gate.health() != nil {
		level = slog.LevelError // a person must fix the token or the url
	}
	a.log.Log(context.Background(), level, "upload failed, will retry", attrs...)
	a.record(j, status.OutcomeRetry, time.Since(j.last), 0, err)
	a.tracker.RetryWaiting(j.folder.cfg.Name, +1)
	a.retries.Add(1)
	time.AfterFunc(delay, func() {
		defer a.retries.Done()
		a.tracker.RetryWaiting(j.folder.cfg.Name, -1)
		a.enqueue(j)
	})
}

// canceled leaves the file in the inbox: the agent is stopping.
func (a *Agent) canceled(j *job, err error) {
	a.log.Info("upload canceled, file stays in the inbox", "folder", j.folder.cfg.Name, "file", j.file.Rel,
		"class", uploader.ClassCanceled, "error", err)
}

// fileFailed moves the file into failed with a note saying why.
func (a *Agent) fileFailed(ctx context.Context, j *job, cause error) {
	f := j.folder
	class := uploader.Classify(cause)
	note := &failureNote{
		File: j.file.Rel, Folder: f.cfg.Name, Time: time.Now().UTC().Format(time.RFC3339),
		Class: string(class), Recoverable: class.Recoverable(), Error: cause.Error(),
		Attempts: j.attempts, URL: uploader.RedactURL(f.client.URL()), AgentVersion: Version,
	}
	if !j.first.IsZero() {
		note.FirstAttempt = j.first.UTC().Format(time.RFC3339)
		note.LastAttempt = j.last.UTC().Format(time.RFC3339)
	}
	var ue *uploader.Error
	if errors.As(cause, &ue) {
		note.HTTPStatus, note.Response = ue.Status, ue.Body
	}
	dst, err := a.fileAway(ctx, j, f.cfg.Failed, j.file.Rel)
	if err == nil {
		err = writeNote(f.cfg.Failed, dst, note)
	}
	level := slog.LevelWarn
	attrs := []any{"folder", f.cfg.Name, "file", j.file.Rel, "bytes", j.file.Size, "attempts", j.attempts,
		"status", note.HTTPStatus, "sha256", j.sha256, "outcome", "failed", "class", class, "error", cause}
	if err != nil {
		level = slog.LevelError
		attrs = append(attrs, "filing_error", err)
	} else {
		attrs = append(attrs, "moved_to", dst)
	}
	a.log.Log(ctx, level, "file failed", attrs...)
	a.record(j, status.OutcomeFailed, time.Since(j.last), 0, cause)
	f.watcher.Release(j.file.Path)
}

// fileAway moves the file to rel inside root, retrying while another
// process holds it (an antivirus scanner or indexer on Windows) until ctx
// ends.
func (a *Agent) fileAway(ctx context.Context, j *job, root, rel string) (string, error) {
	for attempt := 1; ; attempt++ {
		dst, err := a.filer.move(j.file.Path, root, rel)
		if err == nil {
			a.removeMarker(j)
			return dst, nil
		}
		class := uploader.Classify(err)
		if !class.Recoverable() {
			return "", err
		}
		delay := uploader.Backoff(attempt, 100*time.Millisecond, 30*time.Second)
		if attempt == 1 || attempt%20 == 0 {
			a.log.Warn("cannot move file yet, retrying", "folder", j.folder.cfg.Name, "file", j.file.Rel,
				"to", root, "class", class, "attempt", attempt, "error", err)
		}
		select {
		case <-ctx.Done():
			return "", err
		case <-time.After(delay):
		}
	}
}

func (a *Agent) removeMarker(j *job) {
	if j.file.Marker == "" {
		return
	}
	if err := os.Remove(j.file.Marker); err != nil && !errors.Is(err, os.ErrNotExist) {
		a.log.Warn("cannot remove ready marker", "folder", j.folder.cfg.Name, "marker", j.file.Marker, "error", err)
	}
}

// formatRate writes bytes per second with a binary unit.
func formatRate(n int64, d time.Duration) string {
	if d <= 0 {
		return "n/a"
	}
	return formatBytes(int64(float64(n)/d.Seconds())) + "/s"
}

// formatBytes writes n with a binary unit, such as "1.5 MiB".
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for v := n / unit; v >= unit; v /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
