package recipe

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// EnvFile is a parsed abra-style env file (`KEY=VALUE` lines, docker
// env-file / direnv format [V]).
type EnvFile struct {
	// Keys in the order they are first defined.
	Keys []string
	// Values after quote removal and $VAR expansion.
	Values map[string]string
	// Modifiers from a trailing comment, such as `# length=128` or
	// `# generate=false` after a SECRET_*_VERSION line [V for the
	// convention]: key → modifier → value. Other comment words are prose.
	Modifiers map[string]map[string]string
}

// EnvError is a syntax error in an env file, printed as `file:line: message`.
type EnvError struct {
	File string
	Line int
	Msg  string
}

func (e *EnvError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// ReadEnvFile reads and parses the env file at path.
func ReadEnvFile(path string) (*EnvFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseEnv(path, data)
}

var envKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*$`)

// ParseEnv parses env-file text; name is used in error messages.
//
// Each non-blank line that does not start with `#` is `KEY=VALUE`, with an
// optional `export ` prefix. A value is unquoted (ends at ` #`, trimmed),
// single-quoted (literal) or double-quoted (backslash escapes). Unquoted and
// double-quoted values expand `$VAR` and `${VAR}` from the keys defined on
// earlier lines (an unknown name expands to ""), so recipes can write
// `COMPOSE_FILE="$COMPOSE_FILE:compose.x.yml"` [V that recipes rely on it].
func ParseEnv(name string, data []byte) (*EnvFile, error) {
	env := &EnvFile{Values: map[string]string{}, Modifiers: map[string]map[string]string{}}
	for i, line := range strings.Split(string(data), "\n") {
		if err := env.parseLine(strings.TrimRight(line, "\r")); err != "" {
			return nil, &EnvError{File: name, Line: i + 1, Msg: err}
		}
	}
	return env, nil
}

// parseLine adds one line's definition; it returns an error message or "".
func (env *EnvFile) parseLine(line string) string {
	s := strings.TrimSpace(line)
	if s == "" || s[0] == '#' {
		return ""
	}
	s = strings.TrimPrefix(s, "export ")
	key, rest, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Sprintf("missing \"=\" in %s", echo(s))
	}
	key = strings.TrimSpace(key)
	if !envKey.MatchString(key) {
		return fmt.Sprintf("invalid variable name %s", echo(key))
	}
	value, comment, msg := env.parseValue(strings.TrimLeft(rest, " \t"))
	if msg == errTooLong {
		return fmt.Sprintf("%s: value is over the 1 MiB limit for an env value (after $VAR expansion)", echoRaw(key))
	}
	if msg != "" {
		return msg
	}
	if _, seen := env.Values[key]; !seen {
		env.Keys = append(env.Keys, key)
	}
	env.Values[key] = value
	if mods := parseModifiers(comment); len(mods) > 0 {
		if v := mods["length"]; isSecretVersionKey(key) && overSecretLimit(v) {
			_, msg := secretLength(v)
			return key + ": " + msg
		}
		env.Modifiers[key] = mods
	} else {
		delete(env.Modifiers, key)
	}
	return ""
}

// parseValue returns the value, the text of a trailing comment, and an
// error message or "".
func (env *EnvFile) parseValue(s string) (value, comment, msg string) {
	if s == "" {
		return "", "", ""
	}
	switch s[0] {
	case '\'':
		end := strings.IndexByte(s[1:], '\'')
		if end < 0 {
			return "", "", "unterminated single-quoted value"
		}
		comment, msg = trailer(s[end+2:])
		return s[1 : end+1], comment, msg
	case '"':
		raw, rest, ok := cutDoubleQuoted(s[1:])
		if !ok {
			return "", "", "unterminated double-quoted value"
		}
		comment, msg = trailer(rest)
		if msg != "" {
			return "", "", msg
		}
		value, msg = env.expand(raw, true)
		return value, comment, msg
	}
	raw := s
	if i := strings.Index(s, " #"); i >= 0 {
		raw, comment = s[:i], s[i+2:]
	} else if i := strings.Index(s, "\t#"); i >= 0 {
		raw, comment = s[:i], s[i+2:]
	}
	value, msg = env.expand(strings.TrimSpace(raw), false)
	return value, comment, msg
}

// cutDoubleQuoted splits s (after an opening `"`) at the closing unescaped
// quote.
func cutDoubleQuoted(s string) (raw, rest string, ok bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}

// trailer checks what follows a closing quote: nothing, or a comment.
func trailer(s string) (comment, msg string) {
	t := strings.TrimLeft(s, " \t")
	if t == "" {
		return "", ""
	}
	if t[0] != '#' {
		return "", fmt.Sprintf("unexpected %s after quoted value", echo(t))
	}
	return t[1:], ""
}

// isSecretVersionKey reports whether key is a SECRET_<NAME>_VERSION key,
// whose `# length=N` sizes a generated secret.
func isSecretVersionKey(key string) bool {
	return strings.HasPrefix(key, "SECRET_") && strings.HasSuffix(key, "_VERSION") && len(key) > len("SECRET__VERSION")
}

// parseModifiers reads `key=value` words from a trailing comment.
func parseModifiers(comment string) map[string]string {
	mods := map[string]string{}
	for _, word := range strings.Fields(comment) {
		k, v, ok := strings.Cut(word, "=")
		if ok && envKey.MatchString(k) {
			mods[k] = v
		}
	}
	return mods
}
