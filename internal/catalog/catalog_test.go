package catalog

import "testing"

func TestJupyterHubFallsBackWithinMajor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		chart     string
		wantOAuth uint64
		wantKnown bool
		wantJH    string
	}{
		{name: "known 3.x", chart: "3.2.1", wantOAuth: 16, wantKnown: true, wantJH: "4.0.2"},
		{name: "unknown 3.x patch", chart: "3.2.5", wantOAuth: 16},
		{name: "known 4.x", chart: "4.4.0", wantOAuth: 17, wantKnown: true, wantJH: "5.5.0"},
		{name: "unknown 4.x", chart: "4.9.0", wantOAuth: 17},
		{name: "garbage", chart: "x", wantOAuth: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := JupyterHub(tt.chart)
			if got.OAuthenticatorMajor() != tt.wantOAuth || got.Known != tt.wantKnown || got.JupyterHub != tt.wantJH {
				t.Errorf("JupyterHub(%q) = %+v, want OAuth major %d, known %v, JupyterHub %q", tt.chart, got, tt.wantOAuth, tt.wantKnown, tt.wantJH)
			}
		})
	}
}

func TestIDTokenGroupsNeedOAuthenticator163(t *testing.T) {
	t.Parallel()
	if JupyterHub("3.2.1").OAuthenticatorAtLeast("16.3.0") {
		t.Error("3.2.1 ships OAuthenticator 16.2.1, which has no userdata_from_id_token")
	}
	if !JupyterHub("3.3.8").OAuthenticatorAtLeast("16.3.0") {
		t.Error("3.3.8 ships OAuthenticator 16.3.1")
	}
}

func TestGatewayCRDGenerationChangesAt2025(t *testing.T) {
	t.Parallel()
	if Gateway("2024.1.0").CRDGeneration == Gateway("2026.3.0").CRDGeneration {
		t.Error("dask-gateway 2025.4 changed its CRDs; generations must differ")
	}
	if got := Umbrella("2024.1.1"); got.JupyterHub != "3.2.1" || got.DaskGateway != "2024.1.0" || !got.Known {
		t.Errorf("Umbrella(2024.1.1) = %+v", got)
	}
}
