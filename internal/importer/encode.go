package importer

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/site"
)

// Encode writes a site as a site file, with a header naming its source.
func Encode(s *site.Site, source string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Imported by hubfleet from %s. Review it, then run 'hubfleet render'.\n", source)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
