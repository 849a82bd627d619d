"""An OAuth client not written here (Python's authlib) against the aps development IdP.

Reads the demo credentials that `aps dev-idp --credentials-out FILE` wrote, then, with
authlib only (no aps code):
  1. discovers the provider,
  2. gets a token with client_secret_basic, then with client_secret_post,
  3. gets a token with private_key_jwt (RFC 7523, authlib's PrivateKeyJWT),
  4. verifies every token's signature against the provider's JWKS (joserfc, authlib's JOSE
     library) and checks iss, exp, azp.
Exits non-zero, saying why, at the first failure.
"""

import json
import sys
import time

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc import jwt
from joserfc.jwk import KeySet


class ShortLivedPrivateKeyJWT(PrivateKeyJWT):
    """authlib's assertions live an hour by default; the DevIdp (like Keycloak's
    recommendations) wants short-lived ones: one minute here."""

    def sign(self, auth, token_endpoint):
        self.claims = {"exp": int(time.time()) + 60}
        return super().sign(auth, token_endpoint)


def fail(message):
    print(f"authlib interop: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def verify(token, issuer, jwks, client_id):
    claims = jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["RS256", "ES256"]).claims
    jwt.JWTClaimsRegistry(iss={"essential": True, "value": issuer}).validate(claims)
    if claims["iss"] != issuer:
        fail(f"iss {claims['iss']!r} != {issuer!r}")
    if claims.get("azp") != client_id:
        fail(f"azp {claims.get('azp')!r} != {client_id!r}")
    return claims


def main(path):
    with open(path, encoding="utf-8") as f:
        demo = json.load(f)
    issuer = demo["issuer"]
    discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
    if discovery["issuer"] != issuer:
        fail(f"discovery issuer {discovery['issuer']!r} != {issuer!r}")
    token_endpoint = discovery["token_endpoint"]
    jwks = requests.get(discovery["jwks_uri"], timeout=5).json()

    def token_for(client_id, secret_or_key, auth_method):
        session = OAuth2Session(client_id, secret_or_key, token_endpoint_auth_method=auth_method)
        token = session.fetch_token(token_endpoint, grant_type="client_credentials")
        return verify(token["access_token"], issuer, jwks, client_id)

    secret_client = demo["secretClient"]
    for method in ("client_secret_basic", "client_secret_post"):
        claims = token_for(secret_client["clientId"], secret_client["clientSecret"], method)
        print(f"authlib interop: {method}: token for {claims['azp']}, scope {claims.get('scope')!r}")

    jwt_client = demo["jwtClient"]
    auth = ShortLivedPrivateKeyJWT(token_endpoint, alg=jwt_client["alg"])
    claims = token_for(jwt_client["clientId"], jwt_client["privateKey"], auth)
    print(f"authlib interop: private_key_jwt ({jwt_client['alg']}): token for {claims['azp']}")

    wrong = OAuth2Session(secret_client["clientId"], "not-the-secret")
    try:
        wrong.fetch_token(token_endpoint, grant_type="client_credentials")
        fail("a wrong secret got a token")
    except Exception as refused:  # authlib raises OAuthError
        if "invalid_client" not in str(refused):
            fail(f"a wrong secret: expected invalid_client, got {refused}")
    print("authlib interop: a wrong secret is refused with invalid_client")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: authlib_client.py DEMO_CREDENTIALS.json")
    main(sys.argv[1])
