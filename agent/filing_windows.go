//go:build windows

package agent

import (
	"errors"
	"syscall"
)

// errorNotSameDevice is ERROR_NOT_SAME_DEVICE, returned by a rename from
// one drive to another.
const errorNotSameDevice = syscall.Errno(17)

func isCrossDevice(err error) bool { return errors.Is(err, errorNotSameDevice) }
