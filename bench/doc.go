// Command bench compares hubfleet's chart rendering with what peers do:
// one `helm template` process per release, using the helm v3 CLI built
// from helm.sh/helm/v3/cmd/helm at the version hubfleet links (v3.19.0),
// on the real charts of ../shared/charts and the same generated sites,
// measured in the same run.
//
// Run it from the repository root:
//
//	go run ./bench
//
// It builds the helm CLI into a temporary directory (or uses -helm),
// serves the real chart archives from a chart repository on 127.0.0.1,
// generates site values and reports, as Markdown tables, wall time, CPU
// time (user+system of every process of a side) and peak RSS, each the
// median of -runs paired alternating runs, with the load average of the
// machine at each run beside them:
//
//   - cold render and validation of -sites sites per chart mode (the
//     daskhub 2024.1.1 umbrella; jupyterhub 4.4.0 + dask-gateway 2026.3.0
//     composed), by hubfleet, by hubfleet with Helm's own engine, and by a
//     sequential `helm template` loop;
//   - a plan of a one-site change in a generated -plan-fleet fleet;
//   - cold render and validation, peak RSS, and a no-op re-plan of a
//     generated -fleet fleet mixing umbrella and composed sites over
//     every real chart version.
//
// Every hubfleet run is a fresh child process (the command a user types),
// so its CPU time, memory and start-up are measured like helm's.
package main
