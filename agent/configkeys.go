package agent

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
)

// FieldError is one problem with one config key.
type FieldError struct {
	File string
	Line int    // 0 when unknown
	Key  string // such as "folder[0].upload.url"
	Msg  string
}

func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Key != "" {
		b.WriteString(": " + e.Key)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

var (
	headerLine = regexp.MustCompile(`^\s*\[\[?\s*([^\]]+?)\s*\]\]?`)
	keyLine    = regexp.MustCompile(`^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=`)
)

// keyLines maps each key written on a line of its own, in the indexed form
// FieldError uses, to its line number.
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	table := ""
	folders := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if m := headerLine.FindStringSubmatch(text); m != nil {
			name := strings.ReplaceAll(m[1], " ", "")
			if strings.HasPrefix(strings.TrimSpace(text), "[[") && name == "folder" {
				folders++
			}
			if name == "folder" || strings.HasPrefix(name, "folder.") {
				name = fmt.Sprintf("folder[%d]", max(folders-1, 0)) + strings.TrimPrefix(name, "folder")
			}
			table = name
			lines[table] = n
			continue
		}
		if m := keyLine.FindStringSubmatch(text); m != nil {
			key := strings.Trim(m[1], `"'`)
			if table != "" {
				key = table + "." + key
			}
			lines[key] = n
		}
	}
	return lines
}

// undecodedKeys returns, in indexed form and file order, the keys that
// match no config field.
func undecodedKeys(md toml.MetaData) []string {
	unknown := map[string]bool{}
	for _, k := range md.Undecoded() {
		unknown[k.String()] = true
	}
	var keys []string
	idx := -1
	for _, k := range md.Keys() {
		if len(k) == 1 && k[0] == "folder" {
			idx++
		}
		if unknown[k.String()] {
			keys = append(keys, indexKey(k, idx))
		}
	}
	return keys
}

func indexKey(k toml.Key, folder int) string {
	s := k.String()
	if k[0] != "folder" {
		return s
	}
	return fmt.Sprintf("folder[%d]", max(folder, 0)) + strings.TrimPrefix(s, "folder")
}

// definedKeys returns the keys present in the file, in indexed form.
func definedKeys(md toml.MetaData) map[string]bool {
	set := map[string]bool{}
	idx := -1
	for _, k := range md.Keys() {
		if len(k) == 1 && k[0] == "folder" {
			idx++
		}
		set[indexKey(k, idx)] = true
	}
	return set
}
