package agent

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/natefinch/lumberjack.v2"
)

// NewLogger returns the agent's logger: records go to the rotating log file
// and, when console is not nil, also to console. Close the returned closer
// to flush and release the file.
func NewLogger(a AgentConfig, console io.Writer) (*slog.Logger, io.Closer, error) {
	if err := os.MkdirAll(filepath.Dir(a.LogFile), 0o755); err != nil {
		return nil, nil, fmt.Errorf("create log folder for %s: %w", a.LogFile, err)
	}
	file := &lumberjack.Logger{
		Filename:   a.LogFile,
		MaxSize:    a.LogMaxSizeMB, // megabytes
		MaxBackups: a.LogMaxBackups,
		MaxAge:     a.LogMaxAgeDays, // days
		Compress:   a.LogCompress,
		LocalTime:  true,
	}
	var w io.Writer = file
	if console != nil {
		w = teeWriter{file, console}
	}
	return slog.New(NewHandler(w, a.LogFormat, a.LogLevel)), file, nil
}

// NewHandler returns a text or JSON handler at the named level.
func NewHandler(w io.Writer, format, level string) slog.Handler {
	opts := &slog.HandlerOptions{Level: parseLevel(level)}
	if strings.EqualFold(format, "json") {
		return slog.NewJSONHandler(w, opts)
	}
	return slog.NewTextHandler(w, opts)
}

func parseLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// teeWriter writes each record to every writer, even when one fails, so a
// full disk does not also silence the console.
type teeWriter []io.Writer

func (t teeWriter) Write(p []byte) (int, error) {
	var first error
	for _, w := range t {
		if _, err := w.Write(p); err != nil && first == nil {
			first = err
		}
	}
	return len(p), first
}
