// A test OpenID provider: panva's oidc-provider (OpenID-certified), run by
// oidc_auth's browser tests (e2e/oidcprovider_test.go) as a second real
// provider beside Dex. For tests on 127.0.0.1 only: it signs with a key it
// makes up at start, keeps everything in memory, and its development login
// form signs in whoever types a known login (the password is not checked).
//
//   node server.mjs --port 4000 --issuer http://127.0.0.1:4000 --config conf.json
//
// (or PORT, ISSUER and CONFIG in the environment). conf.json:
//
//   {"clients": [{"client_id": "...", "client_secret": "...", "redirect_uris": [...],
//                 "post_logout_redirect_uris": [...], "backchannel_logout_uri": "..."}],
//    "users": [{"login": "alice@example.com", "email": "alice@example.com", "name": "Alice"}]}
//
// Clients are oidc-provider client metadata as given. Each user's sub is its
// login. It prints "oidc-provider ready at <issuer>" once it listens.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT },
    issuer: { type: 'string', default: process.env.ISSUER },
    config: { type: 'string', default: process.env.CONFIG },
  },
});

function fail(msg) {
  console.error(`oidc-provider test server: ${msg}`);
  process.exit(2);
}

if (!args.port || !args.issuer || !args.config) {
  fail('need --port, --issuer and --config (or PORT, ISSUER and CONFIG)');
}
const port = Number(args.port);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  fail(`--port ${args.port} is not a port number`);
}

let conf;
try {
  conf = JSON.parse(readFileSync(args.config, 'utf8'));
} catch (err) {
  fail(`cannot read --config ${args.config}: ${err.message}`);
}
if (!Array.isArray(conf.clients) || conf.clients.length === 0) fail('the config has no client');
const users = new Map((conf.users ?? []).map((u) => [u.login, u]));

const provider = new Provider(args.issuer, {
  clients: conf.clients.map((c) => ({ backchannel_logout_session_required: true, ...c })),
  // Only the users of the config exist; the development login form's
  // "login" is the account id.
  async findAccount(ctx, sub) {
    const user = users.get(sub);
    if (!user) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub, email: user.email, email_verified: true, name: user.name,
        };
      },
    };
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  // conformIdTokenClaims stays true (the default): with response_type=code,
  // email and name are only in the userinfo response, as with many providers.
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    backchannelLogout: { enabled: true },
  },
  pkce: { required: () => true },
  clientBasedCORS: () => false,
  cookies: { keys: ['e2e-oidc-provider-cookie-key'] },
  // oidc-provider refuses to call loopback and private addresses (SSRF
  // protection) by passing its own dispatcher; the test site is on
  // 127.0.0.1, so the back-channel logout goes out with the default one.
  fetch: (url, options) => {
    const { dispatcher, ...rest } = options;
    return globalThis.fetch(url, rest);
  },
});

provider.on('backchannel.error', (ctx, err, client) => {
  console.error(`back-channel logout to ${client.clientId} failed: ${err.message}`);
});
provider.on('backchannel.success', (ctx, client) => {
  console.log(`back-channel logout to ${client.clientId} delivered`);
});
provider.on('server_error', (ctx, err) => {
  console.error(`server error: ${err.stack}`);
});

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider ready at ${args.issuer}`);
});
server.on('error', (err) => fail(`cannot listen on 127.0.0.1:${port}: ${err.message}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
