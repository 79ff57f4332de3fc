{{- define "jupyterhub.networkPolicy.renderEgressRules" -}}
{{- $root := index . 0 }}
{{- $netpol := index . 1 }}
{{- if or (or $netpol.egressAllowRules.dnsPortsCloudMetadataServer $netpol.egressAllowRules.cloudMetadataServer) $root.Values.singleuser.cloudMetadata.blockWithIptables }}
- to:
    - ipBlock:
        cidr: {{ $root.Values.singleuser.cloudMetadata.ip }}/32
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end }}
{{- if $netpol.egressAllowRules.dnsPortsKubeSystemNamespace }}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end }}
{{- if $netpol.egressAllowRules.dnsPortsPrivateIPs }}
- to:
    - ipBlock:
        cidr: 10.0.0.0/8
    - ipBlock:
        cidr: 172.16.0.0/12
    - ipBlock:
        cidr: 192.168.0.0/16
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end }}
{{- if $netpol.egressAllowRules.nonPrivateIPs }}
- to:
    - ipBlock:
        cidr: 0.0.0.0/0
        except:
          - 10.0.0.0/8
          - 172.16.0.0/12
          - 192.168.0.0/16
          {{- if not $netpol.egressAllowRules.cloudMetadataServer }}
          - {{ $root.Values.singleuser.cloudMetadata.ip }}/32
          {{- end }}
{{- end }}
{{- if $netpol.egressAllowRules.privateIPs }}
- to:
    - ipBlock:
        cidr: 10.0.0.0/8
    - ipBlock:
        cidr: 172.16.0.0/12
    - ipBlock:
        cidr: 192.168.0.0/16
{{- end }}
{{- with $netpol.egress }}
{{- . | toYaml | nindent 0 }}
{{- end }}
{{- end }}
{{- define "jupyterhub.networkPolicy" -}}
{{- $root := index . 0 }}
{{- $netpol := index . 1 }}
{{- $component := index . 2 }}
{{- $ports := index . 3 }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ index . 4 }}
  labels:
    {{- include "jupyterhub.labels" (merge (dict "componentLabel" $component) $root) | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "jupyterhub.matchLabels" (merge (dict "componentLabel" $component) $root) | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  ingress:
    {{- with $ports }}
    - ports:
        {{- range . }}
        - port: {{ . }}
        {{- end }}
      from:
        - podSelector:
            matchLabels:
              hub.jupyter.org/network-access-{{ $component }}: "true"
        {{- if eq $netpol.interNamespaceAccessLabels "accept" }}
          namespaceSelector:
            matchLabels: {}
        {{- end }}
    {{- end }}
    {{- with $netpol.ingress }}
    {{- . | toYaml | nindent 4 }}
    {{- end }}
  egress:
    {{- include "jupyterhub.networkPolicy.renderEgressRules" (list $root $netpol) | nindent 4 }}
{{- end }}
