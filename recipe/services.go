package recipe

import (
	"bytes"
	"slices"
	"sync"
)

// ServiceNames lists the services the app's compose files define, sorted,
// as LoadCompose merges them. It is memoised by the work tree's content and
// COMPOSE_FILE (service names depend on nothing else), so that a script
// that names a service on every run, as explore does thousands of times,
// loads the compose files once.
func (a *App) ServiceNames() ([]string, error) {
	var tree bytes.Buffer
	key := ""
	if a.Repo.HashTree(&tree) == nil {
		key = a.Env["COMPOSE_FILE"] + "\x00" + tree.String()
	}
	namesCache.Lock()
	names, ok := namesCache.m[key]
	namesCache.Unlock()
	if ok && key != "" {
		return slices.Clone(names), nil
	}
	c, err := a.LoadCompose()
	if err != nil {
		return nil, err
	}
	names = make([]string, 0, len(c.Config.Services))
	for _, s := range c.Config.Services {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	if key != "" {
		namesCache.Lock()
		if len(namesCache.m) >= maxBuildCache {
			namesCache.m = map[string][]string{}
		}
		namesCache.m[key] = names
		namesCache.Unlock()
	}
	return slices.Clone(names), nil
}

// namesCache memoises ServiceNames by COMPOSE_FILE and the tree's listing.
var namesCache = struct {
	sync.Mutex
	m map[string][]string
}{m: map[string][]string{}}
