//! What a token request asks for (scope, audience, resource, extra parameters) and the form it
//! becomes. No I/O.

use std::collections::BTreeSet;

use crate::{Error, Result};

/// Form parameters that the crate sets itself and that extra parameters may not override.
const RESERVED: [&str; 7] = [
    "grant_type",
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "scope",
    "scopes",
];

/// The parameters of one client credentials request, beyond the client's own credentials.
///
/// Scopes are sent as the OAuth `scope` parameter (space separated), never as `scopes`: the
/// portal's documentation sends `scopes=openid`, which servers ignore. The order and repetition
/// of scopes do not matter: `a b` and `b a a` are the same request (and the same cache entry).
///
/// ```
/// let request = aps_client::TokenRequest::new()
///     .scope("Function1/read")
///     .audience("ap-my-api")
///     .resource("https://api.example.gov.bc.ca/")
///     .param("tenant", "blue");
/// assert_eq!(request.scope_param().as_deref(), Some("Function1/read"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[must_use]
pub struct TokenRequest {
    scopes: BTreeSet<String>,
    audiences: BTreeSet<String>,
    resources: BTreeSet<String>,
    extra: Vec<(String, String)>,
}

impl TokenRequest {
    /// A request with no scope, audience, resource or extra parameter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one scope, or several separated by spaces.
    pub fn scope(mut self, scope: impl AsRef<str>) -> Self {
        self.scopes
            .extend(scope.as_ref().split_ascii_whitespace().map(str::to_owned));
        self
    }

