package agent

import (
	"bufio"
	"bytes"
	"fmt"
	"reflect"
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

// underAny reports whether key lies inside one of the tables in parents.
func underAny(key string, parents []string) bool {
	for _, p := range parents {
		if strings.HasPrefix(key, p+".") || strings.HasPrefix(key, p+"[") {
			return true
		}
	}
	return false
}

// unknownKeyMessage returns the message for an unknown key, naming a key
// of the same table that is spelled almost alike, when there is one.
func unknownKeyMessage(key string) string {
	table, name := "", key
	if i := strings.LastIndex(key, "."); i >= 0 {
		table, name = key[:i], key[i+1:]
	}
	best, bestDist := "", 3 // suggest only within two edits
	for _, k := range knownKeys(table) {
		if d := editDistance(name, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return "unknown key: check its spelling against agent.toml.example"
	}
	return fmt.Sprintf("unknown key: did you mean %q? agent.toml.example lists every key", best)
}

// knownKeys lists the keys Config accepts in table, such as
// "folder[0].upload"; none when table is not one of Config's tables.
func knownKeys(table string) []string {
	t := reflect.TypeFor[Config]()
	if table != "" {
		for _, part := range strings.Split(table, ".") {
			part, _, _ = strings.Cut(part, "[")
			f, ok := fieldByTag(t, part)
			if !ok {
				return nil
			}
			t = f.Type
			if t.Kind() == reflect.Slice {
				t = t.Elem()
			}
			if t.Kind() != reflect.Struct {
				return nil
			}
		}
	}
	var keys []string
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ","); name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}

func fieldByTag(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ","); tag == name {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
