//go:build windows

package main

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/mgr"
)

// configureRecovery sets the Windows service name to restart 10 s, 30 s and
// 60 s after its first, second and later failures, the count resetting
// after a day without one. The service library sets only the first action.
// It also counts a stop with a non-zero exit code as a failure, because
// that is how the agent reports a failed start: a bad config, an inbox
// that cannot be created, a state_dir in use. Without it Windows restarts
// only a service process that crashed.
func configureRecovery(name string) error {
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("connect to the service control manager: %w", err)
	}
	defer m.Disconnect()
	s, err := m.OpenService(name)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return fmt.Errorf("the %s service is not installed, so its recovery actions were not set: "+
			"install it with the hotfolder .msi package or \"hotfolder install --config FILE\", which both set them", name)
	}
	if err != nil {
		return fmt.Errorf("open service %s: %w", name, err)
	}
	defer s.Close()
	actions := []mgr.RecoveryAction{
		{Type: mgr.ServiceRestart, Delay: 10 * time.Second},
		{Type: mgr.ServiceRestart, Delay: 30 * time.Second},
		{Type: mgr.ServiceRestart, Delay: 60 * time.Second},
	}
	if err := s.SetRecoveryActions(actions, uint32((24 * time.Hour).Seconds())); err != nil {
		return fmt.Errorf("set recovery actions of %s: %w", name, err)
	}
	if err := s.SetRecoveryActionsOnNonCrashFailures(true); err != nil {
		return fmt.Errorf("set recovery on non-crash failures of %s: %w", name, err)
	}
	return nil
}
