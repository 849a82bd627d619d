use super::*;
use crate::profile::{
    ClientAuthenticator, ClientMapper, ClientRegistration, CredentialIssuer, Environment,
    EnvironmentDetail,
};

const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

fn profile(authenticator: ClientAuthenticator) -> CredentialIssuer {
    let mut p = CredentialIssuer::new("Resource Server Example");
    p.client_authenticator = Some(authenticator);
    p.available_scopes = vec!["Function1/read".into(), "Function2/*".into()];
    p.client_roles = vec!["read".into(), "write".into()];
    p.client_mappers = vec![ClientMapper::new("audience", "my-api")];
    let mut env = EnvironmentDetail::new(Environment::Prod);
    env.issuer_url = Some("https://idp.example/realms/apigw".into());
    env.client_registration = Some(ClientRegistration::Managed);
    p.environment_details.push(env);
    p
}

fn key_for(authenticator: ClientAuthenticator) -> Option<ClientKey> {
    (authenticator == ClientAuthenticator::ClientJwtJwksUrl)
        .then(|| ClientKey::JwksUrl("https://consumer.example/jwks.json".into()))
}

fn request(authenticator: ClientAuthenticator) -> (CredentialIssuer, AccessRequest) {
    let p = profile(authenticator);
    let r = AccessRequest::new(&p, Environment::Prod, "ENV1-APP1", key_for(authenticator)).unwrap();
    (p, r)
}

fn in_state(state: State) -> (CredentialIssuer, AccessRequest) {
    let (p, mut r) = request(ClientAuthenticator::ClientSecret);
    let path: &[Step] = match state {
        State::Requested => &[],
        State::CredentialsIssued => &[Step::IssueCredentials],
        State::Approved => &[Step::IssueCredentials, approve()],
        State::Rejected => &[Step::Reject],
        State::Revoked => &[Step::IssueCredentials, approve(), Step::Revoke],
    };
    for step in path {
        r = r.next(step, &p).unwrap().request;
    }
    assert_eq!(r.state(), state);
    (p, r)
}

fn approve() -> Step {
    Step::Approve {
        grants: Grants::new(["Function1/read"], ["read"]),
    }
}

fn all_steps() -> Vec<Step> {
    vec![
        Step::IssueCredentials,
        approve(),
        Step::Reject,
        Step::Revoke,
        Step::RegenerateCredentials,
        Step::UpdateClientKey {
            key: ClientKey::Certificate(CERT.into()),
        },
    ]
}

#[test]
fn legal_and_illegal_transitions_form_the_documented_table() {
    use State::*;
    use StepKind as K;
    let legal: &[(State, StepKind, State)] = &[
        (Requested, K::IssueCredentials, CredentialsIssued),
        (Requested, K::Reject, Rejected),
        (CredentialsIssued, K::Approve, Approved),
        (CredentialsIssued, K::Reject, Rejected),
        (
            CredentialsIssued,
            K::RegenerateCredentials,
            CredentialsIssued,
        ),
        (Approved, K::Approve, Approved),
        (Approved, K::Revoke, Revoked),
        (Approved, K::RegenerateCredentials, Approved),
    ];
    for state in [Requested, CredentialsIssued, Approved, Rejected, Revoked] {
        let (p, r) = in_state(state);
        for step in all_steps() {
            let kind = step.kind();
            let expected = legal.iter().find(|(s, k, _)| *s == state && *k == kind);
            match (r.next(&step, &p), expected) {
                (Ok(t), Some((_, _, to))) => {
                    assert_eq!(t.request.state(), *to, "{state:?} {kind:?}")
                }
                (Err(TransitionError::IllegalTransition { state: s, step: k }), None) => {
                    assert_eq!((s, k), (state, kind));
                }
                // update-client-key is legal in these states but needs client-jwt-jwks-url
                (Err(TransitionError::UnsupportedAuthenticator { .. }), None)
                    if kind == K::UpdateClientKey
                        && matches!(state, CredentialsIssued | Approved) => {}
                (other, expected) => {
                    panic!("{state:?} {kind:?}: got {other:?}, expected {expected:?}")
                }
            }
        }
    }
}

#[test]
fn illegal_transition_message_names_state_and_step() {
    let (p, r) = in_state(State::Requested);
    let err = r.next(&approve(), &p).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot approve an access request that is requested"
    );
    assert!(err.is_illegal_transition());
    let (p, r) = in_state(State::Revoked);
    let err = r.next(&Step::RegenerateCredentials, &p).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot regenerate credentials of an access request that is revoked"
    );
}

