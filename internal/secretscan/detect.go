package secretscan

import (
	"encoding/base64"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// hit is one secret-looking piece of a string.
type hit struct {
	rule, what string
	// secret is the bytes to mask; never printed.
	secret string
}

// Thresholds of the entropy detectors. Random hex carries 4 bits per
// character and random base64 up to 6; English words and identifiers
// carry much less.
const (
	minHexLen        = 32
	minHexEntropy    = 3.0
	minBase64Len     = 32
	minBase64Entropy = 4.2
	// maxBinaryBase64 is the longest base64 of binary data still judged by
	// its entropy: keys are short, images and archives are long.
	maxBinaryBase64 = 200
)

var (
	hexToken    = regexp.MustCompile(`^[0-9a-fA-F]+$`)
	base64Token = regexp.MustCompile(`^[A-Za-z0-9+/_-]+={0,2}$`)
	// codeAssign is `name = "literal"`, `name: 'literal'` and
	// `obj.attr["KEY"] = "literal"` in Python, YAML-in-strings and JSON.
	codeAssign = regexp.MustCompile(`([A-Za-z_][\w.]*(?:\[\s*["'][^"'\n]+["']\s*\])?)\s*(?:=|:)\s*[rbufRBUF]?["']([^"'\n]{3,})["']`)
	// codePair is `"NAME": "literal"` and `setdefault("NAME", "literal")`.
	codePair = regexp.MustCompile(`["']([A-Za-z_][\w.-]*)["']\s*[:,]\s*[rbufRBUF]?["']([^"'\n]{3,})["']`)
	// dotenv is `NAME=value` per line, as in .env and ini files.
	dotenv = regexp.MustCompile(`(?m)^\s*(?:export\s+)?([A-Za-z_][\w.-]*)\s*=\s*([^\s"'#]{3,})\s*$`)
	// cliFlag is `--name=value` on a command line.
	cliFlag = regexp.MustCompile(`(?:^|\s)--?([A-Za-z][\w.-]*)=([^\s"']{3,})`)
	// publicPEM is a PEM block that is not a private key.
	publicPEM = regexp.MustCompile(`-----BEGIN (CERTIFICATE|PUBLIC KEY|X509 CRL|CERTIFICATE REQUEST)-----[\s\S]*?-----END (CERTIFICATE|PUBLIC KEY|X509 CRL|CERTIFICATE REQUEST)-----`)
	// sshPublicKey is an OpenSSH public key line.
	sshPublicKey = regexp.MustCompile(`(?:ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-ssh-ed25519@openssh\.com) AAAA[0-9A-Za-z+/]+=*`)
	// digestPrefix precedes hex that is a content digest, not a secret.
	digestPrefix = regexp.MustCompile(`(?i)(sha1|sha224|sha256|sha384|sha512|md5)[:=-]$`)
	// imageBefore ends an image name right before its tag.
	imageBefore = regexp.MustCompile(`[a-z0-9][a-z0-9._-]*/[a-z0-9._/-]+:$`)
	// imageRef is an image reference whose tag may be a commit id.
	imageRef = regexp.MustCompile(`^[a-z0-9][a-z0-9._/-]*(:[0-9]+)?/[a-z0-9._/-]+:[0-9a-f]{7,40}$`)
)

// entropy is the Shannon entropy of s in bits per byte.
func entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	var h float64
	n := float64(len(s))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// detect runs every value detector over one string. key is the key that
// holds it ("" if unknown).
func detect(key, s string) []hit {
	return detectDepth(key, s, 0)
}

// digestKey are keys whose hex values are content digests or commit ids.
var digestKey = regexp.MustCompile(`(?i)(tag|digest|sha|sha256|commit|revision|checksum|hash)$`)

// minSecretLen is the shortest string any detector can match (a dotenv
// line PASSWD=abc is 10 bytes, a URL a://:pw@ 8).
const minSecretLen = 8

func detectDepth(key, s string, depth int) []hit {
	if len(s) < minSecretLen {
		return nil
	}
	var out []hit
	seen := map[string]bool{}
	add := func(h hit) {
		if h.secret == "" || seen[h.secret] {
			return
		}
		seen[h.secret] = true
		out = append(out, h)
	}
	for _, f := range formats {
		for _, m := range f.re.FindAllStringSubmatch(s, -1) {
			sec := m[f.group]
			if f.minEntropy > 0 && entropy(sec) < f.minEntropy {
				continue
			}
			if f.id == "aws-access-token" && strings.HasSuffix(sec, "EXAMPLE") {
				continue // AWS's documentation key (gitleaks allowlist)
			}
			if (f.id == "url-password" || f.id == "bearer-token") && isPlaceholder(sec) {
				continue
			}
			if f.id == "http-basic-auth" {
				if dec, ok := decodeBase64(sec); !ok || !strings.Contains(dec, ":") || !isText(dec) {
					continue
				}
			}
			add(hit{rule: f.id, what: f.what, secret: sec})
		}
	}
	// A token split over lines (a folded block, Python's implicit
	// concatenation) or written with escapes is the same token.
	if depth == 0 {
		for _, alt := range variants(s) {
			for _, f := range formats {
				for _, m := range f.re.FindAllStringSubmatch(alt, -1) {
					sec := m[f.group]
					if f.minEntropy > 0 && entropy(sec) < f.minEntropy || strings.Contains(s, sec) {
						continue
					}
					if f.id == "url-password" || f.id == "bearer-token" || f.id == "http-basic-auth" || f.id == "aws-access-token" {
						continue
					}
					add(hit{rule: f.id, what: f.what + " (split or escaped)", secret: s})
				}
			}
		}
	}
	if strings.Contains(s, "ENC[AES256_GCM,") && !strings.HasPrefix(s, "ENC[") {
		add(hit{rule: "sops-outside", what: "a SOPS-encrypted value outside a *.sops.yaml file", secret: s})
	}
	for _, re := range []*regexp.Regexp{codeAssign, codePair, dotenv, cliFlag} {
		if !strings.ContainsAny(s, "=:,") {
			break
		}
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			name, val := codeName(m[1]), m[2]
			if IsSecretName(name) && !isPlaceholder(val) {
				add(hit{rule: "code-assignment", what: "a literal assigned to " + name, secret: val})
			}
		}
	}
	// Base64 of text (hub.extraFiles binaryData, a Secret's data) is
	// decoded and scanned as text.
	if depth == 0 {
		compact := strings.Join(strings.Fields(s), "")
		if len(compact) >= 24 {
			if dec, ok := decodeBase64(compact); ok && isText(dec) {
				for _, h := range detectDepth(key, dec, 1) {
					add(hit{rule: h.rule, what: h.what + " (base64-encoded)", secret: compact})
				}
				return out
			}
		}
	}
	// Certificates and public keys are meant to be published.
	s = publicPEM.ReplaceAllString(s, "")
	s = sshPublicKey.ReplaceAllString(s, "")
	for _, tok := range tokens(s) {
		for _, t := range urlSegments(s, tok) {
			if h, ok := entropyHit(key, s, t); ok {
				add(h)
			}
		}
	}
	return out
}

