package importer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// ClusterHub is one hub of an operator's cluster file.
type ClusterHub struct {
	// Name is the hub's name; 2i2c runs each hub in a namespace of that name.
	Name string
	// Domain is the hub's host.
	Domain string
	// Chart is the operator's chart for the hub (2i2c: basehub, daskhub).
	Chart string
	// Provider is the cluster's cloud (2i2c cluster.yaml provider: aws,
	// gcp, azure, kubeconfig), "" when the file does not say.
	Provider string
	// Files are the hub's values files that exist, in merge order.
	Files []string
	// Missing are listed files that are not there (encrypted files are
	// often left out of a copy).
	Missing []string
}

// ReadClusterFile reads 2i2c's cluster.yaml layout: hubs[] with name,
// domain, helm_chart and helm_chart_values_files (relative to the file).
func ReadClusterFile(path, hub string) (*ClusterHub, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cf struct {
		Provider string `yaml:"provider"`
		Hubs     []struct {
			Name   string   `yaml:"name"`
			Domain string   `yaml:"domain"`
			Chart  string   `yaml:"helm_chart"`
			Files  []string `yaml:"helm_chart_values_files"`
		} `yaml:"hubs"`
	}
	if err := yaml.Unmarshal(b, &cf); err != nil {
		return nil, fmt.Errorf("%s: not valid YAML: %w", path, err)
	}
	var names []string
	for _, h := range cf.Hubs {
		names = append(names, h.Name)
		if h.Name != hub {
			continue
		}
		out := &ClusterHub{Name: h.Name, Domain: h.Domain, Chart: h.Chart, Provider: cf.Provider}
		dir := filepath.Dir(path)
		for _, f := range h.Files {
			p := filepath.Join(dir, f)
			if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
				out.Missing = append(out.Missing, p)
				continue
			} else if err != nil {
				return nil, err
			}
			out.Files = append(out.Files, p)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s: no hub %q under hubs (the file lists %s): pass --hub", path, hub, strings.Join(names, ", "))
}
