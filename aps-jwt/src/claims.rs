//! The claims of a token, parsed once and kept as signed. Each string claim is a span of the
//! JSON text: nothing is copied or allocated per string, and dropping the claims frees one
//! buffer. A string written with escapes is unescaped once, after the JSON text.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Where a string lies in [`Claims::text`].
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
}

/// A list claim: a range of [`Claims::items`].
#[derive(Debug, Clone, Copy, Default)]
struct Items {
    start: usize,
    end: usize,
}

/// The members read; the string claims first, in the order of [`Claims::strings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Member {
    Iss,
    Sub,
    Jti,
    Typ,
    Azp,
    Scope,
    ClientId,
    ClientIdCamel,
    PreferredUsername,
    PayloadHash,
    Aud,
    Exp,
    Nbf,
    Iat,
    RealmAccess,
    ResourceAccess,
}

const STRING_MEMBERS: usize = Member::PayloadHash as usize + 1;

/// Each member with its name, in the order of [`Member`].
const MEMBERS: [(&str, Member); 16] = [
    ("iss", Member::Iss),
    ("sub", Member::Sub),
    ("jti", Member::Jti),
    ("typ", Member::Typ),
    ("azp", Member::Azp),
    ("scope", Member::Scope),
    ("client_id", Member::ClientId),
    ("clientId", Member::ClientIdCamel),
    ("preferred_username", Member::PreferredUsername),
    ("payloadhash", Member::PayloadHash),
    ("aud", Member::Aud),
    ("exp", Member::Exp),
    ("nbf", Member::Nbf),
    ("iat", Member::Iat),
    ("realm_access", Member::RealmAccess),
    ("resource_access", Member::ResourceAccess),
];

impl Member {
    fn from_name(name: &str) -> Option<Member> {
        MEMBERS
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, member)| *member)
    }

    fn name(self) -> &'static str {
        MEMBERS[self as usize].0
    }
}

/// The registered claims plus Keycloak's. A member among these may appear once, so a token
/// cannot say two different things about the same claim. A string claim that is present must be
/// a string: `null` is an error, never "absent" (as for the NumericDates).
pub(crate) struct Claims {
    /// The JSON text as signed, then the unescaped strings.
    text: String,
    json_len: usize,
    strings: [Option<Span>; STRING_MEMBERS],
    /// The strings of every list claim (`aud`, the roles of `realm_access` and of each
    /// `resource_access` client), list after list.
    items: Vec<Span>,
    aud: Items,
    realm_roles: Items,
    /// `resource_access`: each client with its roles, in the order of the token.
    clients: Vec<(Span, Items)>,
    pub(crate) exp: Option<i64>,
    pub(crate) nbf: Option<i64>,
    pub(crate) iat: Option<i64>,
}

impl Claims {
    /// Parses a claims set (a JSON object).
    pub(crate) fn parse(text: String) -> Result<Claims, serde_json::Error> {
        let mut builder = Builder {
            text: &text,
            unescaped: String::new(),
            // Enough for a Keycloak token's audiences and roles without growing.
            items: Vec::with_capacity(32),
            clients: Vec::with_capacity(4),
        };
        let mut deserializer = serde_json::Deserializer::from_str(&text);
        let members = deserializer.deserialize_map(ClaimsVisitor(&mut builder))?;
        deserializer.end()?;
        let Builder {
            unescaped,
            items,
            clients,
            ..
        } = builder;
        let json_len = text.len();
        let mut text = text;
        text.push_str(&unescaped);
        Ok(Claims {
            text,
            json_len,
            strings: members.strings,
            items,
            aud: members.aud,
            realm_roles: members.realm_roles,
            clients,
            exp: members.exp,
            nbf: members.nbf,
            iat: members.iat,
        })
    }

    /// The claims set as JSON text, exactly as signed.
    pub(crate) fn json(&self) -> &str {
        self.text.get(..self.json_len).unwrap_or_default()
    }

    fn str(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or_default()
    }

    fn string(&self, member: Member) -> Option<&str> {
        self.strings[member as usize].map(|span| self.str(span))
    }

