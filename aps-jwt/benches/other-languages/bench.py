"""PyJWT measured as aps-jwt/benches/steady.rs measures aps-jwt: alternating batches of about
4 ms of the raw `cryptography` verify (Python's floor) and PyJWT's decode.

Run: python bench.py <dump dir> (the dir written by STEADY_DUMP=<dir> cargo bench ... steady).
"""

import base64
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

import jwt
import jwt.api_jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

folder = Path(sys.argv[1])
settings = json.loads((folder / "settings.json").read_text())
token = (folder / "rs256.token").read_text().strip()
jwk = json.loads((folder / "rs256.jwks.json").read_text())["keys"][0]

# The key parsed from the JWK once: a cryptography RSAPublicKey, used by both cases.
public_key = jwt.PyJWK(jwk, "RS256").key

# The floor: cryptography over the pre-decoded signing input and signature.
signing_input, _, sig_b64 = token.rpartition(".")
signing_input = signing_input.encode()
sig = base64.urlsafe_b64decode(sig_b64 + "=" * (-len(sig_b64) % 4))
pkcs1, sha256 = padding.PKCS1v15(), hashes.SHA256()


# PyJWT has no clock option: it reads `datetime.now` in `jwt.api_jwt`. That name is replaced by
# a datetime whose now() is the pinned `now`, so exp, nbf and iat are checked at `now`.
class PinnedDatetime(datetime):
    at = settings["now"]

    @classmethod
    def now(cls, tz=None):
        return datetime.fromtimestamp(cls.at, tz)


jwt.api_jwt.datetime = PinnedDatetime
decoder = jwt.PyJWT(options={"require": ["exp"]})


def floor():
    public_key.verify(sig, signing_input, pkcs1, sha256)


def pyjwt():
    claims = decoder.decode(
        token,
        public_key,
        algorithms=["RS256"],
        issuer=settings["issuer"],
        audience=settings["audience"],
    )
    assert claims["azp"]


# The pinning works: an hour after `now` the token is refused as expired.
PinnedDatetime.at = settings["now"] + 3600
try:
    pyjwt()
    sys.exit("PyJWT accepted an expired token: the clock is not pinned")
except jwt.ExpiredSignatureError:
    PinnedDatetime.at = settings["now"]

group = [("RS256/floor (cryptography)", floor), ("RS256/PyJWT 2", pyjwt)]


def env(name, default):
    try:
        return int(os.environ[name])
    except (KeyError, ValueError):
        return default


def timed(run, iters):
    """Nanoseconds per call of `iters` calls."""
    start = time.perf_counter_ns()
    for _ in range(iters):
        run()
    return (time.perf_counter_ns() - start) / iters


def quantile(v, q):
    """The value at quantile q of sorted v (nearest rank, as steady.rs)."""
    return v[int((len(v) - 1) * q + 0.5)]


rounds = env("STEADY_ROUNDS", 41)
batch_ns = env("STEADY_BATCH_MS", 4) * 1e6
print(
    f"rounds: {rounds}, batches of ~{batch_ns / 1e6:g} ms, alternating; "
    "ns per call: median [p10-p90]; ratio to the floor per round"
)
iters = []
for _, run in group:
    timed(run, 200)
    iters.append(max(1, int(batch_ns / timed(run, 200))))
samples = [[] for _ in group]
ratios = [[] for _ in group]
for round_ in range(rounds):
    now = [0.0] * len(group)
    for k in range(len(group)):
        i = (k + round_) % len(group)
        now[i] = timed(group[i][1], iters[i])
    for i in range(len(group)):
        samples[i].append(now[i])
        ratios[i].append(now[i] / now[0])
for i, (name, _) in enumerate(group):
    s, r = sorted(samples[i]), sorted(ratios[i])
    print(
        f"{name:<28} {quantile(s, 0.5):>9.0f} ns [{quantile(s, 0.1):.0f}-{quantile(s, 0.9):.0f}]"
        f"   x{quantile(r, 0.5):.3f} [{quantile(r, 0.1):.3f}-{quantile(r, 0.9):.3f}]"
    )
