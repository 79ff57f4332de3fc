package catalog

import "testing"

func TestDeclaredFactsAreKnown(t *testing.T) {
	if IsKnown("jupyterhub", "4.5.7") {
		t.Fatal("jupyterhub 4.5.7 is known before it is declared")
	}
	Declare([]JupyterHubRelease{{Chart: "4.5.7", JupyterHub: "5.6.0", OAuthenticator: "17.5.0", KubeMin: "1.28.0"}}, nil, nil)
	if r := JupyterHub("4.5.7"); !r.Known || r.OAuthenticator != "17.5.0" {
		t.Errorf("declared jupyterhub 4.5.7 = %+v, want known with OAuthenticator 17.5.0", r)
	}
	if IsBuiltIn("jupyterhub", "4.5.7") || !IsBuiltIn("jupyterhub", "4.4.0") {
		t.Error("IsBuiltIn counts a declared version, or misses a built-in one")
	}
	if r := JupyterHub("4.4.0"); r.OAuthenticator != "17.4.0" {
		t.Errorf("a built-in version changed: %+v", r)
	}
}
