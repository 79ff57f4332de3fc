// Package engine renders Helm charts the way Helm v3's pkg/engine does,
// but parses each chart's templates once and executes a clone of the
// parsed set per render.
//
// Helm's Engine.Render parses every template of a chart (subcharts
// included) on every call, and parsing is about as expensive as executing.
// hubfleet renders the same chart for every site of a fleet, so an Engine
// here keeps the parsed set per chart key (the chart archive's digest and
// the list of templates after dependency processing) and, per render,
// clones it, binds `include`, `tpl`, `required` and `fail` to the clone
// and executes it. Everything else follows Helm v3.21's engine exactly:
// template names and parse order, the per-chart-scope values with
// .Template, `tpl` parsing its text against a clone of the whole set,
// `include` recursion limits, `lookup` returning an empty map (a
// client-only render), getHostByName returning "" unless DNS is enabled,
// Strict (missingkey=error) and LintMode, NOTES.txt executed like any other
// template, partials parsed but not executed, "<no value>" removed, and
// Helm's parse and execution error messages.
//
// Helm v3 does not export its function map, so funcMap builds the same
// one from the same libraries (sprig's TxtFuncMap less env and expandenv,
// plus Helm's YAML, JSON and TOML helpers), and files reproduces the
// .Files object. The package is named engine so that `typeOf .Files`
// prints what it prints under Helm. A test renders the real charts through
// both engines and compares the output byte for byte.
package engine
