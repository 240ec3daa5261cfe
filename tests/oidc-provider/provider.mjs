// A real OpenID Connect provider (the `oidc-provider` package) on a free loopback port, for the
// registry's sign-in tests. It prints one JSON line, {"issuer", "clientKeyPem", "clientKeyId"},
// then serves until killed.
//
// Usage: node provider.mjs <redirect-uri>
//
// Clients (all redirect to <redirect-uri>):
//   registry               client_secret_basic, secret "registry-secret"
//   registry-jwt           private_key_jwt with the printed private key
//   registry-short-code    as `registry`, but its authorization codes live one second
//   registry-wrong-issuer, registry-wrong-audience, registry-unsigned, registry-bad-signature:
//                          as `registry`, but the token endpoint's ID token is replaced by one
//                          with that defect (a man in the middle, for the attack tests)
//
// Signing in: the provider sends the browser to /interaction/<uid>; a test then calls
// /interaction/<uid>/login?sub=<subject>&orgs=<ODS,ODS>&email=<address> to finish as that
// person. Consent is granted automatically.

import http from 'node:http';
import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, exportPKCS8, generateKeyPair } from 'jose';

const redirectUri = process.argv[2];
if (!redirectUri) {
  console.error('usage: node provider.mjs <redirect-uri>');
  process.exit(2);
}

const SECRET = 'registry-secret';
const ATTACKS = {
  'registry-wrong-issuer': 'wrong-issuer',
  'registry-wrong-audience': 'wrong-audience',
  'registry-unsigned': 'unsigned',
  'registry-bad-signature': 'bad-signature',
};

async function rsaKey(kid) {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { privateKey, privateJwk, publicJwk };
}

const signing = await rsaKey('provider-key');
const impostor = await rsaKey('provider-key');
const clientKey = await rsaKey('registry-client-key');

/** Who each subject is, as set by the test that signs them in. */
const people = new Map();

const base64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function forge(idToken, attack, issuer) {
  const claims = decodeJwt(idToken);
  const header = decodeProtectedHeader(idToken);
  const sign = (payload, key) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: header.kid, typ: 'JWT' }).sign(key);
  switch (attack) {
    case 'wrong-issuer':
      return sign({ ...claims, iss: `${issuer}/another-tenant` }, signing.privateKey);
    case 'wrong-audience':
      return sign({ ...claims, aud: 'another-client' }, signing.privateKey);
    case 'unsigned':
      return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
    case 'bad-signature':
      return sign(claims, impostor.privateKey);
    default:
      return idToken;
  }
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const client = (client_id, extra = {}) => ({
    client_id,
    client_secret: SECRET,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...extra,
  });
  const provider = new Provider(issuer, {
    clients: [
      client('registry'),
      client('registry-short-code'),
      ...Object.keys(ATTACKS).map((id) => client(id)),
      {
        client_id: 'registry-jwt',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'RS256',
        jwks: { keys: [clientKey.publicJwk] },
      },
    ],
    jwks: { keys: [signing.privateJwk] },
    cookies: { keys: ['registry-test-cookie-key'] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    scopes: ['openid', 'profile', 'email', 'nationalrbacaccess'],
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email', 'email_verified'],
      nationalrbacaccess: ['nhsid_nrbac_roles'],
    },
    ttl: {
      AuthorizationCode: (ctx, token, c) => (c?.clientId === 'registry-short-code' ? 1 : 60),
      IdToken: 3600,
      AccessToken: 3600,
      Interaction: 3600,
      Session: 3600,
      Grant: 3600,
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      const person = people.get(sub) ?? { orgs: [], email: `${sub}@example.nhs.uk` };
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            name: `Test person ${sub}`,
            email: person.email,
            email_verified: true,
            nhsid_nrbac_roles: person.orgs.map((org_code) => ({ org_code, person_roleid: `${sub}-${org_code}` })),
          };
        },
      };
    },
    async loadExistingGrant(ctx) {
      const existing = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile email nationalrbacaccess');
      await grant.save();
      return grant;
    },
  });

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || ctx.status !== 200 || !ctx.body?.id_token) return;
    const attack = ATTACKS[decodeJwt(ctx.body.id_token).aud];
    if (attack) ctx.body = { ...ctx.body, id_token: await forge(ctx.body.id_token, attack, issuer) };
  });

  const handle = provider.callback();
  server.on('request', async (req, res) => {
    const url = new URL(req.url, issuer);
    const login = url.pathname.match(/^\/interaction\/([^/]+)\/login$/);
    try {
      if (login) {
        const sub = url.searchParams.get('sub') ?? 'someone';
        const orgs = (url.searchParams.get('orgs') ?? '').split(',').filter(Boolean);
        const email = url.searchParams.get('email') ?? `${sub}@example.nhs.uk`;
        people.set(sub, { orgs, email });
        await provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
      } else if (/^\/interaction\/[^/]+$/.test(url.pathname)) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('Test provider: finish with GET <this URL>/login?sub=<subject>\n');
      } else {
        handle(req, res);
      }
    } catch (err) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(String(err));
    }
  });

  exportPKCS8(clientKey.privateKey).then((pem) => {
    process.stdout.write(`${JSON.stringify({ issuer, clientKeyPem: pem, clientKeyId: 'registry-client-key' })}\n`);
  });
});