// token is a run of base64 characters and where it starts.
type token struct {
	text  string
	start int
}

func tokens(s string) []token {
	var out []token
	start := -1
	for i := 0; i <= len(s); i++ {
		in := i < len(s) && isB64(s[i])
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, token{text: s[start:i], start: start})
			start = -1
		}
	}
	return out
}

// urlSegments splits a token in the path of a URL at its slashes: the
// segments of https://github.com/org/repo/blob/COMMIT/file are judged one
// by one, and a commit id (40 hex) or a digest (64 hex) there is public.
func urlSegments(s string, t token) []token {
	before := s[:t.start]
	if i := strings.LastIndexAny(before, " \t\n\"'(<"); i >= 0 {
		before = before[i+1:]
	}
	if !strings.Contains(before, "://") && !strings.HasSuffix(before, "/") || !strings.Contains(t.text, "/") {
		return []token{t}
	}
	var out []token
	off := t.start
	for _, seg := range strings.Split(t.text, "/") {
		if !(hexToken.MatchString(seg) && (len(seg) == 40 || len(seg) == 64)) {
			out = append(out, token{text: seg, start: off})
		}
		off += len(seg) + 1
	}
	return out
}

func isB64(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '_' || c == '-' || c == '='
}

func entropyHit(key, s string, t token) (hit, bool) {
	tok := strings.Trim(t.text, "/-_")
	if isPublicID(key) {
		return hit{}, false
	}
	switch {
	case len(tok) >= minHexLen && hexToken.MatchString(tok):
		if digestPrefix.MatchString(s[:t.start]) || imageRef.MatchString(s) || digestKey.MatchString(key) ||
			len(tok) <= 40 && imageBefore.MatchString(s[:t.start]) {
			return hit{}, false
		}
		if entropy(tok) >= minHexEntropy {
			return hit{rule: "high-entropy-hex", what: "a long random hex string", secret: tok}, true
		}
	case len(tok) >= minBase64Len && base64Token.MatchString(tok):
		if !mixed(tok) || entropy(tok) < minBase64Entropy {
			return hit{}, false
		}
		if dec, ok := decodeBase64(tok); ok && !isText(dec) && len(tok) > maxBinaryBase64 {
			return hit{}, false
		}
		return hit{rule: "high-entropy-base64", what: "a long random base64 string", secret: tok}, true
	}
	return hit{}, false
}

