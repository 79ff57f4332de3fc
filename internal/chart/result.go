package chart

import "fmt"

// ProblemKind classifies what is wrong with a site's render.
type ProblemKind string

const (
	// ProblemSchema is a values.schema.json violation; Path is the values
	// path (for example "jupyterhub.hub.foo").
	ProblemSchema ProblemKind = "schema"
	// ProblemTemplate is a template execution or rendered-YAML error.
	ProblemTemplate ProblemKind = "template"
	// ProblemKubeVersion says a chart's kubeVersion constraint excludes
	// the site's Kubernetes version.
	ProblemKubeVersion ProblemKind = "kubeVersion"
	// ProblemCheck is a failed check on the rendered objects.
	ProblemCheck ProblemKind = "check"
	// ProblemChart says the chart itself is unusable (bad schema).
	ProblemChart ProblemKind = "chart"
	// ProblemAPI says a rendered object is not valid for the Kubernetes
	// API of the site's version; Object names it.
	ProblemAPI ProblemKind = "api"
)

// Problem is one reason a site's chart would not install as intended.
type Problem struct {
	Kind ProblemKind `json:"kind"`
	// Chart is the (sub)chart the problem is in.
	Chart string `json:"chart,omitempty"`
	// Path is the values path for schema problems.
	Path string `json:"path,omitempty"`
	// Check names the failed check for check problems.
	Check string `json:"check,omitempty"`
	// Object is the rendered object's ID for API problems.
	Object  string `json:"object,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	switch {
	case p.Path != "":
		return fmt.Sprintf("%s: %s: %s", p.Kind, p.Path, p.Message)
	case p.Check != "":
		return fmt.Sprintf("%s %s: %s", p.Kind, p.Check, p.Message)
	case p.Object != "":
		return fmt.Sprintf("%s: %s: %s", p.Kind, p.Object, p.Message)
	case p.Chart != "":
		return fmt.Sprintf("%s (%s): %s", p.Kind, p.Chart, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.Kind, p.Message)
}

// CheckStatus is the outcome of a check.
type CheckStatus string

const (
	CheckPass CheckStatus = "pass"
	CheckFail CheckStatus = "fail"
	// CheckSkip means the expectation was not set.
	CheckSkip CheckStatus = "skip"
)

// Check is the result of one check on the rendered objects.
type Check struct {
	Name   string      `json:"name"`
	Status CheckStatus `json:"status"`
	Detail string      `json:"detail,omitempty"`
}

// Check names.
const (
	CheckProxyPublic  = "proxy-public-service"
	CheckIngress      = "ingress-host-tls"
	CheckDaskGateway  = "dask-gateway-route"
	CheckNoDuplicates = "no-duplicate-objects"
)

// Object is one normalised rendered object.
type Object struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
	// Source is the chart template that produced it.
	Source string `json:"source,omitempty"`
	// Hook is the helm.sh/hook annotation, for hooks.
	Hook string `json:"hook,omitempty"`
	// CRD marks objects from a chart's crds/ directory.
	CRD bool `json:"crd,omitempty"`
	// YAML is the normalised object (sorted keys, stripped values).
	YAML string `json:"yaml"`
}

// ID identifies the object for diffing: group/kind namespace/name.
func (o Object) ID() string {
	ns := o.Namespace
	if ns == "" {
		ns = "_"
	}
	return fmt.Sprintf("%s/%s %s/%s", group(o.APIVersion), o.Kind, ns, o.Name)
}

func group(apiVersion string) string {
	for i := len(apiVersion) - 1; i >= 0; i-- {
		if apiVersion[i] == '/' {
			return apiVersion[:i]
		}
	}
	return "core"
}

// Result is a site's render: the normalised objects, problems and checks.
type Result struct {
	Site  string `json:"site"`
	Chart Info   `json:"chart"`
	// Key is the cache key: a hash of chart digest, release, values and
	// render options.
	Key      string    `json:"key"`
	Objects  []Object  `json:"objects,omitempty"`
	Problems []Problem `json:"problems,omitempty"`
	Checks   []Check   `json:"checks,omitempty"`
	// Cached says the result came from the on-disk result cache.
	Cached bool `json:"-"`
}

// OK says the render has no problems.
func (r *Result) OK() bool { return len(r.Problems) == 0 }

// Manifest returns the normalised objects as one multi-document YAML
// stream, in the stable order used for diffing.
func (r *Result) Manifest() string {
	n := 0
	for _, o := range r.Objects {
		n += len(o.YAML) + 64
	}
	b := make([]byte, 0, n)
	for _, o := range r.Objects {
		b = append(b, "---\n# "...)
		b = append(b, o.ID()...)
		b = append(b, '\n')
		b = append(b, o.YAML...)
	}
	return string(b)
}
