// Package secretscan finds plain-text secrets in configuration values
// before they reach git. It is the one place hubfleet decides what looks
// like a secret; validate, render, import, plan and check-secrets all ask
// it.
//
// The guard has layers, each reported as a Finding with a rule id:
//
//   - secret-key: a literal value (a string or number, or a map or list
//     holding one) at a key whose name says it is secret, in any case and
//     spelling: cookieSecret, ClientSecret, client_secret, DB_PASSWORD,
//     AWS_SECRET_ACCESS_KEY, CryptKeeper.keys. Environment variables are
//     names too, in map form (extraEnv: {NAME: value}) and in list form
//     ([{name: NAME, value: value}]);
//   - sops-outside: an ENC[...] value outside a *.sops.yaml file, which SOPS
//     never encrypted;
//   - known formats, ported from the gitleaks rules (see formats.go): AWS
//     access key ids, GitHub, GitLab, Slack, Stripe, Google and Hugging Face
//     tokens, Azure client secrets, JWTs, PEM private keys, age secret keys,
//     and passwords in URLs;
//   - code-assignment: a literal assigned to a secret-named variable,
//     attribute or dictionary key inside code (hub.extraConfig Python) or a
//     dotenv/ini text;
//   - high-entropy-hex and high-entropy-base64: long random-looking tokens.
//
// Base64 values (hub.extraFiles binaryData, !!binary blocks) are decoded
// and the decoded text is scanned too; so are JSON and YAML documents held
// in strings (a docker config.json, a config file in a literal block), and
// known tokens split over lines or written with escapes.
//
// Node (and YAML, YAMLWith) scans a file as written: every scalar, every
// mapping key (a token used as a key is a finding; paths show it as
// KeyMask), every comment (RuleSecretComment), every document, anchors
// where they are defined. Tree scans a decoded values tree with the same
// walker; StripTree removes what it finds. Findings never hold the secret
// outside Finding.Secret, which is for masking.
//
// Look-alikes pass: image digests (sha256:...), commit ids in URL paths,
// UUIDs, public age recipients (age1...), host names, placeholders
// (${VAR}, {{ template }}), Secret names and references (existingSecret,
// secretKeyRef, a valueFrom mapping; a literal beside one is still a
// finding), the server and user name beside a credential. A value that
// trips the detector but is not secret is marked by its exact path
// (Options.Allowed is asked for each finding's path).
package secretscan
