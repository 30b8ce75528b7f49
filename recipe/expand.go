package recipe

import (
	"fmt"
	"strings"
)

// MaxEnvValue is the longest value, after $VAR expansion, an env file may
// define: 1 MiB (README, "Limits"). Doubling a value on each line would
// otherwise reach gigabytes in a few dozen lines.
const MaxEnvValue = 1 << 20

// errTooLong is expand's message for a value over MaxEnvValue; parseLine
// replaces it with one naming the key.
const errTooLong = "expanded value too long"

// expand replaces $VAR and ${VAR} with the values of keys defined earlier.
// In double quotes, backslash escapes \\ \" \$ \n \t are decoded as well.
// It returns the result and an error message or "".
func (env *EnvFile) expand(s string, quoted bool) (string, string) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if b.Len() > MaxEnvValue {
			return "", errTooLong
		}
		c := s[i]
		switch {
		case c == '\\' && quoted && i+1 < len(s):
			i++
			b.WriteString(unescape(s[i]))
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return "", fmt.Sprintf("unterminated ${ in %s", echo(s))
			}
			name := s[i+2 : i+end]
			if !isName(name) {
				return "", "bad substitution " + echoRaw("${"+name+"}")
			}
			if b.Len()+len(env.Values[name]) > MaxEnvValue {
				return "", errTooLong
			}
			b.WriteString(env.Values[name])
			i += end
		case c == '$' && i+1 < len(s) && isNameStart(s[i+1]):
			j := i + 1
			for j < len(s) && isNameChar(s[j]) {
				j++
			}
			if b.Len()+len(env.Values[s[i+1:j]]) > MaxEnvValue {
				return "", errTooLong
			}
			b.WriteString(env.Values[s[i+1:j]])
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	if b.Len() > MaxEnvValue {
		return "", errTooLong
	}
	return b.String(), ""
}

func unescape(c byte) string {
	switch c {
	case 'n':
		return "\n"
	case 't':
		return "\t"
	case '\\', '"', '$':
		return string(c)
	}
	return "\\" + string(c)
}

func isNameStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isNameChar(c byte) bool { return isNameStart(c) || '0' <= c && c <= '9' }

func isName(s string) bool {
	if s == "" || !isNameStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isNameChar(s[i]) {
			return false
		}
	}
	return true
}
