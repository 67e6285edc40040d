package agent

import (
	"encoding"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"
)

// checkTypes compares a config decoded without a schema against Config's
// fields. It returns one FieldError for each value of the wrong type and
// each text value its type rejects (a duration, a rate), with the key in
// indexed form and its line. The TOML decoder stops at the first such
// error and names folder keys without their index, so this runs first.
// Keys Config does not have are left to the unknown-key check.
func checkTypes(doc map[string]any, lines map[string]int, file string) []error {
	c := &typeChecker{lines: lines, file: file}
	c.table(reflect.TypeFor[Config](), doc, "")
	return c.errs
}

type typeChecker struct {
	lines map[string]int
	file  string
	errs  []error
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

func (c *typeChecker) add(key, format string, args ...any) {
	c.errs = append(c.errs, &FieldError{File: c.file, Line: c.lines[key], Key: key, Msg: fmt.Sprintf(format, args...)})
}

// table checks the keys of a TOML table against struct type t.
func (c *typeChecker) table(t reflect.Type, doc map[string]any, prefix string) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "" || name == "-" {
			continue
		}
		v, ok := doc[name]
		if !ok {
			continue
		}
		key := name
		if prefix != "" {
			key = prefix + "." + name
		}
		c.value(f.Type, v, key)
	}
}

// value checks one TOML value v against Go type t.
func (c *typeChecker) value(t reflect.Type, v any, key string) {
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		s, ok := v.(string)
		if !ok {
			c.add(key, "wrong type: the value is %s; use a quoted string%s", describe(v), textExample(t))
			return
		}
		if err := reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			c.add(key, "%v", err)
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			c.add(key, "wrong type: the value is %s; use a table, [%s]", describe(v), key)
			return
		}
		c.table(t, m, key)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Struct {
			list, ok := v.([]map[string]any)
			if !ok {
				c.add(key, "wrong type: the value is %s; use [[%s]] tables", describe(v), key)
				return
			}
			for i, m := range list {
				c.table(t.Elem(), m, fmt.Sprintf("%s[%d]", key, i))
			}
			return
		}
		list, ok := v.([]any)
		if !ok {
			c.add(key, "wrong type: the value is %s; use a list of strings, such as [\"*.pdf\"]", describe(v))
			return
		}
		for _, e := range list {
			if _, ok := e.(string); !ok {
				c.add(key, "wrong type: the list holds %s; use a list of strings, such as [\"*.pdf\"]", describe(e))
				return
			}
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			c.add(key, "wrong type: the value is %s; use a table of strings, [%s]", describe(v), key)
			return
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if _, ok := m[k].(string); !ok {
				c.add(key+"."+k, "wrong type: the value is %s; use a quoted string", describe(m[k]))
			}
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			c.add(key, "wrong type: the value is %s; use a quoted string", describe(v))
		}
	case reflect.Int:
		if _, ok := v.(int64); !ok {
			c.add(key, "wrong type: the value is %s; use a whole number without quotes, such as 4", describe(v))
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			c.add(key, "wrong type: the value is %s; use true or false without quotes", describe(v))
		}
	}
}

// describe names the TOML type of v, with the value where it is short.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", v)
	case int64:
		return fmt.Sprintf("the number %d", v)
	case float64:
		return fmt.Sprintf("the number %g", v)
	case bool:
		return fmt.Sprintf("%t", v)
	case time.Time:
		return "a date"
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "a list of tables"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("a %T", v)
}

// textExample shows a valid value for a text type in messages.
func textExample(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[Duration]():
		return `, such as "2s"`
	case reflect.TypeFor[Bandwidth]():
		return `, such as "10M" or "off"`
	}
	return ""
}