    fn list(&self, items: Items) -> ClaimList<'_> {
        ClaimList {
            text: &self.text,
            spans: self
                .items
                .get(items.start..items.end)
                .unwrap_or_default()
                .iter(),
        }
    }

    pub(crate) fn iss(&self) -> Option<&str> {
        self.string(Member::Iss)
    }

    pub(crate) fn sub(&self) -> Option<&str> {
        self.string(Member::Sub)
    }

    pub(crate) fn jti(&self) -> Option<&str> {
        self.string(Member::Jti)
    }

    /// The claim `typ` (Keycloak's token type), not the header's.
    pub(crate) fn typ(&self) -> Option<&str> {
        self.string(Member::Typ)
    }

    pub(crate) fn azp(&self) -> Option<&str> {
        self.string(Member::Azp)
    }

    pub(crate) fn scope(&self) -> Option<&str> {
        self.string(Member::Scope)
    }

    /// RFC 9068's `client_id` (newer Keycloak too).
    pub(crate) fn client_id(&self) -> Option<&str> {
        self.string(Member::ClientId)
    }

    /// Older Keycloak's `clientId`.
    pub(crate) fn client_id_camel(&self) -> Option<&str> {
        self.string(Member::ClientIdCamel)
    }

    pub(crate) fn preferred_username(&self) -> Option<&str> {
        self.string(Member::PreferredUsername)
    }

    /// Kong's upstream JWT: the hash of the request body.
    pub(crate) fn payloadhash(&self) -> Option<&str> {
        self.string(Member::PayloadHash)
    }

    /// `aud`, as a list (a single string is one element).
    pub(crate) fn aud(&self) -> ClaimList<'_> {
        self.list(self.aud)
    }

    pub(crate) fn realm_roles(&self) -> ClaimList<'_> {
        self.list(self.realm_roles)
    }

    /// The roles of `client` in `resource_access`; of a client named twice, the last entry (as
    /// a JSON object read into a map would keep).
    pub(crate) fn client_roles(&self, client: &str) -> ClaimList<'_> {
        let roles = self
            .clients
            .iter()
            .rev()
            .find(|(name, _)| self.str(*name) == client)
            .map(|(_, roles)| *roles)
            .unwrap_or_default();
        self.list(roles)
    }
}

/// The strings of a list claim of a verified token (`aud`, the roles): iterate them, or ask
/// whether one is there. Compares equal to an array of `&str` with the same strings in the same
/// order.
///
/// # Examples
/// ```
/// # fn show(verified: &aps_jwt::VerifiedToken) {
/// if verified.realm_roles().contains("reader") {
///     let roles: Vec<&str> = verified.client_roles("ap-orders").collect();
///     println!("{}", roles.join(", "));
/// }
/// # }
/// ```
#[derive(Clone)]
pub struct ClaimList<'a> {
    text: &'a str,
    spans: std::slice::Iter<'a, Span>,
}

impl<'a> ClaimList<'a> {
    /// Whether the list holds exactly `value` (compared byte for byte).
    #[must_use]
    pub fn contains(&self, value: &str) -> bool {
        self.clone().any(|s| s == value)
    }

    /// Whether the list is empty (or the claim absent).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.spans.len() == 0
    }

    fn get(&self, span: &Span) -> &'a str {
        self.text.get(span.start..span.end).unwrap_or_default()
    }
}

impl<'a> Iterator for ClaimList<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let span = self.spans.next()?;
        Some(self.get(span))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.spans.size_hint()
    }
}

impl DoubleEndedIterator for ClaimList<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let span = self.spans.next_back()?;
        Some(self.get(span))
    }
}

impl ExactSizeIterator for ClaimList<'_> {}

impl std::iter::FusedIterator for ClaimList<'_> {}

impl fmt::Debug for ClaimList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl PartialEq<[&str]> for ClaimList<'_> {
    fn eq(&self, other: &[&str]) -> bool {
        self.len() == other.len() && self.clone().zip(other).all(|(a, b)| a == *b)
    }
}

