package upgrade

import "github.com/hubfleet/hubfleet/internal/flux"

// WithWrite returns u writing its files through write.
func WithWrite(u Upgrader, write func(root string, changes []flux.Change) error) Upgrader {
	u.write = write
	return u
}
