//! Template placeholders (`<GW-NAMESPACE>`, `<https://auth-issuer>`, ...) left unfilled.

use serde_json::Value;

use crate::problem::Problem;
use crate::profile::CredentialIssuer;
use crate::secret::looks_secret;

/// Reports every string value that still holds a template placeholder. Secret values are
/// checked too, but never echoed.
pub(super) fn check(p: &CredentialIssuer, out: &mut Vec<Problem>) {
    // (path, value, whether it is Markdown)
    let single: [(&str, Option<&str>, bool); 11] = [
        ("name", Some(&p.name), false),
        ("namespace", p.namespace.as_deref(), false),
        ("description", p.description.as_deref(), true),
        ("authPlugin", p.auth_plugin.as_deref(), false),
        ("owner", p.owner.as_deref(), false),
        ("inheritFrom", p.inherit_from.as_deref(), false),
        ("clientId", p.client_id.as_deref(), false),
        ("apiKeyName", p.api_key_name.as_deref(), false),
        ("instruction", p.instruction.as_deref(), true),
        ("resourceType", p.resource_type.as_deref(), false),
        (
            "resourceAccessScope",
            p.resource_access_scope.as_deref(),
            false,
        ),
    ];
    let mut strings: Vec<(String, &str, bool)> = Vec::new();
    for (path, value, markdown) in single {
        add(&mut strings, path.to_owned(), value, markdown);
    }
    for (field, list) in [
        ("clientRoles", &p.client_roles),
        ("availableScopes", &p.available_scopes),
        ("resourceScopes", &p.resource_scopes),
    ] {
        for (i, value) in list.iter().enumerate() {
            add(&mut strings, format!("{field}[{i}]"), Some(value), false);
        }
    }
    for (i, mapper) in p.client_mappers.iter().enumerate() {
        add(
            &mut strings,
            format!("clientMappers[{i}].name"),
            Some(&mapper.name),
            false,
        );
        add(
            &mut strings,
            format!("clientMappers[{i}].defaultValue"),
            mapper.default_value.as_deref(),
            false,
        );
    }
    for (i, env) in p.environment_details.iter().enumerate() {
        add(
            &mut strings,
            format!("environmentDetails[{i}].issuerUrl"),
            env.issuer_url.as_deref(),
            false,
        );
        add(
            &mut strings,
            format!("environmentDetails[{i}].clientId"),
            env.client_id.as_deref(),
            false,
        );
    }
    for (path, value, markdown) in strings {
        if let Some(placeholder) = find_placeholder(value, markdown) {
            out.push(Problem::error(
                path,
                format!("placeholder `{placeholder}` from a template is not filled in"),
            ));
        }
    }
    for (i, env) in p.environment_details.iter().enumerate() {
        for (name, secret) in [
            ("clientSecret", &env.client_secret),
            ("initialAccessToken", &env.initial_access_token),
        ] {
            if secret
                .as_ref()
                .and_then(|s| s.expose())
                .is_some_and(|v| find_placeholder(v, false).is_some())
            {
                out.push(Problem::error(
                    format!("environmentDetails[{i}].{name}"),
                    SECRET_PLACEHOLDER,
                ));
            }
        }
    }
    for (key, value) in &p.extra {
        if let Value::String(text) = value
            && let Some(placeholder) = find_placeholder(text, false)
        {
            let message = if looks_secret(key) {
                SECRET_PLACEHOLDER.to_owned()
            } else {
                format!("placeholder `{placeholder}` from a template is not filled in")
            };
            out.push(Problem::error(key.clone(), message));
        }
    }
}

/// For values that may be secrets: says what is wrong without echoing any of the value.
const SECRET_PLACEHOLDER: &str = "holds a placeholder from a template, not a real value";

fn add<'a>(
    strings: &mut Vec<(String, &'a str, bool)>,
    path: String,
    value: Option<&'a str>,
    markdown: bool,
) {
    if let Some(value) = value {
        strings.push((path, value, markdown));
    }
}

/// A `<...>` placeholder: the whole value for Markdown text (which may hold HTML tags),
/// anywhere for other fields.
pub(crate) fn find_placeholder(value: &str, markdown: bool) -> Option<&str> {
    let trimmed = value.trim();
    if markdown {
        let inner = trimmed.strip_prefix('<')?.strip_suffix('>')?;
        return (!inner.is_empty() && !inner.contains(['<', '>', '\n'])).then_some(trimmed);
    }
    let mut from = 0;
    while let Some(found) = value[from..].find('<') {
        let start = from + found;
        let after = &value[start + 1..];
        match after.find(['>', '<', '\n']) {
            Some(len) if len > 0 && after[len..].starts_with('>') => {
                return Some(&value[start..start + len + 2]);
            }
            _ => from = start + 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::find_placeholder;

    #[test]
    fn finds_template_placeholders() {
        assert_eq!(
            find_placeholder("<GW-NAMESPACE>", false),
            Some("<GW-NAMESPACE>")
        );
        assert_eq!(
            find_placeholder("ns-<GW-NAMESPACE>-x", false),
            Some("<GW-NAMESPACE>")
        );
        assert_eq!(
            find_placeholder(" <Authorization Profile description> ", true),
            Some("<Authorization Profile description>")
        );
        assert_eq!(find_placeholder("Use <b>bold</b> here", true), None);
        assert_eq!(find_placeholder("a < b and c > d", true), None);
        assert_eq!(find_placeholder("<>", false), None);
        assert_eq!(find_placeholder("a < b <X>", false), Some("<X>"));
        assert_eq!(find_placeholder("plain", false), None);
    }
}