impl<const N: usize> PartialEq<[&str; N]> for ClaimList<'_> {
    fn eq(&self, other: &[&str; N]) -> bool {
        *self == other[..]
    }
}

impl PartialEq for ClaimList<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.clone().eq(other.clone())
    }
}

impl Eq for ClaimList<'_> {}

/// What parsing collects beside the members: the unescaped strings and the lists.
struct Builder<'t> {
    text: &'t str,
    unescaped: String,
    items: Vec<Span>,
    clients: Vec<(Span, Items)>,
}

impl Builder<'_> {
    /// The span of `s`, a slice of the JSON text.
    fn borrowed(&mut self, s: &str) -> Span {
        let start = s.as_ptr().addr().wrapping_sub(self.text.as_ptr().addr());
        if start <= self.text.len() && s.len() <= self.text.len() - start {
            Span {
                start,
                end: start + s.len(),
            }
        } else {
            self.unescaped(s)
        }
    }

    /// The span `s` will have once it is appended to the JSON text.
    fn unescaped(&mut self, s: &str) -> Span {
        let start = self.text.len() + self.unescaped.len();
        self.unescaped.push_str(s);
        Span {
            start,
            end: start + s.len(),
        }
    }
}

#[derive(Default)]
struct Members {
    strings: [Option<Span>; STRING_MEMBERS],
    aud: Items,
    realm_roles: Items,
    exp: Option<i64>,
    nbf: Option<i64>,
    iat: Option<i64>,
}

struct ClaimsVisitor<'b, 't>(&'b mut Builder<'t>);

impl<'de> Visitor<'de> for ClaimsVisitor<'_, 'de> {
    type Value = Members;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWT claims set")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
        let builder = self.0;
        let mut members = Members::default();
        let mut seen = 0_u32;
        while let Some(key) = map.next_key_seed(MemberName)? {
            let Some(member) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let bit = 1 << member as u32;
            if seen & bit != 0 {
                return Err(de::Error::duplicate_field(member.name()));
            }
            seen |= bit;
            match member {
                Member::Aud => members.aud = map.next_value_seed(Audience(&mut *builder))?,
                Member::Exp => members.exp = Some(map.next_value::<NumericDate>()?.0),
                Member::Nbf => members.nbf = Some(map.next_value::<NumericDate>()?.0),
                Member::Iat => members.iat = Some(map.next_value::<NumericDate>()?.0),
                Member::RealmAccess => {
                    members.realm_roles = map.next_value_seed(Nullable(Access(&mut *builder)))?;
                }
                Member::ResourceAccess => {
                    map.next_value_seed(Nullable(Clients(&mut *builder)))?;
                }
                string => {
                    let span = map.next_value_seed(Str(&mut *builder))?;
                    members.strings[string as usize] = Some(span);
                }
            }
        }
        Ok(members)
    }
}

/// A member name: a claim read here, or `None` for any other (ignored).
struct MemberName;

impl<'de> DeserializeSeed<'de> for MemberName {
    type Value = Option<Member>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for MemberName {
    type Value = Option<Member>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Member::from_name(v))
    }
}

/// A JSON string: its span.
struct Str<'b, 't>(&'b mut Builder<'t>);

