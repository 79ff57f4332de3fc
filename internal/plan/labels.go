package plan

import (
	"reflect"

	"sigs.k8s.io/yaml"
)

// versionLabels are the labels and annotations charts stamp with their own
// version. A chart bump changes them on every object; an object whose only
// change is one of them is summarised in a line, not diffed.
var versionLabels = map[string]bool{
	"helm.sh/chart":             true, // z2jh and dask-gateway: <name>-<version>
	"chart":                     true, // z2jh and daskhub: <name>-<version>
	"app.kubernetes.io/version": true, // dask-gateway: the app version
}

// sameButVersionLabels reports whether two objects differ only in
// versionLabels, wherever labels or annotations appear (metadata, pod
// templates, volume claim templates).
func sameButVersionLabels(a, b string) bool {
	var oa, ob any
	if yaml.Unmarshal([]byte(a), &oa) != nil || yaml.Unmarshal([]byte(b), &ob) != nil {
		return false
	}
	if reflect.DeepEqual(oa, ob) {
		return false // a change in text only (a comment): shown as it is
	}
	return reflect.DeepEqual(stripVersionLabels(oa), stripVersionLabels(ob))
}

func stripVersionLabels(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			if m, ok := val.(map[string]any); ok && (k == "labels" || k == "annotations") {
				kept := map[string]any{}
				for lk, lv := range m {
					if !versionLabels[lk] {
						kept[lk] = lv
					}
				}
				out[k] = kept
				continue
			}
			out[k] = stripVersionLabels(val)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = stripVersionLabels(e)
		}
		return out
	}
	return v
}
