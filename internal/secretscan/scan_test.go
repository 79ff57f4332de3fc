package secretscan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIsSecretName(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"client_secret": true, "ClientSecret": true, "CLIENT-SECRET": true, "cookieSecret": true,
		"secretToken": true, "apiToken": true, "password": true, "DB_PASSWORD": true, "dbpassword": true,
		"AWS_SECRET_ACCESS_KEY": true, "OPENAI_API_KEY": true, "apiKey": true, "APIKey": true,
		"X_TOKEN": true, "GOOGLE_APPLICATION_CREDENTIALS": true, "SSH_PRIVATE_KEY": true, "passwd": true,
		"secretName": false, "secretKeyRef": false, "existingSecret": false, "imagePullSecrets": false,
		"imagePullSecret": false, "pullSecrets": false, "apiTokenFromSecretName": false, "secretSync": false,
		"token_url": false, "GITHUB_TOKEN_URL": false, "PASSWORD_FILE": false, "HF_TOKENIZERS_PARALLELISM": false,
		"AWS_ACCESS_KEY_ID": false, "secrets": false, "name": false, "DASK_GATEWAY__AUTH__TYPE": false, "keys": false,
		// A credential helper is a program that fetches credentials (git's
		// credential.helper), not one: a look-alike from a public hub config.
		"git-credential-helper": false, "credentialHelper": false, "GIT_CREDENTIALS": true,
	} {
		if got := IsSecretName(name); got != want {
			t.Errorf("IsSecretName(%q) = %v, want %v", name, got, want)
		}
	}
}

func rules(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Path+" "+f.Rule)
	}
	return out
}

