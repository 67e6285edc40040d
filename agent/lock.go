package agent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// errLocked is returned by lockStateDir when another process holds the
// lock.
var errLocked = errors.New("locked by another process")

// lockStateDir takes an exclusive lock on state_dir/agent.lock, so two
// agents (say the service and a copy started by hand) never share a state
// folder and send the same files twice. The OS drops the lock when the
// process exits, also after a crash.
func lockStateDir(dir string) (*os.File, error) {
	p := filepath.Join(dir, "agent.lock")
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("state_dir %s is in use by another hotfolder agent: stop that agent, or give this one its own state_dir", dir)
		}
		return nil, fmt.Errorf("lock %s: %w", p, err)
	}
	f.Truncate(0)
	fmt.Fprintf(f, "%d\n", os.Getpid())
	return f, nil
}
