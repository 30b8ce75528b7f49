package recipe

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"

	chswarm "github.com/coop-cloud/chaosrun/swarm"
)

// buildCache memoises Build by content: the same compose files (names and
// bytes), env, options and deploy version always convert to the same stack.
// Loading runs docker/cli's JSON-schema validation, which compiles the
// schema each time and dominates a simulated run; explore repeats the same
// builds thousands of times. Entries are never handed out, only copies.
var buildCache = struct {
	sync.Mutex
	m map[string]*Deploy
}{m: map[string]*Deploy{}}

// maxBuildCache bounds the cache; it is emptied when full.
const maxBuildCache = 256

// buildKey hashes everything Build's result depends on, or returns "" when
// a compose file cannot be read (Build then reports the error itself).
func (a *App) buildKey(opts StackOptions, version string) string {
	files, err := a.ComposeFiles()
	if err != nil {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%t\x00%s\x00", a.Repo.Path(), a.RecipeName(), opts.Chaos, opts.APIVersion)
	fmt.Fprintf(h, "%s\x00", version)
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(a.Repo.Path(), f))
		if err != nil {
			return ""
		}
		fmt.Fprintf(h, "%s\x00%d\x00", f, len(data))
		h.Write(data)
	}
	keys := make([]string, 0, len(a.Env))
	for k := range a.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "%s=%s\x00", k, a.Env[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func cachedBuild(key string) *Deploy {
	if key == "" {
		return nil
	}
	buildCache.Lock()
	d := buildCache.m[key]
	buildCache.Unlock()
	if d == nil {
		return nil
	}
	return d.clone()
}

func storeBuild(key string, d *Deploy) {
	if key == "" {
		return
	}
	c := d.clone()
	buildCache.Lock()
	defer buildCache.Unlock()
	if len(buildCache.m) >= maxBuildCache {
		buildCache.m = map[string]*Deploy{}
	}
	buildCache.m[key] = c
}

// clone copies a Deploy deeply enough that callers may change its stack:
// the stack goes through JSON, as it would to the Engine API. The loaded
// compose configuration is shared and must be treated as read-only.
func (d *Deploy) clone() *Deploy {
	c := *d
	b, err := json.Marshal(d.Stack)
	if err != nil {
		panic("recipe: stack does not marshal: " + err.Error())
	}
	c.Stack = chswarm.Stack{}
	if err := json.Unmarshal(b, &c.Stack); err != nil {
		panic("recipe: stack does not unmarshal: " + err.Error())
	}
	c.Secrets = append([]Secret(nil), d.Secrets...)
	c.ExternalNetworks = append([]string(nil), d.ExternalNetworks...)
	return &c
}
