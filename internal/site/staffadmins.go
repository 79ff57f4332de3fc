package site

import "github.com/hubfleet/hubfleet/internal/valuetree"

// noLoginFix is the fix of validate's "no one could log in": a site whose
// values still turn on 2i2c basehub's staff admins (an import of a basehub
// hub without the staff list, which is in basehub's own values) is told
// how to name them.
func noLoginFix(s *Site) string {
	const fix = "set allowAll: true (the provider restricts users), allowedUsers, or allowed groups"
	jh, _ := s.Spec.Values["jupyterhub"].(map[string]any)
	if valuetree.Get(jh, "custom.2i2c.add_staff_user_ids_to_admin_users") != true {
		return fix
	}
	return fix + "; or list the staff 2i2c's basehub made admins (spec.values.jupyterhub.custom.2i2c.add_staff_user_ids_to_admin_users: its list is in basehub's own values, not here) in spec.auth.admins: import with --admin NAME for each"
}
