// Command bench compares hubfleet's chart rendering with what peers do:
// one `helm template` process per site, using the helm v3 CLI built from
// helm.sh/helm/v3/cmd/helm at the version hubfleet links (v3.19.0), on the
// same synthetic sites and the same charts, measured in the same run.
//
// Run it from the repository root:
//
//	go run ./bench
//
// It builds the helm CLI into a temporary directory (or uses -helm),
// packages the test charts of internal/chart/chartrepotest, serves them
// from a chart repository on 127.0.0.1, generates synthetic site values
// and reports, as a Markdown table, wall and CPU time of each side (the
// fastest of -runs alternating runs, plus the median ratio of paired runs:
// on a shared machine the load drifts):
//
//   - full render and validation of -sites sites with cold caches, against
//     a sequential `helm template` loop;
//   - a plan of a one-site change in a -sites fleet, against re-rendering
//     every site at base and at head with `helm template`;
//   - a no-op re-plan of -fleet sites with warm caches;
//   - peak memory (max RSS of a child process) rendering -fleet sites.
package main
