package secretscan

import (
	"strings"
	"unicode"
)

// words splits a key into upper-case words: camelCase, snake_case,
// kebab-case and dotted keys all split the same way, so ClientSecret,
// client_secret and CLIENT-SECRET are one name.
func words(key string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToUpper(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(key)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
			continue
		case unicode.IsUpper(r) && len(cur) > 0:
			prevLower := unicode.IsLower(cur[len(cur)-1]) || unicode.IsDigit(cur[len(cur)-1])
			// The end of an acronym: "APIKey" splits as API, Key.
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(cur[len(cur)-1])
			if prevLower || nextLower {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return out
}

// secretWords are the words that make a name secret. A word also counts
// when it ends a fused word (DBPASSWORD, APITOKEN, CLIENTSECRET).
var secretWords = []string{"SECRET", "TOKEN", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIALS", "CREDENTIAL"}

// keyQualifiers make KEY secret: API_KEY, ACCESS_KEY, PRIVATE_KEY.
var keyQualifiers = map[string]bool{"API": true, "ACCESS": true, "PRIVATE": true, "SIGNING": true, "ENCRYPTION": true}

// referenceLast are last words of names whose value points at a secret
// (or is about one) instead of holding it: secretName, secretKeyRef,
// TOKEN_URL, PASSWORD_FILE, secretSync, token_lifetime.
var referenceLast = map[string]bool{
	"NAME": true, "NAMES": true, "REF": true, "URL": true, "URI": true, "FILE": true,
	"PATH": true, "DIR": true, "SYNC": true, "TYPE": true, "ENABLED": true, "LIFETIME": true,
	"EXPIRY": true, "EXPIRES": true, "TTL": true, "HEADER": true, "ENDPOINT": true,
	"LENGTH": true, "FORMAT": true, "ID": true, "IDS": true, "MODE": true, "CLAIM": true, "SCOPE": true, "SCOPES": true,
	"HELPER": true, // git's credential helper: the program that fetches them
}

// referenceKeys are keys that always hold references: a Secret's name or
// a value source, never the value itself.
var referenceKeys = map[string]bool{
	"IMAGE PULL SECRET": true, "IMAGE PULL SECRETS": true, "PULL SECRETS": true,
	"EXISTING SECRET": true, "NOT SECRET": true,
}

// IsSecretName reports whether a key or environment variable name says its
// value is secret. The rule is case-insensitive and spelling-insensitive.
func IsSecretName(key string) bool {
	ws := words(key)
	if len(ws) == 0 || referenceKeys[strings.Join(ws, " ")] || referenceLast[ws[len(ws)-1]] {
		return false
	}
	for _, w := range ws {
		if w == "FROM" || w == "EXISTING" || w == "NOT" {
			return false
		}
	}
	for i, w := range ws {
		for _, s := range secretWords {
			if w == s || strings.HasSuffix(w, s) {
				return true
			}
		}
		switch w {
		case "APIKEY", "ACCESSKEY", "PRIVATEKEY", "SECRETKEY":
			return true
		case "KEY":
			if i > 0 && keyQualifiers[ws[i-1]] {
				return true
			}
		}
	}
	return false
}

// isSecretPath adds the paths whose last key alone says too little:
// CryptKeeper.keys (the auth-state encryption keys).
// A docker config's auths.<registry>.auth is base64 of user:password.
func isSecretPath(path string) bool {
	p := strings.ToLower(path)
	return strings.HasSuffix(p, "cryptkeeper.keys") ||
		strings.HasSuffix(p, ".auth") && (strings.HasPrefix(p, "auths.") || strings.Contains(p, ".auths."))
}

// isReferenceMap reports whether a map under a secret-named key is a
// reference to a secret rather than the secret: an EnvVar's valueFrom, a
// secretKeyRef, an External Secrets reference or a SOPS switch.
func isReferenceMap(m map[string]any) bool {
	for _, k := range []string{"valueFrom", "secretKeyRef", "secretRef", "externalSecret", "sops", "existingSecret"} {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

// isReferencePath reports chart paths whose secret-sounding key holds
// Secret names: z2jh's proxy.https.secret {name, key, crt}.
func isReferencePath(path string) bool {
	return strings.HasSuffix(path, "https.secret")
}

// SuggestKey turns the key a finding names into a key for
// `hubfleet secret set --key`: lower-case words joined by '-', with the
// parent key in front of a bare word (db.password -> db-password).
func SuggestKey(path string) string {
	parts := splitPath(path)
	if len(parts) == 0 {
		return "secret"
	}
	last := parts[len(parts)-1]
	ws := words(last)
	if len(ws) == 1 && len(parts) > 1 {
		ws = append(words(parts[len(parts)-2]), ws...)
	}
	if len(ws) == 0 {
		return "secret"
	}
	return strings.ToLower(strings.Join(ws, "-"))
}

// splitPath splits a dotted values path into keys, dropping list indexes.
func splitPath(path string) []string {
	var out []string
	for _, p := range strings.Split(path, ".") {
		if i := strings.IndexByte(p, '['); i >= 0 {
			p = p[:i]
		}
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// isCodeEntry reports a path of z2jh's hub.extraConfig (or a chart's
// extraConfig like it): a map of Python snippets whose keys are labels
// (00-exfiltrate-token), not the names of what the code holds. The code
// is scanned by the value detectors (a literal assigned to a secret
// name), whatever its label.
func isCodeEntry(path string) bool {
	parts := splitPath(path)
	return len(parts) >= 2 && parts[len(parts)-2] == "extraConfig"
}

// isPublicID reports keys whose values are public by design: an OAuth
// client id travels in every authorize URL (client_id, clientId,
// JHE_CLIENT_ID), however random it looks.
func isPublicID(key string) bool {
	ws := words(key)
	return len(ws) >= 2 && ws[len(ws)-1] == "ID" && ws[len(ws)-2] == "CLIENT"
}
