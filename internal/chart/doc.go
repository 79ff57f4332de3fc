// Package chart resolves Helm charts from HTTP(S) chart repositories,
// caches them by digest, and renders them per site through the Helm SDK.
//
// Every Helm import of hubfleet lives behind this package. A Resolver reads
// a repository's index.yaml over net/http (fetch.go: proxies from
// HTTPS_PROXY/HTTP_PROXY/NO_PROXY, an extra CA bundle, basic auth from the
// repository URL kept to the repository's origin) and parses it as Helm's
// repo package does (index.go; Helm's getter and repo packages, which link
// kustomize and oras, stay out of the binary), picks a version for a
// Masterminds semver constraint (prereleases only when asked), downloads
// the archive, verifies its sha256 digest against the index and keeps it
// in a content-addressed cache, so a second run works offline. Each chart
// is loaded once per Resolver. Only http(s) repositories exist: the fleet
// file accepts no other scheme (no OCI).
//
// A Renderer renders a resolved chart with the values helm-controller would
// pass (action.Install with DryRun, ClientOnly, IncludeCRDs and an explicit
// KubeVersion and APIVersions), validates the values against each chart's
// values.schema.json (compiled once per chart), checks the rendered objects
// and against the Kubernetes API of the site's version (removed
// apiVersions; strict decoding of built-in kinds), and returns everything
// as result values. Output is normalised for diffing: the z2jh `hub`
// Secret data and checksum/* annotations, minted through `lookup` on every
// offline render, are stripped; objects are sorted. Because they are
// stripped, side-effect-free checksum/* template actions are not executed
// at all (RenderOptions.RenderChecksums restores them). Results are cached
// on disk by (chart digest, values hash, render options, Helm version);
// the cache is bounded (RenderOptions.CacheMaxBytes, least recently used
// results go first).
//
// Templates are executed by internal/chart/engine, which parses each
// chart's templates once (per chart digest) and executes a clone of the
// parsed set per site, with output byte-identical to Helm's engine
// (RenderOptions.PlainEngine = helmengine.Render uses Helm's engine itself,
// for comparison).
package chart
