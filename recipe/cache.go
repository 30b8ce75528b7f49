package recipe

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"
)

// buildCache memoises Build by content: the same work tree, env, options and
// deploy version always convert to the same stack.
// Loading runs docker/cli's JSON-schema validation, which compiles the
// schema each time and dominates a simulated run; explore repeats the same
// builds thousands of times. Entries are never handed out, only copies.
var buildCache = struct {
	sync.Mutex
	m map[string]*Deploy
}{m: map[string]*Deploy{}}

// maxBuildCache bounds the cache; it is emptied when full.
const maxBuildCache = 256

// buildKey hashes everything Build's result can depend on apart from the
// checkout's location: the content of every file of the work tree (compose
// files, and the env files and config files they name), the env, options
// and deploy version. It returns "" when the tree cannot be read (Build
// then reports the error itself).
func (a *App) buildKey(opts StackOptions, version string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%t\x00%s\x00%s\x00", a.RecipeName(), opts.Chaos, opts.APIVersion, version)
	if err := a.Repo.HashTree(h); err != nil {
		return ""
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

// A result that names the checkout's path (a bind mount, say) is stored
// under a key that includes the path; any other is shared by every
// checkout with the same content (each run of a scenario builds its
// fixture in a new temporary folder).
func (a *App) pathKey(key string) string { return key + "@" + a.Repo.Path() }

func (a *App) cachedBuild(key string) *Deploy {
	if key == "" {
		return nil
	}
	buildCache.Lock()
	d := buildCache.m[key]
	if d == nil {
		d = buildCache.m[a.pathKey(key)]
	}
	buildCache.Unlock()
	if d == nil {
		return nil
	}
	return d.clone()
}

func (a *App) storeBuild(key string, d *Deploy) {
	if key == "" {
		return
	}
	c := d.clone()
	if b, _ := json.Marshal(c.Stack); bytes.Contains(b, []byte(a.Repo.Path())) {
		key = a.pathKey(key)
	}
	buildCache.Lock()
	defer buildCache.Unlock()
	if len(buildCache.m) >= maxBuildCache {
		buildCache.m = map[string]*Deploy{}
	}
	buildCache.m[key] = c
}

// clone copies a Deploy so that callers may set or add to the stack's
// fields (Faults, Secrets, a service replaced in Services) without changing
// the cached one. What the service specs point to (labels, container
// specs) is shared with the cache and read-only: engines copy a spec before
// they change it (engine.Engine.Deploy). The loaded compose configuration is
// shared and read-only too. A deep copy of the stack cost a tenth of an
// explore run.
func (d *Deploy) clone() *Deploy {
	c := *d
	c.Stack.Networks = maps.Clone(d.Stack.Networks)
	c.Stack.Secrets = slices.Clone(d.Stack.Secrets)
	c.Stack.Configs = slices.Clone(d.Stack.Configs)
	c.Stack.Services = maps.Clone(d.Stack.Services)
	c.Stack.Faults = maps.Clone(d.Stack.Faults)
	c.Secrets = slices.Clone(d.Secrets)
	c.Stack.ExternalNetworks = slices.Clone(d.Stack.ExternalNetworks)
	return &c
}
