package importer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hubfleet/hubfleet/internal/site"
)

// 2i2c's basehub makes its own staff admins of a hub that turns on
// custom.2i2c.add_staff_user_ids_to_admin_users: its hub.extraConfig sets
// c.Authenticator.admin_users to custom.2i2c.staff_<type>_ids (type:
// add_staff_user_ids_of_type) followed by the hub's own
// hub.config.Authenticator.admin_users. The staff list lives in basehub's
// own chart values, not in the hub's files: import cannot see who these
// admins are, so it never invents them, and never drops them silently. It
// asks for them (Options.Admins, `hubfleet import --admin NAME`), as it
// asks for deploy-time placeholders (--set) and the client id
// (--client-id).
var (
	staffSwitchPath = dotted("jupyterhub." + site.BasehubStaffSwitch)
	staffTypePath   = dotted("jupyterhub.custom.2i2c.add_staff_user_ids_of_type")
)

// AdminFlag is the command-line flag that gives Options.Admins: messages
// name it, so that the next step is exact.
const AdminFlag = "--admin"

// staffAdminsIn reports whether z2jh values (hub:, custom:, ... at the
// top, as a chart passes them to z2jh) turn on 2i2c basehub's staff
// admins, and the staff id type basehub reads (github, google, cilogon,
// ...; "" when unset, which basehub reads as an empty list).
func staffAdminsIn(jh map[string]any) (on bool, idType string) {
	v, _ := getPath(jh, staffSwitchPath[1:])
	t, _ := getPath(jh, staffTypePath[1:])
	s, _ := t.(string)
	return v == true, s
}

// StaffAdminsShadowedBy is the traitlets section (GenericOAuthenticator,
// OAuthenticator, ...) whose admin_users the authenticator of z2jh values
// reads instead of Authenticator.admin_users, or "" when it reads
// Authenticator's. basehub writes its staff admins into
// c.Authenticator.admin_users; a more specific class's section wins over
// it wholesale (traitlets merges a class's sections from the most general
// to the most specific), so those staff are not admins on such a hub.
func StaffAdminsShadowedBy(jh map[string]any) string {
	jh = withLegacyAuth(jh)
	class := fmt.Sprint(get(jh, "hub", "config", "JupyterHub", "authenticator_class"))
	if class == "<nil>" {
		class = "dummy"
	}
	a := &site.Auth{Provider: site.ProviderOfClass(class)}
	if a.Provider == "" {
		a.Provider, a.Class = site.AuthCustom, class
	}
	for _, sec := range configSections(site.ClassOf(a)) {
		if sec == "Authenticator" {
			return ""
		}
		if _, ok := getPath(jh, Path{"hub", "config", sec, "admin_users"}); ok {
			return sec
		}
	}
	return ""
}

