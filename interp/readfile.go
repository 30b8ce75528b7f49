package interp

import (
	"errors"
	"fmt"
	"io"
	"os"
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
	return src, nil
}

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
