// Package chartrepotest serves Helm charts from a real HTTP chart repository
// on the loopback interface, for tests.
//
// The charts are packaged by the tests themselves from directories (the
// test charts under testdata/charts are z2jh-, dask-gateway- and
// daskhub-like charts written for hubfleet), indexed with Helm's own repo
// code (index.yaml with sha256 digests) and served by net/http/httptest.
// Dependencies whose repository is file://.. are vendored into the
// packaged archive, the way `helm dependency build` would.
package chartrepotest
