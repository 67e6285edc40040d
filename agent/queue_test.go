package agent

import (
	"testing"
	"time"

	"github.com/hotfolder/hotfolder/agent/limit"
	"github.com/hotfolder/hotfolder/watcher"
)

func testFolder(name string, maxUploads int) *folder {
	return &folder{cfg: &FolderConfig{Name: name}, gate: &gate{min: time.Second, max: time.Second},
		limiter: limit.New(limit.Config{Max: maxUploads, Initial: maxUploads})}
}

// startPop pops from q in the background; the channel yields the job.
func startPop(q *queue) <-chan *job {
	got := make(chan *job, 1)
	go func() {
		j, _, ok := q.pop()
		if ok {
			got <- j
		}
	}()
	return got
}

// receivedWithin returns the job from got, or nil when none came within d.
func receivedWithin(got <-chan *job, d time.Duration) *job {
	select {
	case j := <-got:
		return j
	case <-time.After(d):
		return nil
	}
}

func TestQueueSkipsFullFolder(t *testing.T) {
	q := newQueue()
	defer q.close()
	busy, idle := testFolder("busy", 1), testFolder("idle", 1)
	busy.limiter.OnChange(q.kick)
	q.push(&job{folder: busy, file: watcher.File{Rel: "b1"}})
	q.push(&job{folder: busy, file: watcher.File{Rel: "b2"}})
	q.push(&job{folder: idle, file: watcher.File{Rel: "i1"}})
	j, slot, _ := q.pop()
	if j.file.Rel != "b1" {
		t.Fatalf("first pop %q, want b1", j.file.Rel)
	}
	// busy's only slot is taken, so its second file must wait behind idle's.
	if j2, _, _ := q.pop(); j2.file.Rel != "i1" {
		t.Fatalf("second pop %q, want i1 from the folder with a free slot", j2.file.Rel)
	}
	got := startPop(q)
	if j3 := receivedWithin(got, 200*time.Millisecond); j3 != nil {
		t.Fatalf("popped %q while busy had no free slot", j3.file.Rel)
	}
	busy.limiter.Release(slot, limit.Success, time.Millisecond, 1)
	if j4 := receivedWithin(got, waitFor); j4 == nil || j4.file.Rel != "b2" {
		t.Fatalf("after release got %v, want b2", j4)
	}
}

func TestQueuePausedHandsOutNothing(t *testing.T) {
	q := newQueue()
	defer q.close()
	f := testFolder("f", 4)
	q.setPaused(true)
	q.push(&job{folder: f, file: watcher.File{Rel: "a"}})
	got := startPop(q)
	if j := receivedWithin(got, 200*time.Millisecond); j != nil {
		t.Fatalf("popped %q while paused", j.file.Rel)
	}
	q.setPaused(false)
	if j := receivedWithin(got, waitFor); j == nil {
		t.Fatal("nothing popped after resume")
	}
}

func TestQueueWaitsForGate(t *testing.T) {
	q := newQueue()
	defer q.close()
	f := testFolder("f", 4)
	f.gate.until = time.Now().Add(300 * time.Millisecond)
	q.push(&job{folder: f, file: watcher.File{Rel: "a"}})
	start := time.Now()
	if j := receivedWithin(startPop(q), waitFor); j == nil {
		t.Fatal("nothing popped after the gate opened")
	}
	if took := time.Since(start); took < 250*time.Millisecond {
		t.Errorf("popped after %s, before the endpoint's pause of 300ms ended", took)
	}
}

func TestQueueCloseWakesWorkers(t *testing.T) {
	q := newQueue()
	done := make(chan bool, 1)
	go func() {
		_, _, ok := q.pop()
		done <- ok
	}()
	time.Sleep(50 * time.Millisecond)
	q.close()
	select {
	case ok := <-done:
		if ok {
			t.Error("pop on a closed queue returned a job")
		}
	case <-time.After(waitFor):
		t.Fatal("close did not wake a waiting worker")
	}
}
