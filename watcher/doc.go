// Package watcher finds files in one inbox folder and reports each once
// its writer has finished with it.
//
// # Finding files
//
// Run watches the inbox with fsnotify (inotify on Linux,
// ReadDirectoryChangesW on Windows) and lists it in full on a goroutine of
// its own. The watch is added before the listing starts, so a file created
// meanwhile is seen by the event, the listing or both, and reported once.
// With Options.Recursive, every subfolder is watched before it is listed,
// including folders created or moved in later. Options.Rescan lists the
// inbox again every interval, randomised to 3/4..5/4 of it, to find files
// that raised no event (SMB and NFS shares). With Options.Poll fsnotify is
// not used at all. A lost event (fsnotify.ErrEventOverflow) or any other
// fsnotify error is logged with class "event_overflow" or "watch_error" and
// starts a full listing. When fsnotify cannot watch a folder, the watcher
// rescans every minute unless Options.Rescan is set.
//
// # Settling
//
// A candidate file is looked at (Lstat) on one timer, in batches, every
// Settle/4 (at least 50 ms, at most 1 s). It is reported once its size
// and mtime have stayed the same for Settle, as measured by this process
// from its own looks, and it can be opened for reading. A file found by a
// listing whose mtime is already older than Settle, and that no event has
// touched since, settles after two equal looks min(Settle, max(Settle/4,
// 1s)) apart, so a backlog does not wait a full settle time. A single look
// never settles a file. On Windows the open shares read but not write
// access, so it fails with a sharing violation while another process has
// the file open for writing; that, and a lock violation, mean "not yet".
// A file that keeps changing is looked at until it stops. A file that
// vanishes before it settles is dropped with a debug line.
//
// Any other failure to look at or open a file is logged once as a
// warning, with the class Options.Classify returns for the error, and
// looked at again every Settle (at least 1 s, at most 4 s). A settled file
// whose open fails with a permission error (fs.ErrPermission) on two looks
// in a row, with its size and mtime unchanged, is reported anyway. The
// agent then fails to open it too and files it in failed/ with a note, so
// it does not wait in the inbox for ever. A folder that cannot be listed
// is logged the same way, and the next full listing tries it again.
//
// With Options.ReadyMarker set to, say, ".ready", x.pdf is reported only
// once x.pdf.ready exists as well; the marker may come before or after
// x.pdf, and x.pdf must still settle. File.Marker carries the marker's
// path for the agent to remove.
//
// # Filters
//
// Include and Exclude are path.Match patterns. Each is matched against the
// file's base name and against its slash-separated path relative to the
// inbox, and a match on either counts: "*.pdf" matches every PDF,
// "scans/*.pdf" only those directly in scans/ (a '*' does not cross '/').
// A file is reported when Include is empty or matches, and Exclude does
// not match. Exclude also applies to folders, which are then neither
// watched nor listed, so ".*" keeps the watcher out of ".git" or ".sync";
// Include does not apply to folders. On Windows names and patterns match
// without regard to case.
//
// Whatever the patterns say, the watcher never reports ready markers,
// anything in an Options.Skip folder, folders, symbolic links, Windows
// junctions and mount points (never followed; logged once per path with
// class "rejected_link"), FIFOs, sockets and devices (never opened;
// logged once per path with class "rejected_special").
//
// # Hand-off
//
// Options.Ready receives each settled file once. Until the agent calls
// Release for its path, events and listings do not report it again. A file
// changed while the agent held it is settled and reported again after
// Release, if it still exists. Resettle settles a handed file again from
// scratch.
//
// # Inbox lifecycle
//
// The inbox need not exist when Run starts. Every 2 s, and at once after
// an event on the inbox itself, Run checks that the inbox exists and is
// the same folder; when it is missing it logs a warning with class
// "inbox_missing" and Healthy returns the reason, and when it is back or
// was replaced (a share remounted) it is watched and listed again.
package watcher
