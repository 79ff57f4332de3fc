package flux

import (
	"strings"

	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/values"
)

// emitDaskKubernetesRBAC writes the objects the daskhub umbrella would
// create for dask-kubernetes, for a composed site that uses it, one file
// each (daskkubernetes-serviceaccount.yaml, -role.yaml, -rolebinding.yaml).
func emitDaskKubernetesRBAC(s *site.Site, f *site.Fleet, labels map[string]string, emit func(string, any) error) error {
	for _, o := range values.DaskKubernetesRBAC(s, f) {
		md := o["metadata"].(map[string]any)
		l := map[string]any{}
		for k, v := range labels {
			l[k] = v
		}
		md["labels"] = l
		file := values.DaskKubernetesAccount + "-" + strings.ToLower(o["kind"].(string)) + ".yaml"
		if err := emit(file, o); err != nil {
			return err
		}
	}
	return nil
}
