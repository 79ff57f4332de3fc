// Package site is hubfleet's model of one DaskHub deployment: the typed
// Site read from clusters/<site>/site.yaml and the Fleet defaults read from
// bases/daskhub/fleet.yaml.
//
// Decoding is strict (unknown fields and duplicate keys are errors) and
// every problem is reported as a *FieldError that names the file, the line,
// the field and the fix. Validate collects every error of a site instead of
// stopping at the first one.
package site