// mixed reports whether s has upper- and lower-case letters and digits,
// as random base64 does and identifiers and words rarely do.
func mixed(s string) bool {
	var up, low, dig bool
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			up = true
		case unicode.IsLower(r):
			low = true
		case unicode.IsDigit(r):
			dig = true
		}
	}
	return up && low && dig
}

func decodeBase64(s string) (string, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return string(b), true
		}
	}
	return "", false
}

// isText reports whether b is printable UTF-8 text.
func isText(b string) bool {
	if b == "" || !utf8.ValidString(b) {
		return false
	}
	bad := 0
	for _, r := range b {
		if !unicode.IsPrint(r) && !unicode.IsSpace(r) {
			bad++
		}
	}
	return bad*20 < utf8.RuneCountInString(b)
}

// codeName is the name a code assignment sets: the last attribute of
// c.GenericOAuthenticator.client_secret, the key of os.environ["X"].
func codeName(lhs string) string {
	if i := strings.IndexByte(lhs, '['); i >= 0 {
		return strings.Trim(lhs[i+1:], `[]"' `)
	}
	if i := strings.LastIndexByte(lhs, '.'); i >= 0 {
		return lhs[i+1:]
	}
	return lhs
}

// placeholderRE are values that only refer to a secret: ${VAR}, $VAR,
// {{ template }}, {name}, {env:VAR} and {file:path} (opencode's and
// other tools' substitutions), <your-secret>, os.environ lookups.
var placeholderRE = regexp.MustCompile(`^(?:\{(?:env|file):[^{}]+\}|\$\{[^}]*\}|\$\(?[A-Za-z_][A-Za-z0-9_]*\)?|\$\{\{.*\}\}|\{\{.*\}\}|\{[A-Za-z_][\w.]*\}|<[^<>]*>|os\.environ.*|os\.getenv.*|ENC\[.*)$`)

// isPlaceholder reports values that only refer to a secret: environment
// lookups, templates, redactions.
func isPlaceholder(v string) bool {
	v = strings.TrimSpace(v)
	return v == "" || strings.Trim(v, "*xX.") == "" || placeholderRE.MatchString(v)
}

var (
	// splitJoin joins the parts of a string split over lines or by
	// concatenation: "ghp_ab" "cd", "ghp_ab" + "cd", a folded block.
	splitJoin = regexp.MustCompile(`["']\s*\+?\s*\\?\s*["']|\s+`)
	escapes   = regexp.MustCompile(`\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\U[0-9a-fA-F]{8}`)
)

// variants are other spellings of s to look for known formats in: with
// the splits joined, and with Python/JSON escapes decoded.
func variants(s string) []string {
	var out []string
	if !strings.ContainsAny(s, " \t\n\"'\\") {
		return nil
	}
	if j := splitJoin.ReplaceAllString(s, ""); j != s {
		out = append(out, j)
	}
	if escapes.MatchString(s) {
		u := escapes.ReplaceAllStringFunc(s, func(e string) string {
			n, err := strconv.ParseUint(e[2:], 16, 32)
			if err != nil {
				return e
			}
			return string(rune(n))
		})
		out = append(out, u, splitJoin.ReplaceAllString(u, ""))
	}
	return out
}
