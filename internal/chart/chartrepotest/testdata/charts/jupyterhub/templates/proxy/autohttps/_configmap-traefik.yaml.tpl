{{- define "jupyterhub.traefik.yaml" -}}
accessLog:
  fields:
    headers:
      names:
        Authorization: redacted
        Cookie: redacted
        Set-Cookie: redacted
        X-Xsrftoken: redacted
log:
  level: {{ if .Values.debug.enabled }}DEBUG{{ else }}WARN{{ end }}
entryPoints:
  http:
    address: ":8080"
  https:
    address: ":8443"
    transport:
      respondingTimeouts:
        idleTimeout: 10m0s
certificatesResolvers:
  default:
    acme:
      caServer: {{ .Values.proxy.https.letsencrypt.acmeServer }}
      email: {{ .Values.proxy.https.letsencrypt.contactEmail }}
      httpChallenge:
        entryPoint: http
      storage: /etc/acme/acme.json
providers:
  file:
    filename: /etc/traefik/dynamic.yaml
{{- with .Values.proxy.traefik.extraStaticConfig }}
{{ . | toYaml }}
{{- end }}
{{- end }}
{{- define "jupyterhub.dynamic.yaml" -}}
http:
  routers:
    default:
      entrypoints: [https]
      middlewares: [hsts, redirect]
      rule: PathPrefix(`/`)
      service: default
      tls:
        certResolver: default
        domains:
          {{- range $host := .Values.proxy.https.hosts }}
          - main: {{ $host }}
          {{- end }}
  middlewares:
    hsts:
      headers:
        stsIncludeSubdomains: {{ .Values.proxy.traefik.hsts.includeSubdomains }}
        stsPreload: {{ .Values.proxy.traefik.hsts.preload }}
        stsSeconds: {{ .Values.proxy.traefik.hsts.maxAge }}
    redirect:
      redirectScheme:
        permanent: true
        scheme: https
  services:
    default:
      loadBalancer:
        servers:
          - url: http://{{ include "jupyterhub.proxy-http.fullname" . }}:8000/
{{- with .Values.proxy.traefik.extraDynamicConfig }}
{{ . | toYaml }}
{{- end }}
{{- end }}
