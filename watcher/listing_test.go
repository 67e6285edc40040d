package watcher

import (
	"path/filepath"
	"testing"
)

// The "inbox listed" line counts the files the watcher may report and the
// folders it lists below the inbox, not every name it reads.
func TestListingCountsFilteredOnly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		files     []string // relative paths created before Run
		opts      Options  // Root and Skip are set by the test
		skip      string   // relative folder passed in Options.Skip
		wantFiles string
		wantDirs  string
	}{
		{
			name:      "empty inbox",
			wantFiles: "0", wantDirs: "0",
		},
		{
			name:      "lock file and excluded names",
			files:     []string{".hotfolder.lock", "notes.tmp", "scan.pdf"},
			opts:      Options{Exclude: defaultExclude},
			wantFiles: "1", wantDirs: "0",
		},
		{
			name:      "include pattern",
			files:     []string{"a.pdf", "b.txt", "c.csv"},
			opts:      Options{Include: []string{"*.pdf", "*.csv"}},
			wantFiles: "2", wantDirs: "0",
		},
		{
			name:      "ready marker",
			files:     []string{"a.pdf", "a.pdf.ready"},
			opts:      Options{ReadyMarker: ".ready"},
			wantFiles: "1", wantDirs: "0",
		},
		{
			name:      "subfolders without Recursive",
			files:     []string{"top.pdf", "sub/deep.pdf"},
			wantFiles: "1", wantDirs: "0",
		},
		{
			name: "recursive with skipped and excluded folders",
			files: []string{"top.pdf", "sub/a.pdf", "sub/deeper/b.pdf",
				"done/old.pdf", ".git/HEAD", ".hotfolder.lock"},
			opts:      Options{Recursive: true, Exclude: defaultExclude},
			skip:      "done",
			wantFiles: "3", wantDirs: "2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := tempDir(t)
			for _, rel := range tt.files {
				writeFile(t, filepath.Join(root, filepath.FromSlash(rel)), "x")
			}
			o := tt.opts
			o.Root = root
			if tt.skip != "" {
				o.Skip = []string{filepath.Join(root, tt.skip)}
			}
			h := start(t, o)
			h.waitListed(t)
			if n := h.logs.count("inbox listed", "files", tt.wantFiles); n != 1 {
				t.Errorf("no \"inbox listed\" line with files=%s; logged: %v", tt.wantFiles, h.listingAttrs())
			}
			if n := h.logs.count("inbox listed", "folders", tt.wantDirs); n != 1 {
				t.Errorf("no \"inbox listed\" line with folders=%s; logged: %v", tt.wantDirs, h.listingAttrs())
			}
		})
	}
}

// listingAttrs returns the attributes of every "inbox listed" line.
func (h *harness) listingAttrs() []map[string]string {
	h.logs.mu.Lock()
	defer h.logs.mu.Unlock()
	var out []map[string]string
	for _, r := range *h.logs.recs {
		if r.msg == "inbox listed" {
			out = append(out, r.attrs)
		}
	}
	return out
}
