package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// maxLogLine bounds one line of a request log (a request body and more).
const maxLogLine = maxBody + 64<<10

// Replay runs the requests of a request log again, at the virtual
// instants they ran at, on a fresh world started as the log's header
// says, and returns how many it replayed and a line for each request
// whose answer (status or body digest) differs. The event stream is not
// replayed.
func Replay(ctx context.Context, log io.Reader) (int, []string, error) {
	sc := bufio.NewScanner(log)
	sc.Buffer(make([]byte, 64<<10), maxLogLine)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return 0, nil, fmt.Errorf("replay: reading the log: %v", err)
		}
		return 0, nil, fmt.Errorf("replay: the log is empty")
	}
	var head LogHeader
	if err := json.Unmarshal(sc.Bytes(), &head); err != nil || head.Serve == "" {
		return 0, nil, fmt.Errorf("replay: the first line is not a sim serve log header: %.80s", sc.Text())
	}
	var limit time.Duration
	if head.SettleLimit != "" {
		var err error
		if limit, err = time.ParseDuration(head.SettleLimit); err != nil {
			return 0, nil, fmt.Errorf("replay: header: settle_limit %q: %v", head.SettleLimit, err)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := Start(ctx, Options{Seed: head.Seed, Time: head.Time, Speed: head.Speed, SettleLimit: limit, Epoch: head.Epoch, replay: true})
	if err != nil {
		return 0, nil, fmt.Errorf("replay: %v", err)
	}
	h, err := Handler(w)
	if err != nil {
		return 0, nil, err
	}
	n, line := 0, 1
	var diffs []string
	for sc.Scan() {
		line++
		var e LogEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return n, diffs, fmt.Errorf("replay: line %d: %v", line, err)
		}
		if e.Stream {
			continue
		}
		at, err := time.ParseDuration(e.At)
		if err != nil {
			return n, diffs, fmt.Errorf("replay: line %d: at %q: %v", line, e.At, err)
		}
		if err := w.advanceTo(ctx, head.Epoch.Add(at)); err != nil {
			return n, diffs, fmt.Errorf("replay: line %d: %v", line, err)
		}
		target := e.Path
		if e.Query != "" {
			target += "?" + e.Query
		}
		req := httptest.NewRequest(e.Method, target, strings.NewReader(e.Body)).WithContext(ctx)
		if e.Body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := &recorder{ResponseWriter: httptest.NewRecorder(), status: http.StatusOK, hash: newDigest()}
		h.ServeHTTP(rec, req)
		n++
		if rec.status != e.Status || rec.digest() != e.Digest {
			diffs = append(diffs, fmt.Sprintf("line %d: %s %s at +%s: answered %d (digest %s), logged %d (digest %s)",
				line, e.Method, target, e.At, rec.status, rec.digest(), e.Status, e.Digest))
		}
	}
	if err := sc.Err(); err != nil {
		return n, diffs, fmt.Errorf("replay: line %d: %v", line+1, err)
	}
	return n, diffs, nil
}
