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
// Base64 values (hub.extraFiles binaryData) are decoded and the decoded
// text is scanned too.
//
// Look-alikes pass: image digests (sha256:...), UUIDs, public age
// recipients (age1...), host names, Secret names and references
// (existingSecret, secretKeyRef, valueFrom). A value that trips the
// detector but is not secret is marked by its path (Options.Allowed).
package secretscan
