// An OpenID provider for hubfleet's tests: npm oidc-provider 9.x over TLS
// on loopback. Configured through the environment by testhub.StartIdP.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import Provider from 'oidc-provider';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`missing ${name}`);
  return v;
};

const provider = new Provider(env('IDP_ISSUER'), {
  clients: [{
    client_id: env('IDP_CLIENT_ID'),
    client_secret: env('IDP_CLIENT_SECRET'),
    redirect_uris: JSON.parse(env('IDP_REDIRECT_URIS')),
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  jwks: JSON.parse(env('IDP_JWKS')),
  cookies: { keys: [env('IDP_COOKIE_KEY')] },
});

const server = https.createServer({
  cert: readFileSync(env('IDP_CERT')),
  key: readFileSync(env('IDP_KEY')),
}, provider.callback());
server.listen(Number(env('IDP_PORT')), '127.0.0.1', () => {
  console.log(`oidc-provider listening on 127.0.0.1:${env('IDP_PORT')} as ${env('IDP_ISSUER')}`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
