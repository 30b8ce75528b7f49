// Package layers holds no code of its own: its tests keep chaosrun's
// package layering (docs/architecture.md) true. Each package may import
// only the chaosrun packages its row allows, and interp, the engines and
// the small helpers may not reach Docker's client, git or compose, even
// through another chaosrun package.
package layers
