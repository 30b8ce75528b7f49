package interp

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// MaxSourceBytes is the largest scenario or loaded module interp reads
// (README, Limits): a bigger file, or one that is not a regular file (a
// FIFO would block forever, /dev/zero never ends), is refused.
const MaxSourceBytes = 4 << 20

// readSource reads the scenario or module at path within the limits. It
// checks the file's type before opening it (opening a FIFO blocks) and
// again after, on what it opened.
func readSource(path string) ([]byte, error) {
	if err := regular(os.Stat(path)); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := regular(f.Stat()); err != nil {
		return nil, err
	}
	src, err := io.ReadAll(io.LimitReader(f, MaxSourceBytes+1))
	if err != nil {
		return nil, err
	}
	if len(src) > MaxSourceBytes {
		return nil, &os.PathError{Op: "read", Path: path, Err: errors.New("larger than 4MiB, the most a scenario file may hold")}
	}
	if line := tooDeep(src); line > 0 {
		return nil, fmt.Errorf("%s:%d: expression nested deeper than %d (operators, calls and brackets in one expression), the most chaosrun parses", path, line, MaxNesting)
	}
	return src, nil
}

// MaxNesting bounds how deep one expression may nest (README, Limits).
// Starlark's parser, resolver and compiler recurse once per level (a chain
// a+a+…+a is as deep as it is long), about a kilobyte of Go stack each, and
// a Go stack overflow is fatal, not an error: a 6 MB chain of + crashed the
// resolver. So the source is scanned for depth before it is parsed.
const MaxNesting = 10_000

// tooDeep returns the line where an expression of src first nests deeper
// than MaxNesting, or 0. It scans tokens without parsing (strings and
// comments skipped) and over-estimates depth: each operator, keyword
// operator and attribute dot counts one (an assignment's = does not), a bracketed group counts its
// deepest comma-separated element plus one, and a count starts again at
// each comma and at each end of a logical line. Unbalanced brackets are the
// parser's to report.
func tooDeep(src []byte) int {
	type level struct{ cur, max int }
	stack := []level{{}}
	line := 1
	add := func(n int) bool {
		top := &stack[len(stack)-1]
		top.cur += n
		return top.cur > MaxNesting
	}
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			if line++; len(stack) == 1 {
				stack[0] = level{}
			}
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '\\' && i+1 < len(src) && src[i+1] == '\n': // a line continues
			line++
			i += 2
		case c == '\'' || c == '"':
			i, line = skipString(src, i, line)
		case identStart(c):
			j := i
			for j < len(src) && (identStart(src[j]) || isDigit(src[j])) {
				j++
			}
			switch string(src[i:j]) {
			case "and", "or", "not", "in", "if", "else", "lambda":
				if add(1) {
					return line
				}
			}
			i = j
		case isDigit(c): // a number, dots and exponents included
			for i < len(src) && (identStart(src[i]) || isDigit(src[i]) || src[i] == '.') {
				i++
			}
		case c == '(' || c == '[' || c == '{':
			if stack = append(stack, level{}); len(stack) > MaxNesting {
				return line
			}
			i++
		case c == ')' || c == ']' || c == '}':
			if len(stack) > 1 {
				inner := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if add(max(inner.cur, inner.max) + 1) {
					return line
				}
			}
			i++
		case c == ',' || c == ';':
			top := &stack[len(stack)-1]
			top.max, top.cur = max(top.max, top.cur), 0
			i++
		case c == '=' && (i+1 == len(src) || src[i+1] != '='): // not an operator
			i++
		case strings.IndexByte("+-*/%~&|^<>=!.", c) >= 0:
			if add(1) {
				return line
			}
			i++
		default:
			i++
		}
	}
	return 0
}

// skipString returns the index just past the string literal that starts
// at src[i] (a quote) and the line it ends on. A one-line string left open
// ends before its newline.
func skipString(src []byte, i, line int) (int, int) {
	q := src[i]
	triple := i+2 < len(src) && src[i+1] == q && src[i+2] == q
	if triple {
		i += 3
	} else {
		i++
	}
	for i < len(src) {
		switch c := src[i]; {
		case c == '\\':
			if i+1 < len(src) && src[i+1] == '\n' {
				line++
			}
			i += 2
		case c == '\n' && !triple:
			return i, line
		case c == '\n':
			line++
			i++
		case c == q && !triple:
			return i + 1, line
		case c == q && i+2 < len(src) && src[i+1] == q && src[i+2] == q:
			return i + 3, line
		default:
			i++
		}
	}
	return i, line
}

func identStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// regular refuses what is not a regular file, as a *os.PathError so that
// readError words it like any other read error.
func regular(fi os.FileInfo, err error) error {
	if err != nil || fi.Mode().IsRegular() {
		return err
	}
	return &os.PathError{Op: "read", Path: fi.Name(), Err: fmt.Errorf("not a regular file (%s), want a scenario file", kind(fi.Mode()))}
}

// kind names a file type that is not regular.
func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}
