package catalog

import "testing"

func TestDeclaredFactsAreKnownAndReplaced(t *testing.T) {
	if IsKnown("jupyterhub", "4.5.0") {
		t.Fatal("jupyterhub 4.5.0 is known before it is declared")
	}
	Declare([]JupyterHubRelease{{Chart: "4.5.0", JupyterHub: "5.6.0", OAuthenticator: "17.5.0", KubeMin: "1.28.0"}}, nil, nil)
	if r := JupyterHub("4.5.0"); !r.Known || r.OAuthenticator != "17.5.0" {
		t.Errorf("declared jupyterhub 4.5.0 = %+v, want known with OAuthenticator 17.5.0", r)
	}
	if r := JupyterHub("4.4.0"); r.OAuthenticator != "17.4.0" {
		t.Errorf("a built-in version changed: %+v", r)
	}
	Declare(nil, nil, nil)
	if IsKnown("jupyterhub", "4.5.0") {
		t.Error("a declaration outlives the next fleet's")
	}
}
