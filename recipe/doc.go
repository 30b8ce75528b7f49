// Package recipe reads Co-op Cloud recipes the way abra does, without the
// abra binary, the git binary or a Docker client.
//
// A recipe is a git checkout ([gitcache.Repo], through go-git only) holding compose
// files. An [App] is a recipe deployed under a domain with an env (the
// abra-style .env file, see [ParseEnv]). From an App and a checkout, [App.Stack]
// produces the [engine.Stack] that `abra app deploy [--chaos]` would send to
// the swarm: compose files loaded and merged by docker/cli's compose loader,
// converted by docker/cli's converter, and stamped with abra's
// coop-cloud.<stack>.* labels on the app service.
//
// The facts about abra this package reproduces are collected in
// reference/abra-chaos-deploy.md; comments mark each one [V] (verified),
// [D] (from a derived copy of abra's code) or [M] (from memory, unverified).
package recipe
