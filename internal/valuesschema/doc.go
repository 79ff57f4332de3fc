// Package valuesschema checks a site's free-form chart values against the
// values.schema.json of the charts the site runs, read from the chart
// cache, so that `hubfleet validate`, `render` and `import` catch a key the
// chart would refuse (z2jh and dask-gateway set additionalProperties:
// false) before Flux tries to install it.
//
// Only keys are checked: an unknown key under a schema that closes its
// object is an error with a "did you mean". Free-form sections such as
// hub.config.<Class>, hub.extraConfig or singleuser.extraEnv accept any
// key, as the schema says. Value types are checked by `hubfleet plan`,
// which renders the chart.
package valuesschema
