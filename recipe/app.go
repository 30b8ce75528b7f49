package recipe

import (
	"fmt"
	"strings"

	"github.com/coop-cloud/chaosrun/gitcache"
)

// MaxStackNameLength is abra's config.MAX_SANITISED_APP_NAME_LENGTH: a stack
// name derived from a domain is cut to this many characters. The value 45
// is unverified, from memory of abra's source [M] (reference notes §3).
const MaxStackNameLength = 45

// App is a recipe deployed under a domain: abra's app, whose env is the
// app's .env file.
type App struct {
	// Domain is the app's domain, e.g. discourse.example.com.
	Domain string
	// Repo is the recipe checkout.
	Repo *gitcache.Repo
	// Env is the app env as given, plus STACK_NAME and DOMAIN when absent.
	Env map[string]string
	// Modifiers are the env file's `# length=N` style comments by key,
	// used when generating secrets; may be nil.
	Modifiers map[string]map[string]string
}

// NewApp makes an App. The env map is copied; STACK_NAME is set to the
// stack name (abra stores it back into the app env [M]) and DOMAIN to
// domain unless the env sets it.
func NewApp(domain string, repo *gitcache.Repo, env map[string]string) (*App, error) {
	if domain == "" && env["STACK_NAME"] == "" {
		return nil, fmt.Errorf("app needs a domain or a STACK_NAME")
	}
	if repo == nil {
		return nil, fmt.Errorf("app %s: no recipe checkout", echoRaw(domain))
	}
	a := &App{Domain: domain, Repo: repo, Env: map[string]string{}}
	for k, v := range env {
		a.Env[k] = v
	}
	a.Env["STACK_NAME"] = StackName(domain, env)
	if _, ok := a.Env["DOMAIN"]; !ok && domain != "" {
		a.Env["DOMAIN"] = domain
	}
	return a, nil
}

// StackName is abra's App.StackName() [M]: STACK_NAME from the env when
// set, else the domain with dots replaced by underscores, cut to
// MaxStackNameLength characters. The dots→underscores rule matches every
// observed name [V-ish]; the length limit is unverified [M].
func StackName(domain string, env map[string]string) string {
	if s := env["STACK_NAME"]; s != "" {
		return s
	}
	s := strings.ReplaceAll(domain, ".", "_")
	if len(s) > MaxStackNameLength {
		s = s[:MaxStackNameLength]
	}
	return s
}

// StackName is the app's stack name (the swarm namespace).
func (a *App) StackName() string { return a.Env["STACK_NAME"] }

// RecipeName is the recipe's name: RECIPE or (older) TYPE from the env,
// without a `:version` suffix [V for TYPE=<recipe>:<version>], else the
// checkout's folder name.
func (a *App) RecipeName() string {
	for _, k := range []string{"RECIPE", "TYPE"} {
		if v := a.Env[k]; v != "" {
			name, _, _ := strings.Cut(v, ":")
			return name
		}
	}
	return a.Repo.Name()
}