    /// Adds scopes.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for scope in scopes {
            self = self.scope(scope);
        }
        self
    }

    /// Adds an `audience` parameter (sent once per value). Keycloak ignores it unless a
    /// token-exchange or audience feature uses it; other servers (Auth0, Okta) require it.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.insert(audience.into());
        self
    }

    /// Adds an RFC 8707 `resource` parameter (an absolute URI; sent once per value).
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resources.insert(resource.into());
        self
    }

    /// Adds any other form parameter. Parameters the crate sets itself (`grant_type`,
    /// `client_id`, `client_secret`, `client_assertion*`, `scope`, and the misspelt `scopes`)
    /// are refused when the client is built or the request is sent.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((name.into(), value.into()));
        self.extra.sort();
        self
    }

    /// The `scope` parameter as it is sent, or `None` without scopes.
    pub fn scope_param(&self) -> Option<String> {
        (!self.scopes.is_empty()).then(|| {
            self.scopes
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" ")
        })
    }

    /// Merges `other` into a copy of `self` (defaults of the client, then a call's own values).
    pub(crate) fn merged(&self, other: &Self) -> Self {
        let mut merged = self.clone();
        merged.scopes.extend(other.scopes.iter().cloned());
        merged.audiences.extend(other.audiences.iter().cloned());
        merged.resources.extend(other.resources.iter().cloned());
        merged.extra.extend(other.extra.iter().cloned());
        merged.extra.sort();
        merged.extra.dedup();
        merged
    }

    /// Checks the parameters: no reserved names, resources are absolute URIs without fragment.
    pub(crate) fn validate(&self) -> Result<()> {
        for (name, _) in &self.extra {
            if RESERVED.contains(&name.as_str()) {
                let reason = if name == "scopes" {
                    "`scopes` is not an OAuth parameter (a typo in the portal's docs); use scope()"
                        .to_owned()
                } else {
                    format!("`{name}` is set by aps-client itself")
                };
                return Err(Error::config(format!("param({name})"), reason));
            }
        }
        for resource in &self.resources {
            match url::Url::parse(resource) {
                Ok(url) if url.fragment().is_none() => {}
                Ok(_) => {
                    return Err(Error::config(
                        "resource",
                        format!("{resource}: RFC 8707 forbids a fragment"),
                    ));
                }
                Err(e) => {
                    return Err(Error::config(
                        "resource",
                        format!("{resource}: not an absolute URI: {e}"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The form fields of this request (without grant type and client authentication).
    pub(crate) fn form_fields(&self) -> Vec<(&'static str, String)> {
        let mut form = Vec::new();
        if let Some(scope) = self.scope_param() {
            form.push(("scope", scope));
        }
        form.extend(self.audiences.iter().map(|a| ("audience", a.clone())));
        form.extend(self.resources.iter().map(|r| ("resource", r.clone())));
        form
    }

    /// The extra parameters, in a stable order.
    pub(crate) fn extra(&self) -> &[(String, String)] {
        &self.extra
    }
}

/// Everything that changes which token the server issues: two requests with equal keys may
/// share a cached token, two with different keys never do. The secret or private key is not
/// part of it (rotating a key does not change the token a client gets).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CacheKey {
    pub(crate) endpoint: String,
    pub(crate) client_id: String,
    pub(crate) auth_method: &'static str,
    pub(crate) request: TokenRequest,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_deduplicated_and_ordered() {
        let a = TokenRequest::new().scope("b a").scope("a");
        let b = TokenRequest::new().scopes(["a", "b"]);
        assert_eq!(a, b);
        assert_eq!(a.scope_param().as_deref(), Some("a b"));
        assert_eq!(TokenRequest::new().scope_param(), None);
    }

    #[test]
    fn form_uses_scope_not_scopes_and_repeats_audience_and_resource() {
        let request = TokenRequest::new()
            .scope("Function1/read Function3/write")
            .audience("x")
            .audience("y")
            .resource("https://api.example/");
        assert_eq!(
            request.form_fields(),
            vec![
                ("scope", "Function1/read Function3/write".to_owned()),
                ("audience", "x".to_owned()),
                ("audience", "y".to_owned()),
                ("resource", "https://api.example/".to_owned()),
            ]
        );
    }

    #[test]
    fn reserved_params_and_bad_resources_are_refused() {
        let err = TokenRequest::new()
            .param("scopes", "openid")
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("typo"), "{err}");
        assert!(
            TokenRequest::new()
                .param("client_secret", "x")
                .validate()
                .is_err()
        );
        assert!(
            TokenRequest::new()
                .resource("not a uri")
                .validate()
                .is_err()
        );
        assert!(
            TokenRequest::new()
                .resource("https://a/#frag")
                .validate()
                .is_err()
        );
        assert!(
            TokenRequest::new()
                .param("tenant", "t")
                .resource("https://a/")
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn cache_keys_differ_by_anything_that_changes_the_token() {
        let key = |request: TokenRequest, method| CacheKey {
            endpoint: "https://idp/token".into(),
            client_id: "c".into(),
            auth_method: method,
            request,
        };
        let base = key(TokenRequest::new().scope("a"), "client_secret_basic");
        assert_eq!(
            base,
            key(TokenRequest::new().scope("a a"), "client_secret_basic")
        );
        assert_ne!(base, key(TokenRequest::new().scope("a"), "private_key_jwt"));
        assert_ne!(
            base,
            key(TokenRequest::new().scope("a b"), "client_secret_basic")
        );
        assert_ne!(
            base,
            key(
                TokenRequest::new().scope("a").audience("x"),
                "client_secret_basic"
            )
        );
        assert_ne!(
            base,
            key(
                TokenRequest::new().scope("a").resource("https://r/"),
                "client_secret_basic"
            )
        );
        assert_ne!(
            base,
            key(
                TokenRequest::new().scope("a").param("t", "1"),
                "client_secret_basic"
            )
        );
        assert_eq!(
            key(TokenRequest::new().param("t", "1").param("u", "2"), "x"),
            key(TokenRequest::new().param("u", "2").param("t", "1"), "x")
        );
    }

    #[test]
    fn merge_adds_call_values_to_defaults() {
        let defaults = TokenRequest::new().scope("a").param("t", "1");
        let merged = defaults.merged(&TokenRequest::new().scope("b").param("t", "1"));
        assert_eq!(merged.scope_param().as_deref(), Some("a b"));
        assert_eq!(merged.extra(), [("t".to_owned(), "1".to_owned())]);
    }
}
