package main

import (
	"fmt"
	"time"

	"github.com/hotfolder/hotfolder/agent/status"
)

// formatSize writes n bytes with a binary unit, such as "512 B" or
// "1.5 MiB".
func formatSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, exp := float64(n)/unit, 0
	for v >= unit && exp < 5 {
		v /= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[exp])
}

// formatRate writes bytes per second, or "-" before there is a rate.
func formatRate(bytesPerSecond float64) string {
	if bytesPerSecond <= 0 {
		return "-"
	}
	return formatSize(int64(bytesPerSecond)) + "/s"
}

// formatETA writes a remaining time in seconds, such as "45s", "3m05s" or
// "2h10m"; nil, for no estimate yet, is "-".
func formatETA(secs *float64) string {
	if secs == nil {
		return "-"
	}
	d := time.Duration(*secs * float64(time.Second)).Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
}

// uploadETA writes an upload's ETA, or "awaiting reply" once every byte
// is in the connection's send buffer and only the server's response is
// missing.
func uploadETA(u status.UploadStatus) string {
	if u.Size > 0 && u.Sent >= u.Size {
		return "awaiting reply"
	}
	return "ETA " + formatETA(u.ETASeconds)
}
