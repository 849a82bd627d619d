//! Property tests: any profile written (YAML or JSON) and read back is equal.

use aps_core::{
    ClientAuthenticator, ClientMapper, ClientRegistration, CredentialIssuer, Environment,
    EnvironmentDetail, Flow, Mode, Secret, load_json, load_yaml,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

const KNOWN: &[&str] = &[
    "kind",
    "name",
    "namespace",
    "description",
    "flow",
    "mode",
    "authPlugin",
    "clientAuthenticator",
    "clientRoles",
    "clientMappers",
    "availableScopes",
    "owner",
    "inheritFrom",
    "isShared",
    "clientId",
    "apiKeyName",
    "instruction",
    "resourceType",
    "resourceAccessScope",
    "resourceScopes",
    "environmentDetails",
    "environment",
    "issuerUrl",
    "clientRegistration",
    "clientSecret",
    "initialAccessToken",
    "exists",
    "defaultValue",
];

/// Text that stresses a YAML writer: plain words, YAML-significant strings, and anything.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z][a-zA-Z0-9 -]{0,20}",
        prop::sample::select(vec![
            "",
            " ",
            "null",
            "~",
            "true",
            "no",
            "NO",
            "0x1F",
            "1e3",
            "012",
            "- a",
            "a: b",
            "#c",
            "&a",
            "*a",
            "!t",
            "|",
            ">",
            "'",
            "\"",
            "****",
            "---",
            "...",
            "a\nb",
            "trailing\n",
            " lead",
            "tab\there",
            "%YAML",
            "[x]",
            "{y}",
            "<GW-NAMESPACE>",
            "@at",
            "`tick`",
            "\u{1F600}",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..4)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

fn extra() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec(("[a-z][a-zA-Z_]{0,10}", json_value()), 0..3).prop_map(|entries| {
        entries
            .into_iter()
            .filter(|(k, _)| !KNOWN.contains(&k.as_str()))
            .collect()
    })
}

fn opt<T: std::fmt::Debug + Clone>(
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    prop::option::of(s)
}

fn texts() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(text(), 0..3)
}

fn environment_detail() -> impl Strategy<Value = EnvironmentDetail> {
    (
        prop::sample::select(Environment::ALL.to_vec()),
        opt(text()),
        opt(prop::sample::select(ClientRegistration::ALL.to_vec())),
        opt(text()),
        opt(text().prop_map(Secret::new)),
        opt(text().prop_map(Secret::new)),
        opt(any::<bool>()),
        extra(),
    )
        .prop_map(|(env, url, reg, id, secret, iat, exists, extra)| {
            let mut e = EnvironmentDetail::new(env);
            e.issuer_url = url;
            e.client_registration = reg;
            e.client_id = id;
            e.client_secret = secret;
            e.initial_access_token = iat;
            e.exists = exists;
            e.extra = extra;
            e
        })
}

fn mapper() -> impl Strategy<Value = ClientMapper> {
    (text(), opt(text()), extra()).prop_map(|(name, value, extra)| {
        let mut m = ClientMapper::new(name, "");
        m.default_value = value;
        m.extra = extra;
        m
    })
}

fn profile() -> impl Strategy<Value = CredentialIssuer> {
    let head = (
        text(),
        opt(text()),
        opt(text()),
        opt(prop::sample::select(Flow::ALL.to_vec())),
        opt(prop::sample::select(Mode::ALL.to_vec())),
        opt(text()),
        opt(prop::sample::select(ClientAuthenticator::ALL.to_vec())),
        texts(),
        prop::collection::vec(mapper(), 0..2),
        texts(),
    );
    let tail = (
        opt(text()),
        opt(text()),
        opt(any::<bool>()),
        opt(text()),
        opt(text()),
        opt(text()),
        (opt(text()), opt(text()), texts()),
        prop::collection::vec(environment_detail(), 0..3),
        extra(),
    );
    (head, tail).prop_map(|(h, t)| {
        let mut p = CredentialIssuer::new(h.0);
        (p.namespace, p.description, p.flow, p.mode, p.auth_plugin) = (h.1, h.2, h.3, h.4, h.5);
        (
            p.client_authenticator,
            p.client_roles,
            p.client_mappers,
            p.available_scopes,
        ) = (h.6, h.7, h.8, h.9);
        (
            p.owner,
            p.inherit_from,
            p.is_shared,
            p.client_id,
            p.api_key_name,
            p.instruction,
        ) = (t.0, t.1, t.2, t.3, t.4, t.5);
        (p.resource_type, p.resource_access_scope, p.resource_scopes) = t.6;
        p.environment_details = t.7;
        p.extra = t.8;
        p
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn yaml_round_trip(p in profile()) {
        let yaml = p.to_yaml().unwrap();
        let docs = load_yaml(&yaml).map_err(|e| TestCaseError::fail(format!("{e}\n{yaml}")))?;
        let back: Vec<_> = docs.credential_issuers().cloned().collect();
        prop_assert_eq!(back, vec![p.clone()], "{}", yaml);
        prop_assert_eq!(docs.to_yaml().unwrap(), format!("---\n{yaml}"));
    }

    #[test]
    fn json_round_trip(p in profile()) {
        let json = serde_json::to_string(&p.to_document_value()).unwrap();
        let docs = load_json(&json).map_err(|e| TestCaseError::fail(format!("{e}\n{json}")))?;
        let back: Vec<_> = docs.credential_issuers().cloned().collect();
        prop_assert_eq!(back, vec![p]);
    }

    #[test]
    fn loading_any_text_never_panics(text in any::<String>()) {
        let _ = load_yaml(&text);
        let _ = load_json(&text);
    }
}