#[test]
fn issuing_registers_a_disabled_client_with_audience_and_key() {
    let (p, r) = request(ClientAuthenticator::ClientJwt);
    let t = r.next(&Step::IssueCredentials, &p).unwrap();
    assert_eq!(
        t.actions,
        vec![Action::RegisterClient {
            client_id: "ENV1-APP1".into(),
            authenticator: ClientAuthenticator::ClientJwt,
            generate_key_pair: true,
            client_key: None,
            audiences: vec!["my-api".into()],
        }]
    );
    assert_eq!(t.request.credential_generation(), 1);
}

#[test]
fn approval_checks_grants_against_the_profile() {
    let (p, r) = in_state(State::CredentialsIssued);
    let bad_scope = Step::Approve {
        grants: Grants::new(["Function3/write"], Vec::<String>::new()),
    };
    assert_eq!(
        r.next(&bad_scope, &p).unwrap_err().to_string(),
        "scope `Function3/write` is not offered by the profile (see its availableScopes)"
    );
    let bad_role = Step::Approve {
        grants: Grants::new(Vec::<String>::new(), ["admin"]),
    };
    assert_eq!(
        r.next(&bad_role, &p).unwrap_err(),
        TransitionError::NotOffered {
            what: "role",
            field: "clientRoles",
            value: "admin".into()
        }
    );
    let twice = Step::Approve {
        grants: Grants::new(["Function1/read", "Function1/read"], ["read"]),
    };
    let t = r.next(&twice, &p).unwrap();
    assert_eq!(
        t.request.grants(),
        &Grants::new(["Function1/read"], ["read"])
    );
    assert_eq!(
        t.actions,
        vec![Action::EnableClient {
            client_id: "ENV1-APP1".into(),
            grants: Grants::new(["Function1/read"], ["read"])
        }]
    );
}

#[test]
fn reject_and_revoke_delete_the_client_even_after_a_partial_registration() {
    // From `requested`, a registration that failed half-way may have left a client behind.
    for state in [State::Requested, State::CredentialsIssued] {
        let (p, r) = in_state(state);
        assert_eq!(
            r.next(&Step::Reject, &p).unwrap().actions,
            vec![Action::DeleteClient {
                client_id: "ENV1-APP1".into()
            }],
            "{state:?}"
        );
    }
    let (p, r) = in_state(State::Approved);
    assert_eq!(
        r.next(&Step::Revoke, &p).unwrap().actions,
        vec![Action::DeleteClient {
            client_id: "ENV1-APP1".into()
        }]
    );
}

#[test]
fn regeneration_depends_on_the_authenticator() {
    let cases = [
        (
            ClientAuthenticator::ClientSecret,
            vec![Action::RegenerateSecret {
                client_id: "ENV1-APP1".into(),
            }],
            2,
        ),
        (
            ClientAuthenticator::ClientJwt,
            vec![Action::RegenerateKeyPair {
                client_id: "ENV1-APP1".into(),
            }],
            2,
        ),
        (ClientAuthenticator::ClientJwtJwksUrl, vec![], 1),
    ];
    for (authenticator, actions, generation) in cases {
        let (p, r) = request(authenticator);
        let r = r.next(&Step::IssueCredentials, &p).unwrap().request;
        let t = r.next(&Step::RegenerateCredentials, &p).unwrap();
        assert_eq!(t.actions, actions, "{authenticator}");
        assert_eq!(t.request.credential_generation(), generation);
    }
}

#[test]
fn client_key_rules() {
    let p = profile(ClientAuthenticator::ClientJwtJwksUrl);
    assert_eq!(
        AccessRequest::new(&p, Environment::Prod, "E-A", None),
        Err(TransitionError::ClientKeyRequired)
    );
    assert_eq!(
        ClientKey::from_parts(Some("https://c.example/jwks"), Some(CERT)),
        Err(TransitionError::BothClientKeys)
    );
    assert_eq!(
        TransitionError::BothClientKeys.to_string(),
        "Only one of JWKS Url or Client Certificate are required."
    );
    assert_eq!(
        ClientKey::from_parts(None, Some(" ")),
        Err(TransitionError::ClientKeyRequired)
    );
    let bad_url = Some(ClientKey::JwksUrl("http://c.example/jwks".into()));
    assert_eq!(
        AccessRequest::new(&p, Environment::Prod, "E-A", bad_url),
        Err(TransitionError::InvalidJwksUrl)
    );
    let loopback = Some(ClientKey::JwksUrl("http://127.0.0.1:9000/jwks".into()));
    assert!(AccessRequest::new(&p, Environment::Prod, "E-A", loopback).is_ok());
    let bad_cert = Some(ClientKey::Certificate("MIIB".into()));
    assert_eq!(
        AccessRequest::new(&p, Environment::Prod, "E-A", bad_cert),
        Err(TransitionError::InvalidCertificate)
    );
    let secret_profile = profile(ClientAuthenticator::ClientSecret);
    assert_eq!(
        AccessRequest::new(
            &secret_profile,
            Environment::Prod,
            "E-A",
            Some(ClientKey::Certificate(CERT.into()))
        ),
        Err(TransitionError::ClientKeyNotAllowed {
            authenticator: ClientAuthenticator::ClientSecret
        })
    );

    let (p, r) = request(ClientAuthenticator::ClientJwtJwksUrl);
    let r = r.next(&Step::IssueCredentials, &p).unwrap().request;
    let key = ClientKey::from_parts(None, Some(CERT)).unwrap();
    let t = r
        .next(&Step::UpdateClientKey { key: key.clone() }, &p)
        .unwrap();
    assert_eq!(t.request.client_key(), Some(&key));
    assert_eq!(
        t.actions,
        vec![Action::UpdateClientKey {
            client_id: "ENV1-APP1".into(),
            key
        }]
    );

    let (p, r) = in_state(State::Approved);
    let err = r
        .next(
            &Step::UpdateClientKey {
                key: ClientKey::Certificate(CERT.into()),
            },
            &p,
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot update the client key of an access request whose client uses `client-secret`: only \
         `client-jwt-jwks-url` has a JWKS URL or certificate"
    );
}

