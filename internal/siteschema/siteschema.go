package siteschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/hubfleet/hubfleet/internal/site"
)

// Docs maps a Go type name and field name ("Spec.Host") to the field's
// doc comment, and a type name ("Spec") to the type's.
type Docs map[string]string

// enums are the fields whose values come from a fixed list.
var enums = map[string][]string{
	"TLS.Mode":                     {site.TLSCertManager, site.TLSAutoHTTPS, site.TLSSecret},
	"Auth.Provider":                {site.AuthEGICheckin, site.AuthCognito, site.AuthAzureAD, site.AuthOIDC, site.AuthNative},
	"EGICheckin.Instance":          {site.EGIProd, site.EGIDemo, site.EGIDev},
	"Storage.Type":                 {site.StorageDynamic, site.StorageStatic, site.StorageNone},
	"ChartSelection.Mode":          {site.ModeDaskHub, site.ModeComposed, site.ModeUmbrella},
	"FleetSpec.DefaultMode":        {site.ModeDaskHub, site.ModeComposed},
	"Kubernetes.Provider":          {"openstack", "aws", "azure", "gcp", "other"},
	"Toleration.Operator":          {"Equal", "Exists"},
	"Toleration.Effect":            {"NoSchedule", "PreferNoSchedule", "NoExecute"},
	"ExternalSecretRef.StoreKind":  {"ClusterSecretStore", "SecretStore"},
	"ReleasePolicy.DriftDetection": {"enabled", "warn", "disabled"},
}

// nonNegative are whole-number fields that must be 0 or more.
var nonNegative = map[string]bool{
	"Spec.Wave": true, "Profile.GPUs": true, "Singleuser.StartTimeout": true,
	"ClusterLimits.MaxWorkers": true, "ClusterLimits.IdleTimeout": true,
	"ReleasePolicy.Retries": true, "Canary.MaxWave": true, "UmbrellaCanary.MaxWave": true,
}

// Generate returns the JSON Schema of the site file (kind Site) or the
// fleet file (kind Fleet), indented, with a trailing newline.
func Generate(kind string, docs Docs) ([]byte, error) {
	var t reflect.Type
	switch kind {
	case site.KindSite:
		t = reflect.TypeOf(site.Site{})
	case site.KindFleet:
		t = reflect.TypeOf(site.Fleet{})
	default:
		return nil, fmt.Errorf("no schema for kind %q", kind)
	}
	g := &generator{docs: docs, defs: map[string]any{}}
	root := g.object(t)
	props := root["properties"].(map[string]any)
	props["apiVersion"] = map[string]any{"const": site.APIVersion, "description": "Always " + site.APIVersion + "."}
	props["kind"] = map[string]any{"const": kind, "description": "Always " + kind + "."}
	doc := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  "https://hubfleet.dev/schema/" + strings.ToLower(kind) + ".schema.json",
		"title":                "hubfleet " + kind,
		"description":          docs[t.Name()],
		"type":                 "object",
		"properties":           props,
		"required":             root["required"],
		"additionalProperties": false,
		"$defs":                g.defs,
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

type generator struct {
	docs Docs
	defs map[string]any
}

// ref returns a reference to the definition of struct type t, adding it.
func (g *generator) ref(t reflect.Type) map[string]any {
	name := t.Name()
	if _, ok := g.defs[name]; !ok {
		g.defs[name] = nil // placeholder against recursion
		g.defs[name] = g.object(t)
	}
	return map[string]any{"$ref": "#/$defs/" + name}
}

// object is the schema of a struct: its yaml fields, closed to others.
func (g *generator) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		key := t.Name() + "." + f.Name
		s := g.schema(f.Type, key)
		if d := g.docs[key]; d != "" {
			s["description"] = d
		}
		props[name] = s
		if !strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Pointer {
			required = append(required, name)
		}
	}
	out := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if d := g.docs[t.Name()]; d != "" {
		out["description"] = d
	}
	if len(required) > 0 {
		slices.Sort(required)
		out["required"] = required
	}
	return out
}

// schema is the schema of a field of type t; key names the field.
func (g *generator) schema(t reflect.Type, key string) map[string]any {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		return g.ref(t)
	case reflect.String:
		s := map[string]any{"type": "string"}
		if e, ok := enums[key]; ok {
			s["enum"] = e
		}
		return s
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int32, reflect.Int64:
		s := map[string]any{"type": "integer"}
		if nonNegative[key] {
			s["minimum"] = 0
		}
		return s
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.schema(t.Elem(), key+"[]")}
	case reflect.Map:
		if t.Elem().Kind() == reflect.Interface {
			return map[string]any{"type": "object", "description": "free-form chart values"}
		}
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem(), key+"{}")}
	case reflect.Interface:
		return map[string]any{}
	}
	return map[string]any{}
}
