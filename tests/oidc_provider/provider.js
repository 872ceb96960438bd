// The identity provider of the SSO tests: the certified oidc-provider package on 127.0.0.1.
//
// Everything protocol-related (discovery, authorization with state/nonce/PKCE, the token
// endpoint, signed ID tokens, userinfo) is oidc-provider's own. What every deployment of
// it writes itself is written here: the accounts (read from ACCOUNTS_FILE on every look-up,
// so a test can change someone's groups between two sign-ins) and the sign-in page of the
// interaction (devInteractions would load web fonts from the internet). Consent is given
// at once: envsched is a first-party client.
//
// Environment: PORT (0 picks a free one), ACCOUNTS_FILE, CLIENT_ID, CLIENT_SECRET,
// REDIRECT_URI. Prints "listening <issuer>" once it answers.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const accounts = () => JSON.parse(readFileSync(env('ACCOUNTS_FILE'), 'utf8'));

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function configuration() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    clients: [{
      client_id: env('CLIENT_ID'),
      client_secret: env('CLIENT_SECRET'),
      redirect_uris: [env('REDIRECT_URI')],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email'],
      groups: ['groups'],
    },
    async findAccount(_ctx, id) {
      const account = accounts()[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return {
            sub: id, preferred_username: id, name: account.name ?? id,
            email: account.email ?? `${id}@example.test`, groups: account.groups ?? [],
          };
        },
      };
    },
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AuthorizationCode: 60, IdToken: 300, AccessToken: 300 },
  };
}

function signInPage(uid, error) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test IdP sign-in</title></head>
<body><main><h1>Test identity provider</h1>
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>User name <input name="login" autocomplete="username" required></label>
<label>Password <input name="password" type="password" required></label>
<button type="submit">Sign in at the provider</button>
</form></main></body></html>`;
}

async function formBody(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return new URLSearchParams(text);
}

async function consent(provider, details, req, res) {
  const { prompt, params, session, grantId } = details;
  const grant = grantId ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } },
    { mergeWithLastSubmission: true });
}

async function interaction(provider, ctx, next) {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.prompt.name === 'consent') {
    ctx.respond = false;
    return consent(provider, details, ctx.req, ctx.res);
  }
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = signInPage(details.uid);
    return undefined;
  }
  const form = await formBody(ctx.req);
  const account = accounts()[form.get('login')];
  if (!account || account.password !== form.get('password')) {
    ctx.status = 401;
    ctx.type = 'html';
    ctx.body = signInPage(details.uid, 'Unknown user or wrong password.');
    return undefined;
  }
  ctx.respond = false;
  return provider.interactionFinished(ctx.req, ctx.res,
    { login: { accountId: form.get('login') } }, { mergeWithLastSubmission: false });
}

const server = createServer();
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration());
  provider.use((ctx, next) => interaction(provider, ctx, next));
  server.on('request', provider.callback());
  console.log(`listening ${issuer}`);
});
