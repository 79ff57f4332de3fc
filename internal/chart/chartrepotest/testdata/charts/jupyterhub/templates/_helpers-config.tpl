{{- /*
  Like z2jh's _helpers-auth-rework.tpl and its config validation: on every
  render the chart walks a list of old and renamed configuration paths,
  looks each one up in the values and remaps or rejects it.
*/}}
{{- define "jupyterhub.config.remappings" -}}
  auth.type:hub.config.Authenticator.type
  auth.whitelist.users:hub.config.Authenticator.whitelist_users
  auth.admin.users:hub.config.Authenticator.admin_users
  auth.admin.access:hub.config.Authenticator.admin_access
  auth.dummy.password:hub.config.Authenticator.dummy_password
  auth.ldap.server.address:hub.config.Authenticator.ldap_server_address
  auth.ldap.server.port:hub.config.Authenticator.ldap_server_port
  auth.ldap.server.ssl:hub.config.Authenticator.ldap_server_ssl
  auth.ldap.dn.lookup:hub.config.Authenticator.ldap_dn_lookup
  auth.ldap.dn.templates:hub.config.Authenticator.ldap_dn_templates
  auth.ldap.allowedGroups:hub.config.Authenticator.ldap_allowedGroups
  auth.github.clientId:hub.config.Authenticator.github_clientId
  auth.github.clientSecret:hub.config.Authenticator.github_clientSecret
  auth.github.callbackUrl:hub.config.Authenticator.github_callbackUrl
  auth.github.orgWhitelist:hub.config.Authenticator.github_orgWhitelist
  auth.gitlab.clientId:hub.config.Authenticator.gitlab_clientId
  auth.gitlab.clientSecret:hub.config.Authenticator.gitlab_clientSecret
  auth.gitlab.callbackUrl:hub.config.Authenticator.gitlab_callbackUrl
  auth.google.clientId:hub.config.Authenticator.google_clientId
  auth.google.clientSecret:hub.config.Authenticator.google_clientSecret
  auth.google.hostedDomain:hub.config.Authenticator.google_hostedDomain
  auth.google.loginService:hub.config.Authenticator.google_loginService
  auth.azuread.clientId:hub.config.Authenticator.azuread_clientId
  auth.azuread.clientSecret:hub.config.Authenticator.azuread_clientSecret
  auth.azuread.tenantId:hub.config.Authenticator.azuread_tenantId
  auth.azuread.callbackUrl:hub.config.Authenticator.azuread_callbackUrl
  auth.cilogon.clientId:hub.config.Authenticator.cilogon_clientId
  auth.cilogon.clientSecret:hub.config.Authenticator.cilogon_clientSecret
  auth.globus.clientId:hub.config.Authenticator.globus_clientId
  auth.globus.clientSecret:hub.config.Authenticator.globus_clientSecret
  auth.globus.identityProvider:hub.config.Authenticator.globus_identityProvider
  auth.custom.className:hub.config.Authenticator.custom_className
  auth.custom.config:hub.config.Authenticator.custom_config
  auth.state.enabled:hub.config.Authenticator.state_enabled
  auth.state.cryptoKey:hub.config.Authenticator.state_cryptoKey
  auth.scopes:hub.config.Authenticator.scopes
  auth.userinfo:hub.config.Authenticator.userinfo
  auth.oauth.clientId:hub.config.Authenticator.oauth_clientId
  auth.oauth.clientSecret:hub.config.Authenticator.oauth_clientSecret
  auth.oauth.callbackUrl:hub.config.Authenticator.oauth_callbackUrl
  auth.oauth.authorizeUrl:hub.config.Authenticator.oauth_authorizeUrl
  auth.oauth.tokenUrl:hub.config.Authenticator.oauth_tokenUrl
  auth.oauth.userdataUrl:hub.config.Authenticator.oauth_userdataUrl
  auth.oauth.userdataMethod:hub.config.Authenticator.oauth_userdataMethod
  auth.oauth.usernameKey:hub.config.Authenticator.oauth_usernameKey
  auth.mediawiki.clientId:hub.config.Authenticator.mediawiki_clientId
  auth.mediawiki.clientSecret:hub.config.Authenticator.mediawiki_clientSecret
  auth.hmac.secretKey:hub.config.Authenticator.hmac_secretKey
  auth.lti.consumers:hub.config.Authenticator.lti_consumers
  auth.admin.groups:hub.config.Authenticator.admin_groups
  hub.cookieSecret:hub.config.JupyterHub.cookieSecret
  hub.db.type:hub.config.JupyterHub.db_type
  hub.db.url:hub.config.JupyterHub.db_url
  hub.db.password:hub.config.JupyterHub.db_password
  hub.db.upgrade:hub.config.JupyterHub.db_upgrade
  hub.baseUrl:hub.config.JupyterHub.baseUrl
  hub.uid:hub.config.JupyterHub.uid
  hub.fsGid:hub.config.JupyterHub.fsGid
  hub.publicURL:hub.config.JupyterHub.publicURL
  hub.allowNamedServers:hub.config.JupyterHub.allowNamedServers
  hub.namedServerLimitPerUser:hub.config.JupyterHub.namedServerLimitPerUser
  hub.authenticatePrometheus:hub.config.JupyterHub.authenticatePrometheus
  hub.redirectToServer:hub.config.JupyterHub.redirectToServer
  hub.shutdownOnLogout:hub.config.JupyterHub.shutdownOnLogout
  hub.concurrentSpawnLimit:hub.config.JupyterHub.concurrentSpawnLimit
  hub.consecutiveFailureLimit:hub.config.JupyterHub.consecutiveFailureLimit
  hub.activeServerLimit:hub.config.JupyterHub.activeServerLimit
  hub.templatePaths:hub.config.JupyterHub.templatePaths
  hub.templateVars:hub.config.JupyterHub.templateVars
  hub.image.name:hub.config.JupyterHub.image_name
  hub.image.tag:hub.config.JupyterHub.image_tag
  singleuser.cmd:hub.config.KubeSpawner.cmd
  singleuser.defaultUrl:hub.config.KubeSpawner.defaultUrl
  singleuser.uid:hub.config.KubeSpawner.uid
  singleuser.fsGid:hub.config.KubeSpawner.fsGid
  singleuser.startTimeout:hub.config.KubeSpawner.startTimeout
  singleuser.storage.capacity:hub.config.KubeSpawner.storage_capacity
  singleuser.storage.homeMountPath:hub.config.KubeSpawner.storage_homeMountPath
  singleuser.memory.limit:hub.config.KubeSpawner.memory_limit
  singleuser.memory.guarantee:hub.config.KubeSpawner.memory_guarantee
  singleuser.cpu.limit:hub.config.KubeSpawner.cpu_limit
  singleuser.cpu.guarantee:hub.config.KubeSpawner.cpu_guarantee
  singleuser.image.name:hub.config.KubeSpawner.image_name
  singleuser.image.tag:hub.config.KubeSpawner.image_tag
  singleuser.networkTools.image.name:hub.config.KubeSpawner.networkTools_image_name
  singleuser.events:hub.config.KubeSpawner.events
  singleuser.podNameTemplate:hub.config.KubeSpawner.podNameTemplate
  singleuser.serviceAccountName:hub.config.KubeSpawner.serviceAccountName
  proxy.secretToken:hub.config.ConfigurableHTTPProxy.secretToken
  proxy.https.enabled:hub.config.ConfigurableHTTPProxy.https_enabled
  proxy.https.type:hub.config.ConfigurableHTTPProxy.https_type
  proxy.https.hosts:hub.config.ConfigurableHTTPProxy.https_hosts
  proxy.https.letsencrypt.contactEmail:hub.config.ConfigurableHTTPProxy.https_letsencrypt_contactEmail
  proxy.service.type:hub.config.ConfigurableHTTPProxy.service_type
  proxy.service.nodePorts.http:hub.config.ConfigurableHTTPProxy.service_nodePorts_http
  proxy.service.nodePorts.https:hub.config.ConfigurableHTTPProxy.service_nodePorts_https
  proxy.chp.image.tag:hub.config.ConfigurableHTTPProxy.chp_image_tag
  proxy.traefik.image.tag:hub.config.ConfigurableHTTPProxy.traefik_image_tag
  legacy.auth.type:hub.config.LegacyAuthenticator.type
  legacy.auth.admin.users:hub.config.LegacyAuthenticator.admin_users
  legacy.auth.dummy.password:hub.config.LegacyAuthenticator.dummy_password
  legacy.auth.ldap.server.port:hub.config.LegacyAuthenticator.ldap_server_port
  legacy.auth.ldap.dn.lookup:hub.config.LegacyAuthenticator.ldap_dn_lookup
  legacy.auth.ldap.allowedGroups:hub.config.LegacyAuthenticator.ldap_allowedGroups
  legacy.auth.github.clientSecret:hub.config.LegacyAuthenticator.github_clientSecret
  legacy.auth.github.orgWhitelist:hub.config.LegacyAuthenticator.github_orgWhitelist
  legacy.auth.gitlab.clientSecret:hub.config.LegacyAuthenticator.gitlab_clientSecret
  legacy.auth.google.clientId:hub.config.LegacyAuthenticator.google_clientId
  legacy.auth.google.hostedDomain:hub.config.LegacyAuthenticator.google_hostedDomain
  legacy.auth.azuread.clientId:hub.config.LegacyAuthenticator.azuread_clientId
  legacy.auth.azuread.tenantId:hub.config.LegacyAuthenticator.azuread_tenantId
  legacy.auth.cilogon.clientId:hub.config.LegacyAuthenticator.cilogon_clientId
  legacy.auth.globus.clientId:hub.config.LegacyAuthenticator.globus_clientId
  legacy.auth.globus.identityProvider:hub.config.LegacyAuthenticator.globus_identityProvider
  legacy.auth.custom.config:hub.config.LegacyAuthenticator.custom_config
  legacy.auth.state.cryptoKey:hub.config.LegacyAuthenticator.state_cryptoKey
  legacy.auth.userinfo:hub.config.LegacyAuthenticator.userinfo
  legacy.auth.oauth.clientSecret:hub.config.LegacyAuthenticator.oauth_clientSecret
  legacy.auth.oauth.authorizeUrl:hub.config.LegacyAuthenticator.oauth_authorizeUrl
  legacy.auth.oauth.userdataUrl:hub.config.LegacyAuthenticator.oauth_userdataUrl
  legacy.auth.oauth.usernameKey:hub.config.LegacyAuthenticator.oauth_usernameKey
  legacy.auth.mediawiki.clientSecret:hub.config.LegacyAuthenticator.mediawiki_clientSecret
  legacy.auth.lti.consumers:hub.config.LegacyAuthenticator.lti_consumers
  legacy.hub.cookieSecret:hub.config.LegacyJupyterHub.cookieSecret
  legacy.hub.db.url:hub.config.LegacyJupyterHub.db_url
  legacy.hub.db.upgrade:hub.config.LegacyJupyterHub.db_upgrade
  legacy.hub.uid:hub.config.LegacyJupyterHub.uid
  legacy.hub.publicURL:hub.config.LegacyJupyterHub.publicURL
  legacy.hub.namedServerLimitPerUser:hub.config.LegacyJupyterHub.namedServerLimitPerUser
  legacy.hub.redirectToServer:hub.config.LegacyJupyterHub.redirectToServer
  legacy.hub.concurrentSpawnLimit:hub.config.LegacyJupyterHub.concurrentSpawnLimit
  legacy.hub.activeServerLimit:hub.config.LegacyJupyterHub.activeServerLimit
  legacy.hub.templateVars:hub.config.LegacyJupyterHub.templateVars
  legacy.hub.image.tag:hub.config.LegacyJupyterHub.image_tag
  legacy.singleuser.defaultUrl:hub.config.LegacyKubeSpawner.defaultUrl
  legacy.singleuser.fsGid:hub.config.LegacyKubeSpawner.fsGid
  legacy.singleuser.storage.capacity:hub.config.LegacyKubeSpawner.storage_capacity
  legacy.singleuser.memory.limit:hub.config.LegacyKubeSpawner.memory_limit
  legacy.singleuser.cpu.limit:hub.config.LegacyKubeSpawner.cpu_limit
  legacy.singleuser.image.name:hub.config.LegacyKubeSpawner.image_name
  legacy.singleuser.networkTools.image.name:hub.config.LegacyKubeSpawner.networkTools_image_name
  legacy.singleuser.podNameTemplate:hub.config.LegacyKubeSpawner.podNameTemplate
  legacy.proxy.secretToken:hub.config.LegacyConfigurableHTTPProxy.secretToken
  legacy.proxy.https.type:hub.config.LegacyConfigurableHTTPProxy.https_type
  legacy.proxy.https.letsencrypt.contactEmail:hub.config.LegacyConfigurableHTTPProxy.https_letsencrypt_contactEmail
  legacy.proxy.service.nodePorts.http:hub.config.LegacyConfigurableHTTPProxy.service_nodePorts_http
  legacy.proxy.chp.image.tag:hub.config.LegacyConfigurableHTTPProxy.chp_image_tag
{{- end }}
{{- define "jupyterhub.config.lookup" -}}
{{- $root := index . 0 -}}
{{- $path := index . 1 -}}
{{- $cur := $root -}}
{{- $found := true -}}
{{- range $key := splitList "." $path -}}
{{- if and $found (kindIs "map" $cur) (hasKey $cur $key) -}}
{{- $cur = index $cur $key -}}
{{- else -}}
{{- $found = false -}}
{{- end -}}
{{- end -}}
{{- if and $found (not (kindIs "invalid" $cur)) -}}
{{- dict "value" $cur | toJson -}}
{{- end -}}
{{- end }}
{{- define "jupyterhub.config.remapped" -}}
{{- $values := .Values -}}
{{- $out := dict -}}
{{- range $line := include "jupyterhub.config.remappings" . | trim | splitList "\n" -}}
{{- $pair := $line | trim | splitList ":" -}}
{{- $old := index $pair 0 -}}
{{- $new := index $pair 1 -}}
{{- $found := include "jupyterhub.config.lookup" (list $values $old) -}}
{{- if $found -}}
{{- $_ := set $out $new (fromJson $found).value -}}
{{- end -}}
{{- $existing := include "jupyterhub.config.lookup" (list $values (printf "hub.config.%s" ($new | trimPrefix "hub.config."))) -}}
{{- if and $found $existing -}}
{{- fail (printf "%s is deprecated and conflicts with %s" $old $new) -}}
{{- end -}}
{{- end -}}
{{- $out | toYaml -}}
{{- end }}
{{- define "jupyterhub.config.validate" -}}
{{- $remapped := include "jupyterhub.config.remapped" . | fromYaml -}}
{{- range $k, $v := $remapped -}}
{{- if hasPrefix "auth." $k -}}
{{- fail (printf "auth.%s was removed, use hub.config instead" $k) -}}
{{- end -}}
{{- end -}}
{{- $remapped | toJson | sha256sum -}}
{{- end }}
