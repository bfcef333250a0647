// sigstore-js's mock Sigstore services (@sigstore/mock, pinned in package.json) on 127.0.0.1:
// Fulcio v2 (POST /api/v2/signingCert, with an embedded-SCT CT log; v1's /api/v1/signingCert
// for cosign 2 too), Rekor v1
// (POST /api/v1/log/entries), Rekor v2 (POST /api/v2/log/entries) and an RFC 3161 TSA
// (POST /api/v1/timestamp, JSON request). Keys are fresh P-256 keys on every start.
//
// Usage: [SUPPLY_SIGSTORE_MOCK_DIR=.peers/sigstore-mock] node server.mjs DIR [--rekor-v2]
//          [--mock-rekor-v2]
//   Writes DIR/trusted_root.json, DIR/signing_config.json and DIR/trust_config.json (a client
//   trust config holding both), then prints `ready PORT` on stdout. The signing config names
//   Rekor v1, or Rekor v2 with --rekor-v2. Rekor v2 is answered by this server (see
//   rekorV2Entry below), or with --mock-rekor-v2 by the mock's own v2 handler, whose entries
//   no verifier accepts. Runs until killed, or with
//   SUPPLY_SIGSTORE_MOCK_STDIN_LIFELINE=1 until its stdin closes. The mock does not check
//   identity tokens (it reads their claims unverified).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

// @sigstore/mock is resolved from $SUPPLY_SIGSTORE_MOCK_DIR (where scripts/install-peers runs
// `npm ci`: .peers/sigstore-mock), else from a node_modules beside this script.
const modulesDir = process.env.SUPPLY_SIGSTORE_MOCK_DIR;
const require = createRequire(
  modulesDir ? path.join(path.resolve(modulesDir), 'package.json') : import.meta.url,
);
const mock = require('@sigstore/mock');

const {
  initializeCA,
  initializeCTLog,
  initializeTLog,
  initializeTSA,
  fulcioHandler,
  rekorHandler,
  rekorV2Handler,
  tsaHandler,
} = mock;

// Request bodies are small JSON documents; anything larger is refused.
const MAX_BODY = 1 << 20;

const [dir, ...flags] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node server.mjs DIR [--rekor-v2]');
  process.exit(2);
}
const mockRekorV2 = flags.includes('--mock-rekor-v2');
const rekorV2 = mockRekorV2 || flags.includes('--rekor-v2');

const newKey = () => crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const b64 = (buf) => Buffer.from(buf).toString('base64');

