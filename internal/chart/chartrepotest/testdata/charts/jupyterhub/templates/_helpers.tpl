{{- define "jupyterhub.appLabel" -}}{{ .Values.nameOverride | default .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end }}
{{- define "jupyterhub.componentLabel" -}}
{{- $file := .Template.Name | base | trimSuffix ".yaml" -}}
{{- $parent := .Template.Name | dir | base | trimPrefix "templates" -}}
{{- $component := .componentLabel | default $parent | default $file -}}
{{- $component := print (.componentPrefix | default "") $component (.componentSuffix | default "") -}}
{{ $component }}
{{- end }}
{{- define "jupyterhub.commonLabels" -}}
app: {{ .appLabel | default (include "jupyterhub.appLabel" .) | quote }}
release: {{ .Release.Name | quote }}
{{- if not .matchLabels }}
chart: {{ .Chart.Name }}-{{ .Chart.Version | replace "+" "_" }}
heritage: {{ .Release.Service }}
app.kubernetes.io/name: {{ .appLabel | default (include "jupyterhub.appLabel" .) | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version | replace "+" "_" }}
{{- end }}
{{- end }}
{{- define "jupyterhub.labels" -}}
component: {{ include "jupyterhub.componentLabel" . }}
app.kubernetes.io/component: {{ include "jupyterhub.componentLabel" . }}
{{ include "jupyterhub.commonLabels" . }}
{{- end }}
{{- define "jupyterhub.matchLabels" -}}
{{- $_ := merge (dict "matchLabels" true) . -}}
component: {{ include "jupyterhub.componentLabel" . }}
{{ include "jupyterhub.commonLabels" $_ }}
{{- end }}
{{- define "jupyterhub.matchLabelsLegacyAndModern" -}}
{{ include "jupyterhub.matchLabels" . }}
{{- end }}
{{- define "jupyterhub.imagePullSecrets" -}}
{{- $_ := .root -}}
{{- $list := list -}}
{{- if $_.Values.imagePullSecret.create -}}{{- $list = append $list (include "jupyterhub.image-pull-secret.fullname" $_) -}}{{- end -}}
{{- range $_.Values.imagePullSecrets -}}{{- if kindIs "map" . -}}{{- $list = append $list .name -}}{{- else -}}{{- $list = append $list . -}}{{- end -}}{{- end -}}
{{- range .image.pullSecrets -}}{{- if kindIs "map" . -}}{{- $list = append $list .name -}}{{- else -}}{{- $list = append $list . -}}{{- end -}}{{- end -}}
{{- if $list }}
imagePullSecrets:
{{- range $list | uniq }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end }}
{{- define "jupyterhub.image" -}}
{{- if .tag -}}{{ .name }}:{{ .tag }}{{- else -}}{{ .name }}{{- end -}}
{{- end }}
{{- define "jupyterhub.imagePullPolicy" -}}
{{- with .pullPolicy }}
imagePullPolicy: {{ . }}
{{- end }}
{{- end }}
{{- define "jupyterhub.resources" -}}
{{- $r := dict -}}
{{- /* Unset values (null) are left out, as z2jh does: a null limit would read as 0. */ -}}
{{- $limits := dict -}}
{{- range $k, $v := .limit }}{{ if $v }}{{ $_ := set $limits $k $v }}{{ end }}{{ end -}}
{{- $requests := dict -}}
{{- range $k, $v := .guarantee }}{{ if $v }}{{ $_ := set $requests $k $v }}{{ end }}{{ end -}}
{{- with $limits }}{{ $_ := set $r "limits" . }}{{- end }}
{{- with $requests }}{{ $_ := set $r "requests" . }}{{- end }}
{{- with $r }}
resources:
  {{- . | toYaml | nindent 2 }}
{{- end }}
{{- end }}
{{- define "jupyterhub.userTolerations" -}}
{{- with concat .Values.scheduling.userPods.tolerations .Values.singleuser.extraTolerations .Values.prePuller.extraTolerations }}
tolerations:
  {{- . | toYaml | nindent 2 }}
{{- end }}
{{- end }}
{{- define "jupyterhub.coreTolerations" -}}
{{- $list := concat .Values.scheduling.corePods.tolerations (.extra | default list) -}}
{{- with $list }}
tolerations:
  {{- . | toYaml | nindent 2 }}
{{- end }}
{{- end }}
{{- define "jupyterhub.coreAffinity" -}}
{{- $require := eq .Values.scheduling.corePods.nodeAffinity.matchNodePurpose "require" -}}
{{- $prefer := eq .Values.scheduling.corePods.nodeAffinity.matchNodePurpose "prefer" -}}
{{- if or $require $prefer }}
affinity:
  nodeAffinity:
    {{- if $require }}
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
        - matchExpressions:
            - key: hub.jupyter.org/node-purpose
              operator: In
              values: [core]
    {{- else }}
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        preference:
          matchExpressions:
            - key: hub.jupyter.org/node-purpose
              operator: In
              values: [core]
    {{- end }}
{{- end }}
{{- end }}
{{- define "jupyterhub.userAffinity" -}}
{{- $dummy := set . "nodeAffinityRequired" (concat .Values.singleuser.extraNodeAffinity.required) -}}
{{- $dummy := set . "nodeAffinityPreferred" (concat .Values.singleuser.extraNodeAffinity.preferred) -}}
{{- $dummy := set . "podAffinityPreferred" .Values.singleuser.extraPodAffinity.preferred -}}
{{- $dummy := set . "podAntiAffinityPreferred" .Values.singleuser.extraPodAntiAffinity.preferred -}}
{{- if or .nodeAffinityRequired .nodeAffinityPreferred .podAffinityPreferred .podAntiAffinityPreferred }}
affinity:
  {{- if or .nodeAffinityRequired .nodeAffinityPreferred }}
  nodeAffinity:
    {{- with .nodeAffinityRequired }}
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
        {{- . | toYaml | nindent 8 }}
    {{- end }}
    {{- with .nodeAffinityPreferred }}
    preferredDuringSchedulingIgnoredDuringExecution:
      {{- . | toYaml | nindent 6 }}
    {{- end }}
  {{- end }}
{{- end }}
{{- end }}
{{- define "jupyterhub.extraEnv" -}}
{{- $env := . -}}
{{- if kindIs "map" $env -}}
{{- range $key := keys $env | sortAlpha }}
{{- $value := get $env $key }}
- name: {{ $key | quote }}
{{- if kindIs "map" $value }}
  {{- $value | toYaml | nindent 2 }}
{{- else }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
{{- else if kindIs "slice" $env }}
{{- $env | toYaml }}
{{- end }}
{{- end }}
{{- define "jupyterhub.extraFiles.data" -}}
{{- range $file_key, $file_details := . }}
{{- if $file_details.mountPath }}
{{- if $file_details.data }}
{{ $file_key | quote }}: {{ $file_details.data | toYaml | quote }}
{{- else if $file_details.stringData }}
{{ $file_key | quote }}: {{ $file_details.stringData | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- define "jupyterhub.chart-version-to-git-ref" -}}
{{- regexReplaceAll ".*[.-]n\\d+[.]h(.*)" . "${1}" }}
{{- end }}
{{- define "jupyterhub.securityContext" -}}
{{- with . }}
securityContext:
  {{- . | toYaml | nindent 2 }}
{{- end }}
{{- end }}
{{- define "jupyterhub.probes" -}}
{{- $p := .probes -}}
{{- if $p.livenessProbe.enabled }}
livenessProbe:
  initialDelaySeconds: {{ $p.livenessProbe.initialDelaySeconds }}
  periodSeconds: {{ $p.livenessProbe.periodSeconds }}
  timeoutSeconds: {{ $p.livenessProbe.timeoutSeconds }}
  failureThreshold: {{ $p.livenessProbe.failureThreshold }}
  httpGet:
    path: {{ .path }}
    port: {{ .port }}
{{- end }}
{{- if $p.readinessProbe.enabled }}
readinessProbe:
  initialDelaySeconds: {{ $p.readinessProbe.initialDelaySeconds }}
  periodSeconds: {{ $p.readinessProbe.periodSeconds }}
  timeoutSeconds: {{ $p.readinessProbe.timeoutSeconds }}
  failureThreshold: {{ $p.readinessProbe.failureThreshold }}
  httpGet:
    path: {{ .path }}
    port: {{ .port }}
{{- end }}
{{- end }}
