package site

import "strings"

// entryPointClasses are the config sections (class names) of
// authenticators named by their entry point, for the classes hubfleet has
// no type for: JupyterHub loads authenticator_class "tmp" as
// tmpauthenticator.TmpAuthenticator, which reads c.TmpAuthenticator.
var entryPointClasses = map[string]string{
	"tmp":   "TmpAuthenticator",
	"null":  "NullAuthenticator",
	"lti11": "LTI11Authenticator",
	"lti13": "LTI13Authenticator",
}

// sectionOfEntryPoint is the config section of a custom authenticator
// named by an entry point: the known class, else Authenticator, the
// section every authenticator reads (an entry point name, lowercase by
// convention, is no section of its own: z2jh's schema refuses it under
// hub.config). ok is false for a class name (dotted or capitalised).
func sectionOfEntryPoint(class string) (section string, ok bool) {
	if strings.Contains(class, ".") || class == "" || strings.ToLower(class[:1]) != class[:1] {
		return "", false
	}
	if c, known := entryPointClasses[class]; known {
		return c, true
	}
	return "Authenticator", true
}
