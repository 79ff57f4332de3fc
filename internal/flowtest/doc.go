// Package flowtest holds the fixture the flow tests share, whichever
// front-end they drive: this repository's example fleet committed in a
// real git repository, pushed to a bare remote on disk and cloned into a
// work tree, with its chart sources optionally on a loopback Helm
// repository.
package flowtest
