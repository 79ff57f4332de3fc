package secretscan

import (
	"fmt"
	"slices"
	"strings"
)

// StripTree removes from a decoded values tree everything the guard finds
// in it, as Tree finds it: a value at a secret-named key with its key, a
// list element that holds a secret (an environment variable in list
// form), a mapping entry whose key is itself a token, a string a detector
// matches. It returns the findings of what it removed; their paths never
// spell a secret (a token used as a key is KeyMask). What is left passes
// Tree. The importer uses it so that nothing it writes is refused later.
func StripTree(v map[string]any, o Options) []Finding {
	var out []Finding
	strip(v, "", o, &out)
	sortFindings(out)
	return out
}

func under(fs []Finding, p string) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Path == p || strings.HasPrefix(f.Path, p+".") || strings.HasPrefix(f.Path, p+"[") || strings.HasPrefix(f.Path, p+"{") {
			out = append(out, f)
		}
	}
	return out
}

// strip removes what the guard finds in v at path p. It returns the value
// to keep and whether v must go as a whole.
func strip(v any, p string, o Options, out *[]Finding) (any, bool) {
	fs := Tree(p, v, o)
	if len(fs) == 0 {
		return v, false
	}
	switch x := v.(type) {
	case map[string]any:
		if name, ok := x["name"].(string); ok && IsSecretName(name) {
			if _, ok := x["value"]; ok && len(under(fs, join(p, "value"))) > 0 {
				*out = append(*out, fs...)
				return nil, true
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			cp := join(p, k)
			if len(detect("", k)) > 0 {
				*out = append(*out, under(fs, join(p, KeyMask))...)
				delete(x, k)
				continue
			}
			sub := under(fs, cp)
			if len(sub) == 0 {
				continue
			}
			if IsSecretName(k) && !isCodeEntry(cp) || isSecretPath(cp) {
				*out = append(*out, sub...)
				delete(x, k)
				continue
			}
			if nv, gone := strip(x[k], cp, o, out); gone {
				delete(x, k)
			} else {
				x[k] = nv
			}
		}
		return x, false
	case []any:
		keep := make([]any, 0, len(x))
		for i, e := range x {
			ep := fmt.Sprintf("%s[%d]", p, i)
			sub := under(fs, ep)
			if len(sub) == 0 {
				keep = append(keep, e)
				continue
			}
			if isScalar(e) {
				*out = append(*out, sub...)
				continue
			}
			if nv, gone := strip(e, ep, o, out); !gone {
				keep = append(keep, nv)
			}
		}
		return keep, false
	default:
		*out = append(*out, fs...)
		return nil, true
	}
}

func isScalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}
