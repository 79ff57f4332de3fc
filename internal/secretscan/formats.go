package secretscan

import "regexp"

// format is a known secret format.
type format struct {
	id, what string
	re       *regexp.Regexp
	// group is the submatch holding the secret (0: the whole match).
	group int
	// minEntropy rejects low-entropy matches (placeholders), as gitleaks'
	// entropy field does.
	minEntropy float64
}

// formats is a subset of the gitleaks default rules (config/gitleaks.toml
// of github.com/zricethezav/gitleaks/v8 at v8.28.0), ported because the
// gitleaks module pulls in archive, WebAssembly and terminal-UI
// dependencies a config tool has no use for. Each entry keeps the gitleaks
// rule id and regular expression; "age-secret-key" and "url-password" are
// hubfleet's own.
var formats = []format{
	{id: "aws-access-token", what: "an AWS access key id",
		re: regexp.MustCompile(`\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b`), group: 1, minEntropy: 3},
	{id: "github-pat", what: "a GitHub personal access token",
		re: regexp.MustCompile(`ghp_[0-9a-zA-Z]{36}`), minEntropy: 3},
	{id: "github-fine-grained-pat", what: "a GitHub fine-grained personal access token",
		re: regexp.MustCompile(`github_pat_\w{82}`), minEntropy: 3},
	{id: "github-oauth", what: "a GitHub OAuth access token",
		re: regexp.MustCompile(`gho_[0-9a-zA-Z]{36}`), minEntropy: 3},
	{id: "github-app-token", what: "a GitHub App token",
		re: regexp.MustCompile(`(?:ghu|ghs)_[0-9a-zA-Z]{36}`), minEntropy: 3},
	{id: "github-refresh-token", what: "a GitHub refresh token",
		re: regexp.MustCompile(`ghr_[0-9a-zA-Z]{36}`), minEntropy: 3},
	{id: "gitlab-pat", what: "a GitLab personal access token",
		re: regexp.MustCompile(`glpat-[\w-]{20}`), minEntropy: 3},
	{id: "slack-bot-token", what: "a Slack bot token",
		re: regexp.MustCompile(`xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*`), minEntropy: 3},
	{id: "slack-webhook-url", what: "a Slack webhook URL",
		re: regexp.MustCompile(`(?:https?://)?hooks.slack.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56}`)},
	{id: "stripe-access-token", what: "a Stripe key",
		re: regexp.MustCompile(`\b((?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99})(?:[\x60'"\s;]|\\[nr]|$)`), group: 1, minEntropy: 2},
	{id: "gcp-api-key", what: "a Google API key",
		re: regexp.MustCompile(`\b(AIza[\w-]{35})(?:[\x60'"\s;]|\\[nr]|$)`), group: 1, minEntropy: 4},
	{id: "azure-ad-client-secret", what: "an Azure AD client secret",
		re: regexp.MustCompile(`(?:^|[\\'"\x60\s>=:(,)])([a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34})(?:$|[\\'"\x60\s<),])`), group: 1, minEntropy: 3},
	{id: "huggingface-access-token", what: "a Hugging Face token",
		re: regexp.MustCompile(`\b(hf_(?i:[a-z]{34}))(?:[\x60'"\s;]|\\[nr]|$)`), group: 1, minEntropy: 2},
	{id: "jwt", what: "a JSON Web Token",
		re: regexp.MustCompile(`\b(ey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9\/\\_-]{17,}\.(?:[a-zA-Z0-9\/\\_-]{10,}={0,2})?)(?:[\x60'"\s;]|\\[nr]|$)`), group: 1, minEntropy: 3},
	{id: "private-key", what: "a PEM private key",
		re: regexp.MustCompile(`(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S-]{64,}?KEY(?: BLOCK)?-----`)},
	{id: "age-secret-key", what: "an age secret key",
		re: regexp.MustCompile(`AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}`)},
	{id: "url-password", what: "a password in a URL",
		re: regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@'"]*:([^/\s@'"]+)@`), group: 1},
	{id: "url-password", what: "a password in a URL query or connection string",
		re: regexp.MustCompile(`(?i)(?:[?&;"'(,]|[ \t])(?:password|passwd|pwd|pass|secret|token|access_token|api_key|apikey|client_secret|sig|x-amz-signature)=([^&;\s"')#,]{3,})`), group: 1},
	{id: "http-basic-auth", what: "HTTP basic-auth credentials",
		re: regexp.MustCompile(`(?i)\bbasic\s+([A-Za-z0-9+/]{8,}={0,2})(?:[^A-Za-z0-9+/=]|$)`), group: 1},
	{id: "bearer-token", what: "a bearer token",
		re: regexp.MustCompile(`(?i)\bbearer\s+([A-Za-z0-9._~+/-]{16,}=*)`), group: 1, minEntropy: 3},
}
