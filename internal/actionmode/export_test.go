package actionmode

import "github.com/hubfleet/hubfleet/internal/flux"

// WithWrite returns u writing its files through write.
func WithWrite(u ChartUpgrader, write func(root string, changes []flux.Change) error) ChartUpgrader {
	u.write = write
	return u
}