let handlers = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > MAX_BODY) {
      res.writeHead(413).end('request too large');
      req.destroy();
      return;
    }
    chunks.push(c);
  });
  req.on('end', async () => {
    const h = handlers.find((x) => x.path === req.url);
    if (req.method !== 'POST' || !h) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    try {
      const { statusCode, response, contentType, headers } = await h.fn(
        Buffer.concat(chunks).toString(),
        req.headers,
      );
      res
        .writeHead(statusCode, { ...headers, 'Content-Type': contentType || 'text/plain' })
        .end(response);
    } catch (e) {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(e));
    }
  });
});

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  const base = `http://127.0.0.1:${port}`;

  const ctKey = newKey();
  const ctlog = await initializeCTLog(ctKey);
  const ca = await initializeCA(newKey(), ctlog);
  const tlogKey = newKey();
  // The checkpoint key name is the host of this URL, as in the trusted root's baseUrl.
  const tlog = await initializeTLog(base, tlogKey);
  const tsa = await initializeTSA(newKey());
  const rekor = rekorHandler(tlog);
  const fulcio = fulcioHandler(ca);
  handlers = [
    {
      path: '/api/v1/signingCert',
      fn: async (body, headers) => fulcioV1(fulcio, body, headers),
    },
    {
      path: fulcio.path,
      // Fulcio answers 200 (the mock says 201, which sigstore-go refuses).
      fn: async (body, headers) => {
        const answer = await fulcio.fn(withBearerCredentials(body, headers));
        return answer.statusCode === 201 ? { ...answer, statusCode: 200 } : answer;
      },
    },
    { path: rekor.path, fn: async (body) => withEntryHeaders(await rekor.fn(canonicalDsse(body))) },
    mockRekorV2
      ? rekorV2Handler(tlog)
      : { path: '/api/v2/log/entries', fn: async (body) => rekorV2Entry(body, tlogKey, port) },
    tsaHandler(tsa),
  ];

  // Validity starts in the past so that clock skew between us and the verifier does not matter.
  const start = new Date(Date.now() - 3600 * 1000).toISOString();
  const pubDer = (k) => k.publicKey.export({ format: 'der', type: 'spki' });
  const logEntry = (der, logId) => ({
    baseUrl: base,
    hashAlgorithm: 'SHA2_256',
    publicKey: {
      rawBytes: b64(der),
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
      validFor: { start },
    },
    logId: { keyId: b64(logId) },
  });
  const tlogDer = pubDer(tlogKey);
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [logEntry(tlogDer, crypto.createHash('sha256').update(tlogDer).digest())],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: base,
        certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
        validFor: { start },
      },
    ],
    ctlogs: [logEntry(pubDer(ctKey), ctlog.logID)],
    timestampAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'tsa' },
        uri: base,
        certChain: {
          certificates: [{ rawBytes: b64(tsa.intCertificate) }, { rawBytes: b64(tsa.rootCertificate) }],
        },
        validFor: { start },
      },
    ],
  };
  const service = (version) => ({
    url: base,
    majorApiVersion: version,
    validFor: { start },
    operator: 'sigstore.mock',
  });
  const signingConfig = {
    mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
    caUrls: [service(1)],
    oidcUrls: [service(1)],
    rekorTlogUrls: [service(rekorV2 ? 2 : 1)],
    tsaUrls: [{ ...service(1), url: `${base}/api/v1/timestamp` }],
    rekorTlogConfig: { selector: 'ANY' },
    tsaConfig: { selector: 'ANY' },
  };
  const trustConfig = {
    mediaType: 'application/vnd.dev.sigstore.clienttrustconfig.v0.1+json',
    trustedRoot,
    signingConfig,
  };
  fs.mkdirSync(dir, { recursive: true });
  const write = (name, doc) =>
    fs.writeFileSync(path.join(dir, name), JSON.stringify(doc, null, 2) + '\n');
  write('trusted_root.json', trustedRoot);
  write('signing_config.json', signingConfig);
  write('trust_config.json', trustConfig);
  process.stdout.write(`ready ${port}\n`);
});

// Fulcio takes the identity token from the request body (`credentials.oidcIdentityToken`) or,
// as sigstore-go (cosign 3) sends it, from `Authorization: Bearer`; the mock reads only the
// body, so a bearer token is moved into it.
function withBearerCredentials(body, headers) {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers?.authorization ?? '');
  if (!bearer) return body;
  let request;
  try {
    request = JSON.parse(body);
  } catch {
    return body;
  }
  if (request?.credentials?.oidcIdentityToken) return body;
  return JSON.stringify({ ...request, credentials: { oidcIdentityToken: bearer[1] } });
}

