//! Property tests: access policies and access requests (at any point of their lifecycle)
//! written as JSON and read back are equal, as a portal persisting them needs.

use aps_core::{
    AccessPolicy, AccessRequest, ClaimToVerify, ClientAuthenticator, ClientKey, CredentialIssuer,
    Environment, Grants, SUPPORTED_ALGORITHMS, Step, Transition,
};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

const ISSUERS: &[&str] = &[
    "https://loginproxy.gov.bc.ca/auth/realms/apigw",
    "https://idp.example/realms/x",
    "http://127.0.0.1:18080/realms/apigw",
];

fn round_trips<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    value: &T,
) -> Result<(), TestCaseError> {
    let json = serde_json::to_string(value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back: T =
        serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{e}: {json}")))?;
    prop_assert_eq!(&back, value, "{}", json);
    Ok(())
}

fn policy() -> impl Strategy<Value = Result<AccessPolicy, aps_core::PolicyError>> {
    (
        prop::sample::subsequence(ISSUERS.to_vec(), 1..=3),
        prop::option::of("[a-z][a-z0-9-]{0,12}"),
        prop::sample::subsequence(SUPPORTED_ALGORITHMS.to_vec(), 0..3),
        prop::collection::vec("[!#-\\[\\]-~]{1,10}", 0..3),
        prop::collection::vec("[a-zA-Z][a-zA-Z0-9_-]{0,8}", 0..3),
        prop::collection::vec("[a-z][a-z0-9:-]{0,8}:[a-z]{1,6}", 0..3),
        prop::sample::subsequence(vec![ClaimToVerify::Exp, ClaimToVerify::Nbf], 0..=2),
        0u64..=aps_core::MAX_MAXIMUM_EXPIRATION_SECS,
    )
        .prop_map(
            |(issuers, audience, algs, scopes, roles, pairs, claims, max)| {
                let mut b = AccessPolicy::builder()
                    .issuers(issuers)
                    .scopes(scopes)
                    .roles(roles.clone())
                    .claims_to_verify(claims)
                    .maximum_expiration_secs(max);
                for alg in algs {
                    b = b.algorithm(alg);
                }
                for role in roles {
                    b = b.realm_role(role);
                }
                for pair in &pairs {
                    b = b.client_role(pair);
                }
                if let Some(aud) = audience {
                    b = b.audience(aud);
                }
                b.build()
            },
        )
}

fn profile(authenticator: ClientAuthenticator) -> CredentialIssuer {
    let mut p = CredentialIssuer::new("Resource Server Example");
    p.client_authenticator = Some(authenticator);
    p.inherit_from = Some("Gold Shared IdP".into());
    p.client_roles = vec!["read".into(), "write".into()];
    p
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::IssueCredentials),
        prop::sample::subsequence(vec!["read", "write"], 0..=2).prop_map(|roles| Step::Approve {
            grants: Grants::new(Vec::<String>::new(), roles)
        }),
        Just(Step::Reject),
        Just(Step::Revoke),
        Just(Step::RegenerateCredentials),
        Just(Step::UpdateClientKey {
            key: ClientKey::JwksUrl("https://consumer.example/jwks-2.json".into())
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn access_policies_round_trip(built in policy()) {
        match built {
            Ok(policy) => round_trips(&policy)?,
            // The one combination the strategy can produce that a policy refuses.
            Err(err) => prop_assert_eq!(err, aps_core::PolicyError::MaximumExpirationWithoutExp),
        }
    }

    #[test]
    fn access_requests_round_trip_at_every_step(
        authenticator in prop::sample::select(ClientAuthenticator::ALL.to_vec()),
        steps in prop::collection::vec(step(), 0..8),
    ) {
        let p = profile(authenticator);
        let key = (authenticator == ClientAuthenticator::ClientJwtJwksUrl)
            .then(|| ClientKey::JwksUrl("https://consumer.example/jwks.json".into()));
        let mut request = AccessRequest::new(&p, Environment::Test, "ENV1-APP1", key).unwrap();
        round_trips(&request)?;
        for step in steps {
            round_trips(&step)?;
            if let Ok(t) = request.next(&step, &p) {
                round_trips::<Transition>(&t)?;
                request = t.request;
            }
        }
    }
}
