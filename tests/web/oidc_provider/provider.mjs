// A real OpenID Connect provider (the `oidc-provider` npm package) for the sign-in tests.
// Configured from one JSON file (argv[2]): issuer, port, signing key, one client and one test account; optionally
// more `clients` (the desk's), more `accounts` (each may carry a `groups` claim), and `id_token_claims: true` to
// put the scope's claims (groups among them) in the ID token itself, as Entra ID and Keycloak do.
// Development interactions let a test sign in by posting the account id; never run this outside tests.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = [config.account, ...(config.accounts ?? [])].filter(Boolean);

function client(c) {
  return {
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: [c.redirect_uri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

const provider = new Provider(config.issuer, {
  clients: [config.client, ...(config.clients ?? [])].map(client),
  jwks: { keys: [config.signing_key] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  conformIdTokenClaims: config.id_token_claims !== true,
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    const account = accounts.find((a) => a.sub === id);
    if (account === undefined) return undefined;
    return {
      accountId: id,
      async claims() {
        const claims = { sub: id, name: account.name, email: account.email, email_verified: account.email_verified };
        if (account.groups !== undefined) claims.groups = account.groups;
        return claims;
      },
    };
  },
});

const server = provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${config.issuer}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
