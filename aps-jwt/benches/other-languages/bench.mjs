// Node's jose measured as aps-jwt/benches/steady.rs measures aps-jwt: alternating batches of
// about 4 ms of the raw node:crypto verify (Node's floor) and jose's jwtVerify.
//
// Run: node bench.mjs <dump dir> (the dir written by STEADY_DUMP=<dir> cargo bench ... steady).
import { createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { importJWK, jwtVerify } from "jose";

const dir = process.argv[2];
const read = (name) => readFileSync(join(dir, name), "utf8");
const settings = JSON.parse(read("settings.json"));
const token = read("rs256.token").trim();
const jwk = JSON.parse(read("rs256.jwks.json")).keys[0];

// The floor: node:crypto over the pre-decoded signing input and signature, key made once.
const keyObject = createPublicKey({ key: jwk, format: "jwk" });
const dot = token.lastIndexOf(".");
const input = Buffer.from(token.slice(0, dot));
const sig = Buffer.from(token.slice(dot + 1), "base64url");

// jose: the JWK imported once; jwtVerify is async (WebCrypto), so each call is awaited.
const joseKey = await importJWK(jwk, "RS256");
const options = {
  algorithms: ["RS256"],
  issuer: settings.issuer,
  audience: settings.audience,
  requiredClaims: ["exp"],
  currentDate: new Date(settings.now * 1000),
};

let sink;
const group = [
  {
    name: "RS256/floor (node:crypto)",
    run: () => {
      if (!verify("sha256", input, keyObject, sig)) throw new Error("bad signature");
    },
  },
  {
    name: "RS256/jose 6",
    run: async () => {
      sink = (await jwtVerify(token, joseKey, options)).payload;
    },
    async: true,
  },
];

const env = (name, def) => {
  const v = Number.parseInt(process.env[name] ?? "", 10);
  return Number.isNaN(v) ? def : v;
};

// Nanoseconds per call of `iters` calls.
async function time(c, iters) {
  const start = process.hrtime.bigint();
  if (c.async) {
    for (let n = 0; n < iters; n++) await c.run();
  } else {
    for (let n = 0; n < iters; n++) c.run();
  }
  return Number(process.hrtime.bigint() - start) / iters;
}

// The value at quantile q of sorted v (nearest rank, as steady.rs).
const quantile = (v, q) => v[Math.round((v.length - 1) * q)];
const sorted = (v) => [...v].sort((a, b) => a - b);

const rounds = env("STEADY_ROUNDS", 41);
const batchNs = env("STEADY_BATCH_MS", 4) * 1e6;
console.log(
  `rounds: ${rounds}, batches of ~${batchNs / 1e6} ms, alternating; ns per call: median [p10-p90]; ratio to the floor per round`,
);
const iters = [];
for (const c of group) {
  await time(c, 200);
  iters.push(Math.max(1, Math.floor(batchNs / (await time(c, 200)))));
}
const samples = group.map(() => []);
const ratios = group.map(() => []);
for (let round = 0; round < rounds; round++) {
  const now = [];
  for (let k = 0; k < group.length; k++) {
    const i = (k + round) % group.length;
    now[i] = await time(group[i], iters[i]);
  }
  group.forEach((_, i) => {
    samples[i].push(now[i]);
    ratios[i].push(now[i] / now[0]);
  });
}
group.forEach((c, i) => {
  const s = sorted(samples[i]);
  const r = sorted(ratios[i]);
  const f = (x, d) => x.toFixed(d);
  console.log(
    `${c.name.padEnd(28)} ${f(quantile(s, 0.5), 0).padStart(9)} ns [${f(quantile(s, 0.1), 0)}-${f(quantile(s, 0.9), 0)}]   x${f(quantile(r, 0.5), 3)} [${f(quantile(r, 0.1), 3)}-${f(quantile(r, 0.9), 3)}]`,
  );
});
if (sink === undefined) throw new Error("jose never ran");