impl<'de> DeserializeSeed<'de> for Str<'_, 'de> {
    type Value = Span;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Span, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Str<'_, 'de> {
    type Value = Span;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Span, E> {
        Ok(self.0.borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Span, E> {
        Ok(self.0.unescaped(v))
    }
}

/// An array of strings, appended to the builder's items.
struct List<'b, 't>(&'b mut Builder<'t>);

impl<'de> DeserializeSeed<'de> for List<'_, 'de> {
    type Value = Items;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Items, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for List<'_, 'de> {
    type Value = Items;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of strings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Items, A::Error> {
        let builder = self.0;
        let start = builder.items.len();
        while let Some(span) = seq.next_element_seed(Str(&mut *builder))? {
            builder.items.push(span);
        }
        Ok(Items {
            start,
            end: builder.items.len(),
        })
    }
}

/// `aud`: one string or an array of strings (RFC 7519 section 4.1.3).
struct Audience<'b, 't>(&'b mut Builder<'t>);

impl<'de> DeserializeSeed<'de> for Audience<'_, 'de> {
    type Value = Items;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Items, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Audience<'_, 'de> {
    type Value = Items;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or an array of strings")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Items, E> {
        let span = self.0.borrowed(v);
        Ok(self.one(span))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Items, E> {
        let span = self.0.unescaped(v);
        Ok(self.one(span))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Items, A::Error> {
        List(self.0).visit_seq(seq)
    }
}

impl Audience<'_, '_> {
    fn one(self, span: Span) -> Items {
        let start = self.0.items.len();
        self.0.items.push(span);
        Items {
            start,
            end: start + 1,
        }
    }
}

/// `realm_access` or one client of `resource_access`: an object whose `roles` is read.
struct Access<'b, 't>(&'b mut Builder<'t>);

impl<'de> DeserializeSeed<'de> for Access<'_, 'de> {
    type Value = Items;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Items, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Access<'_, 'de> {
    type Value = Items;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with roles")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Items, A::Error> {
        let builder = self.0;
        let mut roles = None;
        while let Some(is_roles) = map.next_key_seed(RolesName)? {
            if !is_roles {
                map.next_value::<IgnoredAny>()?;
            } else if roles.is_some() {
                return Err(de::Error::duplicate_field("roles"));
            } else {
                roles = Some(map.next_value_seed(List(&mut *builder))?);
            }
        }
        Ok(roles.unwrap_or_default())
    }
}

/// A member name of an access object: whether it is `roles`.
struct RolesName;

impl<'de> DeserializeSeed<'de> for RolesName {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for RolesName {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == "roles")
    }
}

/// `resource_access`: the roles of each client.
struct Clients<'b, 't>(&'b mut Builder<'t>);

impl<'de> DeserializeSeed<'de> for Clients<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Clients<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of clients to roles")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let builder = self.0;
        while let Some(client) = map.next_key_seed(Str(&mut *builder))? {
            let roles = map.next_value_seed(Access(&mut *builder))?;
            builder.clients.push((client, roles));
        }
        Ok(())
    }
}

/// A value that may be `null`, read as absent: `T::Value::default()`.
struct Nullable<T>(T);

impl<'de, T> DeserializeSeed<'de> for Nullable<T>
where
    T: DeserializeSeed<'de>,
    T::Value: Default,
{
    type Value = T::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, T> Visitor<'de> for Nullable<T>
where
    T: DeserializeSeed<'de>,
    T::Value: Default,
{
    type Value = T::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<T::Value, E> {
        Ok(T::Value::default())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<T::Value, D::Error> {
        self.0.deserialize(deserializer)
    }
}

/// The latest NumericDate accepted: 9999-12-31T23:59:59Z. Anything larger is nonsense or an
/// overflow attempt.
const MAX_NUMERIC_DATE: f64 = 253_402_300_799.0;

/// A NumericDate (RFC 7519 section 2): a JSON number of seconds, possibly fractional, read as
/// whole seconds. Strings, booleans, `null`, negative and absurdly large values are errors,
/// never "absent".
struct NumericDate(i64);

impl<'de> de::Deserialize<'de> for NumericDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NumericDateVisitor)
    }
}

struct NumericDateVisitor;

impl Visitor<'_> for NumericDateVisitor {
    type Value = NumericDate;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a NumericDate")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumericDate, E> {
        // Precision is irrelevant here: the value is only range-checked before the cast.
        #[allow(clippy::cast_precision_loss)]
        self.visit_f64(v as f64)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumericDate, E> {
        #[allow(clippy::cast_precision_loss)]
        self.visit_f64(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumericDate, E> {
        if v.is_finite() && (0.0..=MAX_NUMERIC_DATE).contains(&v) {
            // In range, so the cast is exact for the integer part.
            #[allow(clippy::cast_possible_truncation)]
            Ok(NumericDate(v.floor() as i64))
        } else {
            Err(E::custom("NumericDate out of range"))
        }
    }
}

#[cfg(test)]
mod tests;
