package site

import "github.com/hubfleet/hubfleet/internal/valuetree"

// BasehubStaffSwitch is 2i2c basehub's switch (under its jupyterhub
// values) that makes its staff list admins of the hub; the list is in
// basehub's own values, never in the hub's files.
const BasehubStaffSwitch = "custom.2i2c.add_staff_user_ids_to_admin_users"

// noLoginFix is the fix of validate's "no one could log in": a site whose
// values still turn on 2i2c basehub's staff admins (an import of a basehub
// hub without the staff list, which is in basehub's own values) is told
// how to name them.
func noLoginFix(s *Site) string {
	const fix = "set allowAll: true (the provider restricts users), allowedUsers, or allowed groups"
	jh, _ := s.Spec.Values["jupyterhub"].(map[string]any)
	if valuetree.Get(jh, BasehubStaffSwitch) != true {
		return fix
	}
	return fix + "; or list the staff 2i2c's basehub made admins (spec.values.jupyterhub." + BasehubStaffSwitch + ": its list is in basehub's own values, not here) in spec.auth.admins: import with --admin NAME for each"
}
