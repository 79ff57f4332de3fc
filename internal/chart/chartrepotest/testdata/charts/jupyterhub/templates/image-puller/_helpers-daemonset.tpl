{{- define "jupyterhub.imagePuller.daemonset" -}}
apiVersion: apps/v1
kind: DaemonSet
metadata:
  {{- if .hook }}
  name: {{ include "jupyterhub.hook-image-puller.fullname" . }}
  {{- else }}
  name: {{ include "jupyterhub.continuous-image-puller.fullname" . }}
  {{- end }}
  labels:
    {{- include "jupyterhub.labels" . | nindent 4 }}
    {{- if .hook }}
    hub.jupyter.org/deletable: "true"
    {{- end }}
  {{- if .hook }}
  annotations:
    "helm.sh/hook": pre-install,pre-upgrade
    "helm.sh/hook-delete-policy": before-hook-creation,hook-succeeded
    "helm.sh/hook-weight": "-10"
  {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "jupyterhub.matchLabels" . | nindent 6 }}
  updateStrategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 100%
  {{- if typeIs "int" .Values.prePuller.revisionHistoryLimit }}
  revisionHistoryLimit: {{ .Values.prePuller.revisionHistoryLimit }}
  {{- end }}
  template:
    metadata:
      labels:
        {{- include "jupyterhub.matchLabels" . | nindent 8 }}
      annotations:
        hub.jupyter.org/config-validation: {{ include "jupyterhub.config.validate" . | quote }}
        {{- with .Values.prePuller.annotations }}
        {{- . | toYaml | nindent 8 }}
        {{- end }}
    spec:
      {{- if .Values.scheduling.podPriority.enabled }}
      priorityClassName: {{ include "jupyterhub.image-puller-priority.priority" . }}
      {{- end }}
      {{- with .Values.singleuser.nodeSelector }}
      nodeSelector:
        {{- . | toYaml | nindent 8 }}
      {{- end }}
      {{- include "jupyterhub.userTolerations" . | nindent 6 }}
      {{- include "jupyterhub.userAffinity" . | nindent 6 }}
      terminationGracePeriodSeconds: 0
      automountServiceAccountToken: false
      {{- include "jupyterhub.imagePullSecrets" (dict "root" . "image" .Values.singleuser.image) | nindent 6 }}
      initContainers:
        {{- /* --- Conditionally pull an image all user pods will use in an initContainer --- */}}
        {{- $blockWithIptables := hasKey .Values.singleuser.cloudMetadata "enabled" | ternary (not .Values.singleuser.cloudMetadata.enabled) .Values.singleuser.cloudMetadata.blockWithIptables }}
        {{- if $blockWithIptables }}
        - name: image-pull-metadata-block
          image: {{ include "jupyterhub.image" .Values.singleuser.networkTools.image }}
          {{- include "jupyterhub.imagePullPolicy" .Values.singleuser.networkTools.image | nindent 10 }}
          command:
            - /bin/sh
            - -c
            - echo "Pulling complete"
          {{- with .Values.prePuller.resources }}
          resources:
            {{- . | toYaml | nindent 12 }}
          {{- end }}
          {{- with .Values.prePuller.containerSecurityContext }}
          securityContext:
            {{- . | toYaml | nindent 12 }}
          {{- end }}
        {{- end }}
        - name: image-pull-singleuser
          image: {{ include "jupyterhub.image" .Values.singleuser.image }}
          command:
            - /bin/sh
            - -c
            - echo "Pulling complete"
          {{- with .Values.prePuller.resources }}
          resources:
            {{- . | toYaml | nindent 12 }}
          {{- end }}
          {{- with .Values.prePuller.containerSecurityContext }}
          securityContext:
            {{- . | toYaml | nindent 12 }}
          {{- end }}
        {{- if .Values.prePuller.pullProfileListImages }}
        {{- range $k, $container := .Values.singleuser.profileList }}
        {{- with $container.kubespawner_override }}
        {{- if .image }}
        - name: image-pull-singleuser-profilelist-{{ $k }}
          image: {{ .image }}
          command:
            - /bin/sh
            - -c
            - echo "Pulling complete"
        {{- end }}
        {{- end }}
        {{- end }}
        {{- end }}
        {{- range $k, $v := .Values.prePuller.extraImages }}
        - name: image-pull-{{ $k }}
          image: {{ include "jupyterhub.image" $v }}
          command:
            - /bin/sh
            - -c
            - echo "Pulling complete"
        {{- end }}
      containers:
        - name: pause
          image: {{ include "jupyterhub.image" .Values.prePuller.pause.image }}
          {{- with .Values.prePuller.resources }}
          resources:
            {{- . | toYaml | nindent 12 }}
          {{- end }}
          {{- with .Values.prePuller.pause.containerSecurityContext }}
          securityContext:
            {{- . | toYaml | nindent 12 }}
          {{- end }}
{{- end }}
{{- define "jupyterhub.imagePuller.daemonset.hook.checksum" -}}
{{- if .Values.prePuller.hook.enabled -}}
{{- $k8s_state := lookup "apps/v1" "DaemonSet" .Release.Namespace (include "jupyterhub.hook-image-puller.fullname" .) | default (dict "spec" (dict)) -}}
{{- include "jupyterhub.imagePuller.daemonset" (merge (dict "hook" true) .) | fromYaml | dig "spec" "template" "spec" (dict) | toJson | sha256sum -}}
{{- end -}}
{{- end }}
{{- define "jupyterhub.imagePuller.daemonset.hook.install" -}}
{{- if .Values.prePuller.hook.enabled -}}
{{- if .Values.prePuller.hook.pullOnlyOnChanges -}}
{{- $new_checksum := include "jupyterhub.imagePuller.daemonset.hook.checksum" . -}}
{{- $k8s_state := lookup "v1" "ConfigMap" .Release.Namespace (include "jupyterhub.hub.fullname" .) | default (dict "data" (dict)) -}}
{{- $old_checksum := index $k8s_state.data "checksum_hook-image-puller" | default "" -}}
{{- if ne $new_checksum $old_checksum -}}
yes
{{- end -}}
{{- else -}}
yes
{{- end -}}
{{- end -}}
{{- end }}
