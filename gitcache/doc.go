// Package gitcache is chaosrun's git: checkouts opened, created, cloned,
// checked out, committed and asked for their status through go-git alone,
// without the git binary, with what they read kept in memory so that an
// explore run, which does all of this thousands of times, spends little
// time in git (README.md, explore on the simulator).
//
// A [Repo] is one checkout. [Open] opens one something else may change (a
// recipe folder named by a script), and reads it as go-git does, apart from
// the status and content-hash memos, which notice any change. [Init] and
// [Clone] make one that only this process writes, whose references, index
// and objects are also read from memory. [InitPrivate] makes one in a
// temporary folder nothing else even reads: its work tree is a model in
// memory, written out at [Repo.Sync], and its reference and index writes
// reach disk only before something reads the folder as a repository.
//
// Commits are reproducible: fixed author and committer, and times that
// start at a fixed epoch, so the same history always has the same hashes.
//
// The caches, each with why it is safe:
//   - store.go, storeback.go: go-git's storage with objects, references and
//     the index kept in memory (deferred writes in a private checkout);
//   - statcache.go: Status memoised under a fingerprint of all it depends
//     on, and work-tree file hashes under their stat data;
//   - tree.go: a private checkout's model of its work tree;
//   - reset.go: checkout's reset, which writes only the files that differ.
package gitcache
