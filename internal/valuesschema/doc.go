// Package valuesschema checks a site's free-form chart values against the
// values.schema.json of the charts the site runs, read from the chart
// cache, so that `hubfleet validate`, `render` and `import` catch a key the
// chart would refuse (z2jh and dask-gateway set additionalProperties:
// false) before Flux tries to install it.
//
// Keys and types are checked: an unknown key under a schema that closes
// its object is an error with a "did you mean", and a value whose JSON
// type the schema's "type" does not allow (a quoted number, a string
// where a list goes) is an error with the way to write it. Free-form
// sections such as hub.config.<Class>, hub.extraConfig or
// singleuser.extraEnv accept any key, as the schema says. Other keywords
// (enum, minimum, required, if/then) are checked by `hubfleet plan`, which
// renders the chart with the merged values. The fleet's spec.values are
// checked against every chart some site runs.
package valuesschema
