// Package recipe holds abra's rules for deploying a Co-op Cloud recipe,
// reproduced without the abra binary, the git binary or a Docker client:
// the app env, the compose files, the labels, the secrets, the deploy and
// chaos versions.
//
// A recipe is a git checkout (a [gitcache.Repo]) holding compose files. An
// [App] is a recipe deployed under a domain with an env (the abra-style
// .env file, see [ParseEnv]). [App.Build] follows `abra app deploy
// [--chaos]` up to the swarm calls and returns a [Deploy]: the
// [engine.Stack] abra would send to the swarm (compose files loaded and
// merged by docker/cli's compose loader, converted by docker/cli's
// converter, stamped with abra's coop-cloud.<stack>.* labels on the app
// service), the deploy version, and the secrets and external networks that
// must exist first ([CheckSecrets], [MissingSecrets], [GenerateSecret]).
// Builds are memoised by content (cache.go). [App.Ensure] is the checkout
// a deploy without --chaos makes before it builds.
//
// Comments mark each fact about abra [V] (verified), [D] (from a derived
// copy of abra's code) or [M] (from memory, unverified).
package recipe