// Fulcio's v1 API, as cosign 2 calls it: `{publicKey: {content, algorithm},
// signedEmailAddress}` in (the content base64 of a PEM key, or of DER), the PEM chain (leaf
// first, SCT embedded) out. Served by the mock's v2 handler.
async function fulcioV1(fulcio, body, headers) {
  let request;
  try {
    request = JSON.parse(body);
  } catch {
    return { statusCode: 400, response: 'not JSON' };
  }
  const content = request?.publicKey?.content ?? '';
  const decoded = Buffer.from(content, 'base64').toString('latin1');
  const lines = content.match(/.{1,64}/g) ?? [];
  const pem = decoded.startsWith('-----BEGIN')
    ? decoded
    : `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
  const v2 = JSON.stringify({
    publicKeyRequest: {
      publicKey: { algorithm: request?.publicKey?.algorithm, content: pem },
      proofOfPossession: request?.signedEmailAddress,
    },
  });
  const answer = await fulcio.fn(withBearerCredentials(v2, headers));
  if (answer.statusCode !== 201) return answer;
  const chain = JSON.parse(answer.response).signedCertificateEmbeddedSct.chain.certificates;
  return {
    statusCode: 201,
    response: chain.join(''),
    contentType: 'application/pem-certificate-chain',
  };
}

// Rekor v1 names a new entry in `ETag` and `Location` (sigstore-go reads the entry keyed by the
// ETag from the answer); the mock sends neither.
function withEntryHeaders(answer) {
  if (answer.statusCode !== 201) return answer;
  const [uuid] = Object.keys(JSON.parse(answer.response));
  if (!uuid) return answer;
  return { ...answer, headers: { ETag: uuid, Location: `/api/v1/log/entries/${uuid}` } };
}

// The mock logs a proposed entry as it is. Rekor v1 turns a dsse 0.0.1 proposal
// (`proposedContent: {envelope, verifiers}`) into its canonical form (payload and envelope hashes,
// each signature with its verifier), which is what verifiers compare with the bundle; so does this
// server, for a single-verifier proposal. Anything else is passed through unchanged.
function canonicalDsse(body) {
  let entry;
  try {
    entry = JSON.parse(body);
  } catch {
    return body;
  }
  const proposed = entry?.spec?.proposedContent;
  if (entry?.kind !== 'dsse' || entry?.apiVersion !== '0.0.1' || !proposed) {
    return body;
  }
  const env = JSON.parse(proposed.envelope);
  const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');
  return JSON.stringify({
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha256(proposed.envelope) },
      payloadHash: { algorithm: 'sha256', value: sha256(Buffer.from(env.payload, 'base64')) },
      signatures: env.signatures.map((s) => ({ signature: s.sig, verifier: proposed.verifiers[0] })),
    },
  });
}

// JSON with object keys sorted (RFC 8785 for the strings and objects used here).
function canonicalJson(v) {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

// Rekor v2 (rekor-tiles `POST /api/v2/log/entries`), which the mock's rekorV2Handler does not
// model faithfully: it logs its in-memory request object (no kind or apiVersion) and proves a
// random index in a tree of size 1. Here a hashedRekordRequestV002 becomes the hashedrekord
// 0.0.2 body rekor-tiles logs, in a fresh one-leaf tree (index 0, root = SHA-256(0x00 || body)),
// with a checkpoint signed by the tlog key (note key hint: the first 4 bytes of the log ID, as
// the mock's Rekor v1 checkpoints). No SET: Rekor v2 has none.
function rekorV2Entry(body, tlogKey, port) {
  let req;
  try {
    req = JSON.parse(body);
  } catch (e) {
    return { statusCode: 400, response: String(e) };
  }
  const h = req.hashedRekordRequestV002;
  if (!h || !h.digest || !h.signature?.content || !h.signature?.verifier) {
    return { statusCode: 400, response: 'expected a hashedRekordRequestV002' };
  }
  const entry = Buffer.from(
    canonicalJson({
      apiVersion: '0.0.2',
      kind: 'hashedrekord',
      spec: {
        hashedRekordV002: {
          data: { algorithm: 'SHA2_256', digest: h.digest },
          signature: { content: h.signature.content, verifier: h.signature.verifier },
        },
      },
    }),
  );
  const spki = tlogKey.publicKey.export({ format: 'der', type: 'spki' });
  const logId = crypto.createHash('sha256').update(spki).digest();
  const root = crypto.createHash('sha256').update(Buffer.from([0])).update(entry).digest();
  const host = `127.0.0.1:${port}`;
  const note = `${host}\n1\n${root.toString('base64')}\n`;
  const sig = crypto.sign('sha256', Buffer.from(note), tlogKey.privateKey);
  const checkpoint = `${note}\n\u2014 ${host} ${Buffer.concat([logId.subarray(0, 4), sig]).toString('base64')}\n`;
  const response = {
    logIndex: '0',
    logId: { keyId: logId.toString('base64') },
    kindVersion: { kind: 'hashedrekord', version: '0.0.2' },
    canonicalizedBody: entry.toString('base64'),
    inclusionProof: {
      logIndex: '0',
      rootHash: root.toString('base64'),
      treeSize: '1',
      hashes: [],
      checkpoint: { envelope: checkpoint },
    },
  };
  return { statusCode: 201, response: JSON.stringify(response), contentType: 'application/json' };
}

// Exit when the parent closes our stdin (so a test killed outright leaves no server behind)
// or sends a signal. With stdin not a pipe (a terminal, /dev/null), only signals stop it.
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => process.exit(0));
}
if (process.env.SUPPLY_SIGSTORE_MOCK_STDIN_LIFELINE === '1') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
