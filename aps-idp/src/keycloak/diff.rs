//! What to add and remove to make a set exactly the wanted one, and the resolution of granted
//! names against what the realm has. Pure.

use std::collections::BTreeSet;

use super::model::{Named, ROLES_SCOPE};
use crate::ClientGrants;

/// The changes that turn `current` into `target`, compared by `id`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    /// In `target`, not in `current`.
    pub(crate) add: Vec<Named>,
    /// In `current`, not in `target`.
    pub(crate) remove: Vec<Named>,
}

/// The changes from `current` to `target` (by id; duplicates ignored).
pub(crate) fn changes(current: &[Named], target: &[Named]) -> Changes {
    let current_ids: BTreeSet<&str> = current.iter().map(|n| n.id.as_str()).collect();
    let target_ids: BTreeSet<&str> = target.iter().map(|n| n.id.as_str()).collect();
    let mut seen = BTreeSet::new();
    let add = target
        .iter()
        .filter(|n| !current_ids.contains(n.id.as_str()) && seen.insert(n.id.as_str()))
        .cloned()
        .collect();
    let mut seen = BTreeSet::new();
    let remove = current
        .iter()
        .filter(|n| !target_ids.contains(n.id.as_str()) && seen.insert(n.id.as_str()))
        .cloned()
        .collect();
    Changes { add, remove }
}

/// The entries of `available` named `wanted`, in order without duplicates, or the first
/// wanted name that is not available.
pub(crate) fn resolve<'a>(
    available: &[Named],
    wanted: &'a [String],
) -> Result<Vec<Named>, &'a str> {
    let mut seen = BTreeSet::new();
    let mut found = Vec::new();
    for name in wanted {
        if !seen.insert(name.as_str()) {
            continue;
        }
        match available.iter().find(|n| &n.name == name) {
            Some(named) => found.push(named.clone()),
            None => return Err(name),
        }
    }
    Ok(found)
}

/// The default client scopes a client with `grants` has: the granted ones, and the realm's
/// `roles` scope when roles are granted (Keycloak puts roles in tokens only with it).
pub(crate) fn target_scopes(grants: &ClientGrants) -> Vec<String> {
    let mut scopes = grants.scopes.clone();
    if !grants.roles.is_empty() && !scopes.iter().any(|s| s == ROLES_SCOPE) {
        scopes.push(ROLES_SCOPE.to_owned());
    }
    scopes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(id: &str, name: &str) -> Named {
        Named {
            id: id.into(),
            name: name.into(),
        }
    }

    #[test]
    fn changes_add_missing_and_remove_extra_by_id() {
        let current = [named("1", "a"), named("2", "b"), named("2", "b")];
        let target = [named("2", "b"), named("3", "c"), named("3", "c")];
        let change = changes(&current, &target);
        assert_eq!(change.add, [named("3", "c")]);
        assert_eq!(change.remove, [named("1", "a")]);
        assert_eq!(changes(&target, &target), Changes::default());
        assert_eq!(changes(&[], &[]), Changes::default());
    }

    #[test]
    fn resolve_names_the_first_unknown_and_drops_duplicates() {
        let available = [named("1", "Function1/read"), named("2", "Function2/*")];
        let wanted = [
            "Function2/*".to_owned(),
            "Function2/*".to_owned(),
            "Function1/read".to_owned(),
        ];
        assert_eq!(
            resolve(&available, &wanted),
            Ok(vec![
                named("2", "Function2/*"),
                named("1", "Function1/read")
            ])
        );
        let wanted = [
            "Function1/read".to_owned(),
            "Function9/read".to_owned(),
            "x".to_owned(),
        ];
        assert_eq!(resolve(&available, &wanted), Err("Function9/read"));
        assert_eq!(resolve(&available, &[]), Ok(vec![]));
    }

    #[test]
    fn the_roles_scope_comes_with_roles() {
        let scopes_only = ClientGrants::scopes(["Function1/read"]);
        assert_eq!(target_scopes(&scopes_only), ["Function1/read"]);
        let with_roles = ClientGrants::scopes(["Function1/read"]).roles("ap-x", ["read"]);
        assert_eq!(target_scopes(&with_roles), ["Function1/read", "roles"]);
        let both = ClientGrants::scopes(["roles"]).roles("ap-x", ["read"]);
        assert_eq!(target_scopes(&both), ["roles"]);
        let no_roles =
            ClientGrants::scopes(Vec::<String>::new()).roles("ap-x", Vec::<String>::new());
        assert!(target_scopes(&no_roles).is_empty());
    }
}
