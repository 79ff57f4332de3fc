package verify

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestUnschedulable(t *testing.T) {
	pod := func(name string, phase corev1.PodPhase, node string, sel map[string]string, reason string) corev1.Pod {
		p := corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: "daskhub", Name: name},
			Spec:       corev1.PodSpec{NodeName: node, NodeSelector: sel},
			Status:     corev1.PodStatus{Phase: phase},
		}
		if reason != "" {
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse,
				Reason: corev1.PodReasonUnschedulable, Message: reason}}
		}
		return p
	}
	const msg = "0/5 nodes are available: 5 node(s) didn't match Pod's node affinity/selector."
	got := unschedulable([]corev1.Pod{
		pod("proxy-1", corev1.PodRunning, "core-0", nil, ""),
		pod("hub-1", corev1.PodPending, "", map[string]string{"hub.jupyter.org/node-purpose": "nowhere", "a": "b"}, msg),
		pod("starting", corev1.PodPending, "core-0", nil, ""),
		pod("just-created", corev1.PodPending, "", nil, ""),
		pod("puller", corev1.PodPending, "", nil, "0/5 nodes are available: 2 node(s) had untolerated taint."),
	})
	want := []string{
		"pod daskhub/hub-1 is Pending with node selector a=b,hub.jupyter.org/node-purpose=nowhere: " + msg,
		"pod daskhub/puller is Pending with no node selector: 0/5 nodes are available: 2 node(s) had untolerated taint.",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unschedulable (-want +got):\n%s", diff)
	}
}

func TestReleaseFailure(t *testing.T) {
	tests := []struct{ name, msg, want string }{
		{
			name: "schema",
			msg: "Helm upgrade failed for release daskhub/jupyterhub with chart jupyterhub@3.2.1: values don't meet the specifications of the schema(s) in the following chart(s):\n" +
				"jupyterhub:\n- (root): Additional property hubfleetNotAValue is not allowed\n",
			want: "the chart's values schema rejects the values: jupyterhub: - (root): Additional property hubfleetNotAValue is not allowed",
		},
		{
			name: "other",
			msg:  "Helm install failed for release daskhub/jupyterhub with chart jupyterhub@4.4.0:\ncontext deadline exceeded",
			want: "Helm install failed for release daskhub/jupyterhub with chart jupyterhub@4.4.0: context deadline exceeded",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, releaseFailure(tt.msg)); diff != "" {
				t.Errorf("releaseFailure (-want +got):\n%s", diff)
			}
		})
	}
}
