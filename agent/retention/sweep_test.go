package retention

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const day = 24 * time.Hour

// fixture is a done folder with a sweeper on a fake clock.
type fixture struct {
	dir, done, failed, state string
	now                      time.Time
	sweeper                  *Sweeper
	log                      *bytes.Buffer
	removed                  map[string]int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	fx := &fixture{dir: dir, done: filepath.Join(dir, "done"), failed: filepath.Join(dir, "done", "failed"),
		state: filepath.Join(dir, "state"), now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC),
		log: &bytes.Buffer{}, removed: map[string]int{}}
	for _, d := range []string{fx.done, fx.failed, fx.state} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fx.sweeper = fx.newSweeper(t)
	return fx
}

func (fx *fixture) newSweeper(t *testing.T) *Sweeper {
	t.Helper()
	index, err := OpenIndex(filepath.Join(fx.state, "filed.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { index.Close() })
	return &Sweeper{
		Rules: []Rule{{Folder: "scans", Dir: fx.done, Keep: 30 * day}},
		Skip:  []string{fx.failed, fx.state},
		Index: index,
		Now:   func() time.Time { return fx.now },
		Lock:  &sync.Mutex{},
		Log:   slog.New(slog.NewTextHandler(fx.log, nil)),
		Removed: func(folder string, n int) {
			fx.removed[folder] += n
		},
	}
}

// file writes rel below done with mtime and, when filed is not zero,
// records it as filed then.
func (fx *fixture) file(t *testing.T, rel string, mtime, filed time.Time) string {
	t.Helper()
	p := filepath.Join(fx.done, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(rel), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if !filed.IsZero() {
		if err := fx.sweeper.Index.Record(p, filed); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func TestSweepCountsFromFilingTime(t *testing.T) {
	fx := newFixture(t)
	old := fx.now.Add(-365 * day)
	// An old scan filed recently stays; a file filed long ago goes.
	recent := fx.file(t, "old-scan.pdf", old, fx.now.Add(-2*day))
	expired := fx.file(t, "filed-long-ago.pdf", old, fx.now.Add(-31*day))
	fx.sweeper.Sweep()
	if !exists(recent) {
		t.Error("a file filed 2 days ago was removed because its modification time is old")
	}
	if exists(expired) {
		t.Error("a file filed 31 days ago is still there")
	}
	if fx.removed["scans"] != 1 {
		t.Errorf("removed count = %d, want 1", fx.removed["scans"])
	}

	fx.now = fx.now.Add(29 * day)
	fx.sweeper.Sweep()
	if exists(recent) {
		t.Error("the file is still there 31 days after filing")
	}
}

func TestSweepAdoptsUnknownFilesFirst(t *testing.T) {
	fx := newFixture(t)
	p := fx.file(t, "by-hand.pdf", fx.now.Add(-90*day), time.Time{})
	young := fx.file(t, "young.pdf", fx.now.Add(-day), time.Time{})
	fx.sweeper.Sweep()
	if !exists(p) {
		t.Fatal("a file the index did not know was removed in the sweep that found it")
	}
	fx.now = fx.now.Add(time.Hour)
	fx.sweeper.Sweep()
	if exists(p) {
		t.Error("an adopted file with a 90-day-old modification time survived the next sweep")
	}
	if !exists(young) {
		t.Error("an adopted file modified a day ago was removed")
	}
}

func TestSweepRemovesEmptyDatedFolders(t *testing.T) {
	fx := newFixture(t)
	old := fx.file(t, "2026-03-01/sub/a.pdf", fx.now, fx.now.Add(-60*day))
	keep := fx.file(t, "2026-04-30/b.pdf", fx.now, fx.now.Add(-day))
	fx.sweeper.Sweep()
	if exists(old) {
		t.Error("expired file still there")
	}
	if exists(filepath.Join(fx.done, "2026-03-01")) {
		t.Error("the emptied dated folder was not removed")
	}
	if !exists(keep) {
		t.Error("a current file was removed")
	}
	if !exists(fx.done) {
		t.Error("the done folder itself was removed")
	}
}

func TestSweepLeavesFailedAndTemporaryFiles(t *testing.T) {
	fx := newFixture(t)
	longAgo := fx.now.Add(-400 * day)
	failed := filepath.Join(fx.failed, "rejected.pdf")
	os.WriteFile(failed, []byte("x"), 0o644)
	os.Chtimes(failed, longAgo, longAgo)
	fx.sweeper.Index.Record(failed, longAgo)
	temp := fx.file(t, ".hotfolder-move-123", longAgo, longAgo)
	for range 2 {
		fx.sweeper.Sweep()
		fx.now = fx.now.Add(time.Hour)
	}
	if !exists(failed) {
		t.Error("a file in the failed folder inside done was removed")
	}
	if !exists(temp) {
		t.Error("a copy in progress was removed")
	}
}

func TestIndexSurvivesRestartAndCompacts(t *testing.T) {
	fx := newFixture(t)
	kept := fx.file(t, "kept.pdf", fx.now, fx.now.Add(-day))
	gone := fx.file(t, "gone.pdf", fx.now, fx.now.Add(-day))
	os.Remove(gone) // deleted by a person
	// The first sweep keeps entries recorded since the previous one,
	// because it may have walked past them; the second drops them.
	fx.sweeper.Sweep()
	fx.sweeper.Sweep()
	fx.sweeper.Index.Close()

	again := fx.newSweeper(t)
	if n := again.Index.Len(); n != 1 {
		t.Errorf("index holds %d entries after the sweep, want 1", n)
	}
	if filed, ok := again.Index.lookup(kept); !ok || !filed.Equal(fx.now.Add(-day)) {
		t.Errorf("reloaded filing time of kept.pdf = %v, %v", filed, ok)
	}
	data, _ := os.ReadFile(filepath.Join(fx.state, "filed.jsonl"))
	if strings.Contains(string(data), "gone.pdf") {
		t.Errorf("compacted index still names a deleted file:\n%s", data)
	}
}

func TestIndexKeepsRecordsMadeDuringSweep(t *testing.T) {
	fx := newFixture(t)
	x := fx.sweeper.Index
	p := filepath.Join(fx.done, "moved-in-meanwhile.pdf")
	x.Record(p, fx.now)
	if err := x.compact(func(string) bool { return false }); err != nil {
		t.Fatal(err)
	}
	if _, ok := x.lookup(p); !ok {
		t.Error("compact dropped an entry recorded since the last compact")
	}
	if err := x.compact(func(string) bool { return false }); err != nil {
		t.Fatal(err)
	}
	if _, ok := x.lookup(p); ok {
		t.Error("a second compact kept an entry no sweep saw")
	}
}

func TestIndexIgnoresTornLine(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "filed.jsonl")
	os.WriteFile(p, []byte(`{"path":"/d/a.pdf","filed":"2026-01-02T03:04:05Z"}`+"\n"+`{"path":"/d/b.p`), 0o644)
	x, err := OpenIndex(p)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if x.Len() != 1 {
		t.Errorf("index holds %d entries, want 1", x.Len())
	}
}
