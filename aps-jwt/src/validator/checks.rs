//! The pure claim and grant checks: functions of (settings, header, claims, now).

use aps_core::{ClientRole, Denial};

use crate::claims::Claims;
use crate::token::Header;
use crate::validation_error::ValidationError;

/// Which tokens count as access tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenType {
    /// An access token: the header `typ` is `at+jwt` (RFC 9068), or the claim `typ` is
    /// `Bearer` (Keycloak). An ID token (`typ: ID`), a refresh token (`Refresh`) or any other
    /// explicit type is refused. The default.
    #[default]
    Access,
    /// Any type. Use only for tokens that are not access tokens by design.
    Any,
}

/// Time and audience checks.
#[derive(Debug, Clone)]
pub(crate) struct ClaimChecks {
    pub(crate) leeway: i64,
    pub(crate) maximum_expiration: Option<i64>,
    pub(crate) audiences: Vec<String>,
    pub(crate) authorized_parties: Vec<String>,
    pub(crate) require_iat: bool,
    pub(crate) require_nbf: bool,
    pub(crate) require_jti: bool,
    pub(crate) token_type: TokenType,
}

/// The default clock-skew allowance of the [`Validator`](crate::Validator) and the
/// [`AssertionVerifier`](crate::AssertionVerifier): 30 s.
pub const DEFAULT_LEEWAY: std::time::Duration = std::time::Duration::from_secs(30);

impl Default for ClaimChecks {
    fn default() -> Self {
        ClaimChecks {
            leeway: DEFAULT_LEEWAY.as_secs().cast_signed(),
            maximum_expiration: None,
            audiences: Vec::new(),
            authorized_parties: Vec::new(),
            require_iat: true,
            require_nbf: false,
            require_jti: false,
            token_type: TokenType::Access,
        }
    }
}

/// The largest clock-skew allowance a verifier accepts: RFC 8725 section 3.4 wants a small one.
pub(crate) const MAX_LEEWAY: std::time::Duration = std::time::Duration::from_secs(300);

/// `leeway` in whole seconds, if it is within [`MAX_LEEWAY`].
pub(crate) fn leeway_secs(leeway: std::time::Duration) -> Option<i64> {
    (leeway <= MAX_LEEWAY)
        .then(|| i64::try_from(leeway.as_secs()).ok())
        .flatten()
}

/// Whether a token with this `exp` is still valid at `now` (RFC 7519 section 4.1.4: now must be
/// before `exp`, give or take the leeway).
pub(crate) fn unexpired(exp: i64, now: i64, leeway: i64) -> bool {
    now < exp.saturating_add(leeway)
}

impl ClaimChecks {
    pub(crate) fn check(
        &self,
        header: &Header,
        claims: &Claims,
        now: i64,
    ) -> Result<(), ValidationError> {
        let exp = claims.exp.ok_or(ValidationError::MissingExpiry)?;
        if !unexpired(exp, now, self.leeway) {
            return Err(ValidationError::Expired);
        }
        match claims.nbf {
            Some(nbf) if nbf > now.saturating_add(self.leeway) => {
                return Err(ValidationError::NotYetValid);
            }
            None if self.require_nbf => return Err(ValidationError::MissingClaim("nbf")),
            _ => {}
        }
        match claims.iat {
            Some(iat) if iat > now.saturating_add(self.leeway) => {
                return Err(ValidationError::IssuedInFuture);
            }
            None if self.require_iat => return Err(ValidationError::MissingClaim("iat")),
            _ => {}
        }
        if let Some(max) = self.maximum_expiration
            && exp.saturating_sub(now) > max
        {
            return Err(ValidationError::LifetimeTooLong);
        }
        if self.require_jti && claims.jti().is_none() {
            return Err(ValidationError::MissingClaim("jti"));
        }
        if !self.audiences.is_empty()
            && !claims
                .aud()
                .any(|a| self.audiences.iter().any(|want| want == a))
        {
            return Err(ValidationError::Audience);
        }
        if !self.authorized_parties.is_empty()
            && !own_client(claims)
                .is_some_and(|client| self.authorized_parties.iter().any(|p| p == client))
        {
            return Err(ValidationError::AuthorizedParty);
        }
        if self.token_type == TokenType::Access && !is_access_token(header, claims) {
            return Err(ValidationError::TokenType);
        }
        Ok(())
    }
}

/// The client the token was issued to: `azp`, or RFC 9068's `client_id` when there is no
/// `azp` (never `client_id` when `azp` says otherwise).
fn own_client(claims: &Claims) -> Option<&str> {
    claims.azp().or(claims.client_id())
}

fn is_access_token(header: &Header, claims: &Claims) -> bool {
    // Case-insensitive, `application/` optional (RFC 7515 section 4.1.9), without allocating.
    let header_typ = header.typ.as_deref().map(|t| {
        t.get(..12)
            .filter(|prefix| prefix.eq_ignore_ascii_case("application/"))
            .map_or(t, |_| &t[12..])
    });
    match header_typ {
        Some(t) if t.eq_ignore_ascii_case("at+jwt") => {
            matches!(claims.typ(), None | Some("Bearer"))
        }
        Some(t) if !t.eq_ignore_ascii_case("jwt") => false,
        _ => claims.typ() == Some("Bearer"),
    }
}

/// The grants a token must carry: any-of within each list (or all-of), AND across lists; an
/// empty list passes. Realm roles and client roles are separate namespaces.
#[derive(Debug, Clone, Default)]
pub(crate) struct Grants {
    pub(crate) scopes: Vec<String>,
    pub(crate) realm_roles: Vec<String>,
    pub(crate) roles: Vec<String>,
    pub(crate) client_roles: Vec<ClientRole>,
    pub(crate) require_all: bool,
}

impl Grants {
    pub(crate) fn authorize(&self, claims: &Claims) -> Result<(), Denial> {
        let satisfied = |required: usize, has: &dyn Fn(usize) -> bool| {
            required == 0
                || if self.require_all {
                    (0..required).all(has)
                } else {
                    (0..required).any(has)
                }
        };
        let scope = claims.scope().unwrap_or("");
        // Empty pieces (`"a  b"`, `""`) are never a scope, whatever is required.
        if !satisfied(self.scopes.len(), &|i| {
            scope
                .split(' ')
                .any(|s| !s.is_empty() && s == self.scopes[i])
        }) {
            return Err(Denial::MissingScope {
                required: self.scopes.clone(),
                all_of: self.require_all,
            });
        }
        let realm = claims.realm_roles();
        if !satisfied(self.realm_roles.len(), &|i| {
            realm.contains(&self.realm_roles[i])
        }) {
            return Err(Denial::MissingRealmRole {
                required: self.realm_roles.clone(),
                all_of: self.require_all,
            });
        }
        let azp_roles = own_client(claims).map(|client| claims.client_roles(client));
        if !satisfied(self.roles.len(), &|i| {
            azp_roles
                .as_ref()
                .is_some_and(|roles| roles.contains(&self.roles[i]))
        }) {
            return Err(Denial::MissingRole {
                required: self.roles.clone(),
                all_of: self.require_all,
            });
        }
        if !satisfied(self.client_roles.len(), &|i| {
            let wanted = &self.client_roles[i];
            claims.client_roles(wanted.client()).contains(wanted.role())
        }) {
            return Err(Denial::MissingClientRole {
                required: self.client_roles.clone(),
                all_of: self.require_all,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
