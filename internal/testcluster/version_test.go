package testcluster_test

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"

	"github.com/hubfleet/hubfleet/internal/testcluster"
)

// discoveryVersion returns the API server's /version gitVersion.
func discoveryVersion(c *testcluster.Cluster) (string, error) {
	dc, err := discovery.NewDiscoveryClientForConfig(c.RestConfig())
	if err != nil {
		return "", err
	}
	v, err := dc.ServerVersion()
	if err != nil {
		return "", err
	}
	return v.GitVersion, nil
}

func schemaGVR(group, version, resource string) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: group, Version: version, Resource: resource}
}
