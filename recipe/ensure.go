package recipe

import "strings"

// EnvVersion is the recipe version the app env pins (TYPE or RECIPE as
// "<recipe>:<version>"), without the "+U" abra strips when reading it [M];
// "" when the env pins none.
func (a *App) EnvVersion() string {
	for _, k := range []string{"RECIPE", "TYPE"} {
		if _, v, ok := strings.Cut(a.Env[k], ":"); ok && v != "" {
			return strings.TrimSuffix(v, "+U")
		}
	}
	return ""
}

// Ensure is what `abra app deploy` without --chaos does to the checkout
// before it deploys (cli/app/deploy.go: Recipe.Ensure, reference notes §1,
// [M] for the order): refuse a dirty tree, then check out the version the
// env pins (EnsureVersion) or, when it pins none, the latest release tag
// (EnsureLatest; the repository's LatestTag stands in for abra's latest
// release, as far as a checkout with no catalogue can tell [M: abra orders
// release tags by version]). It returns the ref checked out, or "" when the recipe has
// no tag and the env pins nothing (abra then deploys HEAD). A chaos deploy
// skips all of this, which is why it stamps whatever HEAD is.
func (a *App) Ensure() (string, error) {
	dirty, err := a.Repo.IsDirty()
	if err != nil {
		return "", err
	}
	if dirty {
		return "", &DirtyError{Recipe: a.RecipeName(), Path: a.Repo.Shown()}
	}
	ref := a.EnvVersion()
	if ref == "" {
		if ref, err = a.Repo.LatestTag(); err != nil || ref == "" {
			return "", err
		}
	}
	if _, err := a.Repo.Checkout(ref); err != nil {
		return "", err
	}
	return ref, nil
}