// staffAdmins handles basehub's staff admins, before rest() passes the
// remaining values through. With the admins given (Options.Admins), they
// join spec.auth.admins, reported as operator-supplied; on the upstream
// route they replace the switch (migrated), on the owner route the switch
// stays kept (the owners' chart still reads it and adds its own list).
// Without them, the site is written as it is and the report asks for them.
func (im *importer) staffAdmins() error {
	jh, _ := im.v[staffSwitchPath[0]].(map[string]any)
	on, idType := staffAdminsIn(jh)
	if !on {
		if len(im.opts.Admins) > 0 {
			return fmt.Errorf("%s gives the admins 2i2c's basehub adds from its own staff list (jupyterhub.custom.2i2c.add_staff_user_ids_to_admin_users: true), and these values do not turn that on: their own admins are imported as they are; leave %s out, and add any other admin to spec.auth.admins in the site file", AdminFlag, AdminFlag)
		}
		return nil
	}
	if im.adminsShadow != "" {
		if len(im.opts.Admins) > 0 {
			return fmt.Errorf("%s gives the admins 2i2c's basehub adds from its own staff list, and on this hub that list has no effect: basehub adds it to Authenticator.admin_users, and the hub's %s.admin_users wins over that section (traitlets reads the most specific class): leave %s out", AdminFlag, im.adminsShadow, AdminFlag)
		}
		for _, p := range []Path{staffSwitchPath, staffTypePath} {
			if _, ok := im.take(p); ok {
				im.note(Dropped, p, "basehub's staff admins had no effect on this hub: basehub adds them to Authenticator.admin_users, and %s.admin_users wins over that section (traitlets reads the most specific class); removed, so that they do not become admins now that the admins are written to Authenticator.admin_users (spec.auth.admins)", im.adminsShadow)
			}
		}
		return nil
	}
	list := "custom.2i2c.staff_" + idType + "_ids"
	if idType == "" {
		list = "custom.2i2c.staff_<type>_ids, with no type set: an empty list"
	}
	what := fmt.Sprintf("2i2c's basehub makes its staff admins of this hub (%s ids, from its own chart values: %s), which these files do not hold", orAny(idType), list)
	given := im.opts.Admins
	for i, n := range given {
		if strings.TrimSpace(n) == "" || n != strings.TrimSpace(n) {
			return fmt.Errorf("%s %q (the %d. one): write one user name, without spaces around it", AdminFlag, n, i+1)
		}
	}
	a := &im.s.Spec.Auth
	if len(given) == 0 {
		ask := fmt.Sprintf("give them with %s NAME, once per name (e.g. %s alice %s bob); they go to spec.auth.admins", AdminFlag, AdminFlag, AdminFlag)
		if im.owner == nil {
			im.remark("%s: %s; the upstream jupyterhub chart ignores the switch (kept as is, inert), so on this site they are not admins: %s", im.input(staffSwitchPath), what, ask)
		} else {
			im.remark("%s: %s; the owners' chart still adds them (kept), but hubfleet cannot see who they are, and validate counts none of them: if they are the only ones who may log in, %s", im.input(staffSwitchPath), what, ask)
		}
		im.asks = append(im.asks, fmt.Sprintf("basehub's staff admins are not in these files: run import again with %s NAME for each of them (%s ids, the list in basehub's values at %s)", AdminFlag, orAny(idType), list))
		return nil
	}
	var added []string
	for _, n := range given {
		if !slices.Contains(a.Admins, n) {
			a.Admins = append(a.Admins, n)
			added = append(added, n)
		}
	}
	if im.owner == nil {
		for _, p := range []Path{staffSwitchPath, staffTypePath} {
			if _, ok := im.take(p); ok {
				im.note(Migrated, p, "basehub's staff admins: replaced by the admins given with %s, in spec.auth.admins (the upstream jupyterhub chart does not read custom.2i2c)", AdminFlag)
			}
		}
	}
	how := "they stand for that list on the upstream charts"
	if im.owner != nil {
		how = "the owners' chart still adds its own list to these (custom.2i2c is kept): given so that the site names who may log in"
	}
	note := fmt.Sprintf("%s: given with %s, operator-supplied, not read from the values: %s; %s; import cannot check them against that list", strings.Join(given, ", "), AdminFlag, what, how)
	if len(added) < len(given) {
		note += "; already admins in the values: " + strings.Join(subtract(given, added), ", ")
	}
	im.items = append(im.items, Item{Action: Supplied, Path: "spec.auth.admins", Note: note})
	return nil
}

func orAny(idType string) string {
	if idType == "" {
		return "no"
	}
	return idType
}

// subtract is a without the elements of b, in a's order.
func subtract(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// BasehubStaffAdmins reports whether merged values, in whatever layout
// (z2jh keys at the top or under jupyterhub:, basehub:, ...), turn on
// 2i2c basehub's staff admins, and the section whose admin_users shadows
// them ("" when none does: they are admins): what import says of them
// follows from this.
func BasehubStaffAdmins(merged map[string]any) (on bool, shadowedBy string) {
	if on, _ := staffAdminsIn(merged); on {
		return true, StaffAdminsShadowedBy(merged)
	}
	for _, k := range sortedKeys(merged) {
		if m, ok := merged[k].(map[string]any); ok {
			if on, sh := BasehubStaffAdmins(m); on {
				return on, sh
			}
		}
	}
	return false, ""
}