func TestTree(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		tree  any
		file  string
		want  []string
		allow string
	}{
		{name: "env map", tree: map[string]any{"extraEnv": map[string]any{"OAUTH_CLIENT_SECRET": "s3cr3t"}},
			want: []string{"extraEnv.OAUTH_CLIENT_SECRET secret-key"}},
		{name: "env list", tree: map[string]any{"env": []any{map[string]any{"name": "X_TOKEN", "value": "abc"}, map[string]any{"name": "LANG", "value": "C"}}},
			want: []string{"env[0].value secret-key"}},
		{name: "env reference", tree: map[string]any{"extraEnv": map[string]any{"DB_PASSWORD": map[string]any{"valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "s", "key": "k"}}}}}},
		{name: "map-valued", tree: map[string]any{"password": map[string]any{"value": "hunter2"}},
			want: []string{"password.value secret-key"}},
		{name: "number", tree: map[string]any{"password": 123456}, want: []string{"password secret-key"}},
		{name: "enc outside sops", tree: map[string]any{"x": "ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]"},
			want: []string{"x sops-outside"}},
		{name: "enc in sops file", file: "overlays/a/secrets.sops.yaml", tree: map[string]any{"x": "ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]"}},
		{name: "python", tree: map[string]any{"extraConfig": map[string]any{"x": "import os\nc.GenericOAuthenticator.client_secret = \"abc123\"\n"}},
			want: []string{"extraConfig.x code-assignment"}},
		{name: "python env read passes", tree: map[string]any{"extraConfig": map[string]any{"x": "c.GenericOAuthenticator.client_secret = os.environ[\"SECRET\"]\n"}}},
		{name: "aws id", tree: map[string]any{"note": "AKIAZ5OPQRSTUV234567"}, want: []string{"note aws-access-token"}},
		{name: "hex", tree: map[string]any{"t": "3f9a1c7e5b2d4f60a8c1e3b5d7f90a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f"}, want: []string{"t high-entropy-hex"}},
		{name: "digest passes", tree: map[string]any{"image": "pangeo/notebook@sha256:3f9a1c7e5b2d4f60a8c1e3b5d7f90a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f"}},
		{name: "age recipient passes", tree: map[string]any{"r": "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"}},
		{name: "uuid passes", tree: map[string]any{"tenant": "8c9a5e1f-4b7d-4c3a-9f2e-1a2b3c4d5e6f"}},
		{name: "marked", allow: "t", tree: map[string]any{"t": "3f9a1c7e5b2d4f60a8c1e3b5d7f90a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f"}},
		{name: "url password", tree: map[string]any{"url": "postgresql://hub:Xy7pQ2@db.example.org/hub"}, want: []string{"url url-password"}},
		{name: "url password, empty user", tree: map[string]any{"u": "redis://:Xy7pQ2zz@redis:6379/0"}, want: []string{"u url-password"}},
		{name: "url without password passes", tree: map[string]any{"u": "redis://redis.example.org:6379/0", "g": "ssh://git@github.com:22/org/repo.git"}},
		{name: "url placeholder passes", tree: map[string]any{"u": "redis://:${REDIS_PASSWORD}@redis:6379/0"}},
		{name: "query token", tree: map[string]any{"u": "https://x.example.org/api?access_token=Zq8w7e6r5t4y&f=json"}, want: []string{"u url-password"}},
		{name: "value next to valueFrom", tree: map[string]any{"env": []any{map[string]any{"name": "DB_PASSWORD", "value": "hunter22", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "db", "key": "pw"}}}}},
			want: []string{"env[0].value secret-key"}},
		{name: "value next to valueFrom in a map", tree: map[string]any{"API_TOKEN": map[string]any{"value": "hunter22", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "db", "key": "pw"}}}},
			want: []string{"API_TOKEN.value secret-key"}},
		{name: "sops switch passes", tree: map[string]any{"clientSecret": map[string]any{"sops": true}}},
		{name: "sops literal", tree: map[string]any{"clientSecret": map[string]any{"sops": "hunter22"}}, want: []string{"clientSecret.sops secret-key"}},
		{name: "externalSecret literal", tree: map[string]any{"clientSecret": map[string]any{"externalSecret": "hunter22"}}, want: []string{"clientSecret.externalSecret secret-key"}},
		{name: "externalSecret reference passes", tree: map[string]any{"clientSecret": map[string]any{"externalSecret": map[string]any{"store": "vault", "key": "hub/oauth"}}}},
		{name: "registry credentials", tree: map[string]any{"buildPodsRegistryCredentials": map[string]any{"server": "https://us-central1-docker.pkg.dev", "username": "_json_key", "password": "hunter22"}},
			want: []string{"buildPodsRegistryCredentials.password secret-key"}},
		{name: "token as a key", tree: map[string]any{"custom": map[string]any{"ghp_Zq8w7e6r5t4yU1i2o3p4a5s6d7f8g9h0j1k2": map[string]any{"x": 1}}},
			want: []string{"custom.<secret-key> github-pat"}},
		{name: "flag value", tree: map[string]any{"args": []any{"--host", "db", "--password", "hunter22"}}, want: []string{"args[3] secret-key"}},
		{name: "flag equals", tree: map[string]any{"cmd": []any{"--ServerApp.password=hunter22"}}, want: []string{"cmd[0] code-assignment"}},
		{name: "json in a string", tree: map[string]any{"cfg": `{"oauth": {"client_secret": "hunter22"}}`}, want: []string{"cfg secret-key"}},
		{name: "github commit url passes", tree: map[string]any{"logo": "https://github.com/NASA-IMPACT/veda-config-disasters/blob/221dbcee3ba0411eb6306008bb5f44714276ba28/overrides/a.png?raw=true"}},
		// Look-alike of a public hub config outside the 2i2c corpus: a
		// gitconfig mounted into user servers naming a GitHub App's
		// credential helper, its public app id and the path of a key
		// mounted from elsewhere. Nothing in it is secret.
		{name: "git credential helper passes", tree: map[string]any{"singleuser": map[string]any{"extraFiles": map[string]any{"git-credential-helper": map[string]any{
			"mountPath":  "/etc/gitconfig",
			"stringData": "[credential \"https://github.com\"]\n  helper = !git-credential-github-app --app-key-file /etc/github/app-key.pem --app-id 123456\n  useHttpPath = true\n"}}}}},
		// Look-alikes of more of 2i2c's public hub configs (written here,
		// none copied): a hub.extraConfig entry whose label names a token
		// holds code, judged by what it assigns; an OAuth client id is
		// public however random; opencode's {env:VAR} only names a
		// variable.
		{name: "extraConfig label naming a token passes", tree: map[string]any{"hub": map[string]any{"extraConfig": map[string]any{
			"00-exfiltrate-token": "def hook(authenticator, auth_state):\n    print(auth_state.keys())\n    return auth_state\nc.GenericOAuthenticator.modify_auth_state_hook = hook\n"}}}},
		{name: "extraConfig label naming a token, code with a literal secret", tree: map[string]any{"hub": map[string]any{"extraConfig": map[string]any{
			"10-token": "c.GenericOAuthenticator.client_secret = \"hunter22abc\"\n"}}}, want: []string{"hub.extraConfig.10-token code-assignment"}},
		{name: "oauth client id passes", tree: map[string]any{"hub": map[string]any{"config": map[string]any{"GenericOAuthenticator": map[string]any{
			"client_id": "Qm4tX8vR2kLp9ZsW7yBn3HcJ6dFg1TaE5uVo0NiY"}}}, "singleuser": map[string]any{"extraEnv": map[string]any{"PORTAL_CLIENT_ID": "Qm4tX8vR2kLp9ZsW7yBn3HcJ6dFg1TaE5uVo0NiY"}}}},
		{name: "the same string as a client secret is found", tree: map[string]any{"GenericOAuthenticator": map[string]any{"client_secret": "Qm4tX8vR2kLp9ZsW7yBn3HcJ6dFg1TaE5uVo0NiY"}},
			want: []string{"GenericOAuthenticator.client_secret secret-key"}},
		{name: "the same string under another key is found", tree: map[string]any{"note": "Qm4tX8vR2kLp9ZsW7yBn3HcJ6dFg1TaE5uVo0NiY"}, want: []string{"note high-entropy-base64"}},
		{name: "env substitution passes", tree: map[string]any{"extraFiles": map[string]any{"tool": map[string]any{"data": map[string]any{"provider": map[string]any{"options": map[string]any{
			"apiKey": "{env:MODEL_API_KEY}", "baseURL": "https://llm.example.org/v1"}}}}}}},
		{name: "a literal api key beside it is found", tree: map[string]any{"options": map[string]any{"apiKey": "hunter22-literal"}}, want: []string{"options.apiKey secret-key"}},
		{name: "mark is exact", allow: "spec", tree: map[string]any{"spec": map[string]any{"password": "hunter22"}}, want: []string{"spec.password secret-key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := Options{File: tt.file}
			if tt.allow != "" {
				o.Allowed = func(p string) bool { return p == tt.allow }
			}
			if diff := cmp.Diff(tt.want, rules(Tree("", tt.tree, o))); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	fs := Tree("", map[string]any{"password": "hunter2-long"}, Options{})
	if got := Redact("a: hunter2-long\n", fs); got != "a: "+Mask+"\n" {
		t.Errorf("Redact = %q", got)
	}
}

func TestRedactText(t *testing.T) {
	t.Parallel()
	in := "-      password: hunter2-long\n+      password:\n       image: pangeo/x:2024.1.1\n-  token: ghp_" + strings.Repeat("aB3", 12) + "\n"
	got := RedactText(in)
	for _, leak := range []string{"hunter2-long", "ghp_aB3"} {
		if strings.Contains(got, leak) {
			t.Errorf("RedactText left %q:\n%s", leak, got)
		}
	}
	if !strings.Contains(got, "pangeo/x:2024.1.1") {
		t.Errorf("RedactText masked a non-secret:\n%s", got)
	}
}

func TestYAMLCommentsKeysAliases(t *testing.T) {
	t.Parallel()
	src := `a:
  # client_secret: hunter22-old
  client_id: hub
  keep: &k
    password: hunter22
  use: *k
  note: "\x67hp_` + "Zq8w7e6r5t4yU1i2o3p4a5s6d7f8g9h0j1k2" + `"
b: 1 # token=ghp_` + "Xq8w7e6r5t4yU1i2o3p4a5s6d7f8g9h0j1k2" + `
`
	fs, err := YAML("values.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%d %s %s", f.Line, f.Path, f.Rule))
	}
	want := []string{
		"2 a.client_id#comment secret-in-comment",
		"5 a.keep.password secret-key",
		"7 a.note github-pat",
		"8 b#comment secret-in-comment",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestStripTree(t *testing.T) {
	t.Parallel()
	tok := "ghp_" + "Zq8w7e6r5t4yU1i2o3p4a5s6d7f8g9h0j1k2"
	tree := map[string]any{
		"hub": map[string]any{
			"extraEnv":    []any{map[string]any{"name": "LANG", "value": "C"}, map[string]any{"name": "X_TOKEN", "value": "hunter22"}},
			"annotations": map[string]any{"prometheus.io/scrape": "true", "ops.example.org/api-token": "hunter22"},
			"custom":      map[string]any{tok: true, "keep": "me"},
			"args":        []any{"--password", "hunter22", "--port", "80"},
		},
	}
	fs := StripTree(tree, Options{})
	if len(fs) != 4 {
		t.Errorf("StripTree found %d, want 4: %v", len(fs), fs)
	}
	if left := Tree("", tree, Options{}); len(left) > 0 {
		t.Errorf("left after StripTree: %v", left)
	}
	want := map[string]any{
		"hub": map[string]any{
			"extraEnv":    []any{map[string]any{"name": "LANG", "value": "C"}},
			"annotations": map[string]any{"prometheus.io/scrape": "true"},
			"custom":      map[string]any{"keep": "me"},
			"args":        []any{"--password", "--port", "80"},
		},
	}
	if diff := cmp.Diff(want, tree); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
	for _, f := range fs {
		if strings.Contains(f.Path, tok) {
			t.Errorf("a finding's path spells the token: %s", f.Path)
		}
	}
}
