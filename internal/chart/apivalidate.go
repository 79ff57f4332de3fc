package chart

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"

	"helm.sh/helm/v3/pkg/chartutil"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/kubernetes/scheme"
)

// removedAPIs maps group/version (and group/version/Kind where only some
// kinds went) to the Kubernetes minor release that stopped serving it.
var removedAPIs = map[string]int{
	"extensions/v1beta1":                   22,
	"apps/v1beta1":                         16,
	"apps/v1beta2":                         16,
	"networking.k8s.io/v1beta1":            22,
	"rbac.authorization.k8s.io/v1beta1":    22,
	"apiextensions.k8s.io/v1beta1":         22,
	"admissionregistration.k8s.io/v1beta1": 22,
	"scheduling.k8s.io/v1beta1":            22,
	"coordination.k8s.io/v1beta1":          22,
	"certificates.k8s.io/v1beta1":          22,
	"storage.k8s.io/v1beta1":               27,
	"policy/v1beta1":                       25,
	"batch/v1beta1":                        25,
	"autoscaling/v2beta1":                  25,
	"autoscaling/v2beta2":                  26,
	"discovery.k8s.io/v1beta1":             25,
	"events.k8s.io/v1beta1":                25,
	"node.k8s.io/v1beta1":                  25,
	"flowcontrol.apiserver.k8s.io/v1beta1": 26,
	"flowcontrol.apiserver.k8s.io/v1beta2": 29,
	"flowcontrol.apiserver.k8s.io/v1beta3": 32,
}

var (
	strictOnce    sync.Once
	strictDecoder runtime.Decoder
)

func decoder() runtime.Decoder {
	strictOnce.Do(func() {
		strictDecoder = serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()
	})
	return strictDecoder
}

// validateAPI checks rendered objects against the Kubernetes API: the
// object's apiVersion must still be served by the site's Kubernetes
// version, and built-in kinds must decode strictly into their Go types
// (k8s.io/api at the version hubfleet links): unknown fields, duplicate
// fields and wrong types are errors, like a server-side apply with field
// validation Strict. Kinds the scheme does not know (custom resources)
// are skipped.
// Secrets whose data the normalisation stripped are only checked for
// their apiVersion.
func (r *Renderer) validateAPI(objs []Object, kv *chartutil.KubeVersion) []Problem {
	var out []Problem
	minor := 0
	fmt.Sscanf(strings.TrimSuffix(kv.Minor, "+"), "%d", &minor)
	dec := decoder()
	for _, o := range objs {
		if removed, ok := removedAPIs[o.APIVersion]; ok && minor >= removed {
			out = append(out, Problem{
				Kind:    ProblemAPI,
				Object:  o.ID(),
				Message: fmt.Sprintf("%s %s is not served by Kubernetes %s (removed in 1.%d)", o.APIVersion, o.Kind, kv.Version, removed),
			})
			continue
		}
		if o.CRD || (o.Kind == "Secret" && r.strip[o.Name]) {
			continue
		}
		// Sites of a fleet share many byte-identical objects (RBAC,
		// network policies, CRD-backed routes): decode each once.
		key := sha256.Sum256([]byte(o.YAML))
		if msg, ok := r.apiMemo.Load(key); ok {
			if msg != "" {
				out = append(out, Problem{Kind: ProblemAPI, Object: o.ID(), Message: msg.(string)})
			}
			continue
		}
		msg := ""
		_, _, err := dec.Decode([]byte(o.YAML), nil, nil)
		if err != nil && !runtime.IsNotRegisteredError(err) && !runtime.IsMissingKind(err) {
			msg = apiMessage(err)
			out = append(out, Problem{Kind: ProblemAPI, Object: o.ID(), Message: msg})
		}
		r.apiMemo.Store(key, msg)
	}
	return out
}

func apiMessage(err error) string {
	if se, ok := runtime.AsStrictDecodingError(err); ok {
		var msgs []string
		for _, e := range se.Errors() {
			msgs = append(msgs, e.Error())
		}
		return strings.Join(msgs, "; ")
	}
	return err.Error()
}
