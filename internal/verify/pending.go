package verify

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// maxPendingPods bounds how many Pending pods one result names.
const maxPendingPods = 3

// withPendingPods adds to a failed Kubernetes result the pods of the site's
// namespace that the scheduler cannot place, each with its node selector
// and the scheduler's reason: a release that waits for them times out, and
// its own message only says it timed out. A passing result, or a namespace
// without unschedulable pods, is returned as is.
func (s *siteRun) withPendingPods(ctx context.Context, r Result) Result {
	if r.Status != Fail || s.kube == nil {
		return r
	}
	pods, err := s.kube.core.pods(ctx, s.t.Namespace)
	if err != nil {
		return r // the result already says what failed; the hint is extra
	}
	pending := unschedulable(pods.Items)
	if len(pending) == 0 {
		return r
	}
	r.Detail += "; " + strings.Join(pending, "; ")
	r.Fix = "no node matches the pods' node selector or tolerates their taints: fix spec.placement in the site file (or label the node group), then " + r.Fix
	return r
}

// unschedulable describes the Pending pods the scheduler marked
// Unschedulable, sorted by name, at most maxPendingPods of them.
func unschedulable(pods []corev1.Pod) []string {
	var out []string
	for i := range pods {
		p := &pods[i]
		if p.Status.Phase != corev1.PodPending || p.Spec.NodeName != "" {
			continue
		}
		var reason string
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
				reason = c.Message
			}
		}
		if reason == "" {
			continue
		}
		out = append(out, describePending(p, reason))
	}
	sort.Strings(out)
	if len(out) > maxPendingPods {
		out = append(out[:maxPendingPods], fmt.Sprintf("and %d more Pending pods", len(out)-maxPendingPods))
	}
	return out
}

// describePending names a Pending pod, its node selector and the
// scheduler's reason.
func describePending(p *corev1.Pod, reason string) string {
	keys := make([]string, 0, len(p.Spec.NodeSelector))
	for k := range p.Spec.NodeSelector {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	sel := make([]string, 0, len(keys))
	for _, k := range keys {
		sel = append(sel, k+"="+p.Spec.NodeSelector[k])
	}
	selector := "no node selector"
	if len(sel) > 0 {
		selector = "node selector " + strings.Join(sel, ",")
	}
	return fmt.Sprintf("pod %s/%s is Pending with %s: %s", p.Namespace, p.Name, selector, clip(reason, 160))
}