#[test]
fn requests_need_an_offered_environment_and_an_authenticator() {
    let p = profile(ClientAuthenticator::ClientSecret);
    assert_eq!(
        AccessRequest::new(&p, Environment::Dev, "E-A", None),
        Err(TransitionError::EnvironmentNotOffered {
            environment: Environment::Dev,
            reason: crate::PolicyError::EnvironmentNotConfigured {
                environment: Environment::Dev
            }
        })
    );
    assert_eq!(
        AccessRequest::new(&p, Environment::Dev, "E-A", None)
            .unwrap_err()
            .to_string(),
        "the profile does not offer environment `dev`: the profile has no `dev` entry in \
         environmentDetails"
    );
    let mut no_auth = p.clone();
    no_auth.client_authenticator = None;
    assert_eq!(
        AccessRequest::new(&no_auth, Environment::Prod, "E-A", None),
        Err(TransitionError::NoAuthenticator)
    );
    assert!(matches!(
        AccessRequest::new(&p, Environment::Prod, " ", None),
        Err(TransitionError::InvalidClientId { .. })
    ));
}

#[test]
fn everything_serialises_and_a_persisted_request_resumes() {
    let (p, r) = in_state(State::CredentialsIssued);
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(
        json,
        r#"{"consumerClientId":"ENV1-APP1","environment":"prod","authenticator":"client-secret","state":"credentials-issued","grants":{"defaultClientScopes":[],"roles":[]},"credentialGeneration":1}"#
    );
    let resumed: AccessRequest = serde_json::from_str(&json).unwrap();
    assert_eq!(resumed, r);
    let t = resumed.next(&approve(), &p).unwrap();
    let step_json = serde_json::to_string(&approve()).unwrap();
    assert_eq!(
        step_json,
        r#"{"step":"approve","grants":{"defaultClientScopes":["Function1/read"],"roles":["read"]}}"#
    );
    assert_eq!(serde_json::from_str::<Step>(&step_json).unwrap(), approve());
    let t_json = serde_json::to_string(&t).unwrap();
    assert_eq!(serde_json::from_str::<Transition>(&t_json).unwrap(), t);
    assert!(
        t_json.contains(r#"{"action":"enable-client","clientId":"ENV1-APP1""#),
        "{t_json}"
    );
}

#[test]
fn a_resumed_request_is_checked_like_a_new_one() {
    let (_, r) = in_state(State::CredentialsIssued);
    let json = serde_json::to_value(&r).unwrap();
    let with = |field: &str, value: serde_json::Value| {
        let mut broken = json.clone();
        broken[field] = value;
        serde_json::from_value::<AccessRequest>(broken)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        with("consumerClientId", "ENV1 APP1".into()),
        "`ENV1 APP1` is not a usable client id"
    );
    assert_eq!(
        with("clientKey", serde_json::json!({"certificate": CERT})),
        "a JWKS URL or certificate is not used with `client-secret`"
    );
    assert_eq!(
        with("authenticator", "client-jwt-jwks-url".into()),
        "a JWKS URL or a client certificate is required with `client-jwt-jwks-url`"
    );
    assert!(with("stateOfMind", "calm".into()).starts_with("unknown field `stateOfMind`"));
}

#[test]
fn regenerating_never_overflows_the_generation_counter() {
    let (p, r) = in_state(State::Approved);
    let mut json = serde_json::to_value(&r).unwrap();
    json["credentialGeneration"] = u32::MAX.into();
    let r: AccessRequest = serde_json::from_value(json).unwrap();
    let t = r.next(&Step::RegenerateCredentials, &p).unwrap();
    assert_eq!(t.request.credential_generation(), u32::MAX);
    assert_eq!(t.actions.len(), 1);
}
