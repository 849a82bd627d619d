//! The guides' `Cargo.toml` blocks are true: every crate a guide's Rust code uses is in its
//! dependencies block, every aps crate named there exists with that version and those features,
//! and every other crate resolves in this workspace at a compatible version. (The Rust blocks
//! themselves are compiled as doc tests by the crate each guide belongs to.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// A dependency line of a guide's TOML block: `name = "1"` or `name = { version = .., features = [..] }`.
#[derive(Debug)]
struct Dependency {
    name: String,
    version: Option<String>,
    features: Vec<String>,
    local: bool,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

/// The fenced blocks of `text` in `language`, each as its lines.
fn blocks<'a>(text: &'a str, language: &str) -> Vec<Vec<&'a str>> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        match &mut current {
            Some(block) if trimmed.starts_with("```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => block.push(line),
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    let lang = info.split([',', ' ']).next().unwrap_or_default();
                    if lang == language {
                        current = Some(Vec::new());
                    }
                }
            }
        }
    }
    blocks
}

fn quoted(text: &str) -> Vec<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn dependencies(block: &[&str]) -> Vec<Dependency> {
    let mut in_dependencies = false;
    let mut found = Vec::new();
    for line in block {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.starts_with('[') {
            in_dependencies = line.ends_with("dependencies]");
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        if !in_dependencies {
            continue;
        }
        let value = value.trim();
        let (version, features, local) = if value.starts_with('{') {
            let field = |key: &str| {
                value
                    .split_once(key)
                    .map(|(_, rest)| rest.trim_start().trim_start_matches('=').trim_start())
            };
            let version = field("version").and_then(|v| quoted(v).into_iter().next());
            let features = field("features")
                .and_then(|v| v.split_once(']'))
                .map(|(list, _)| quoted(list))
                .unwrap_or_default();
            let local = value.contains("path") || value.contains("git");
            (version, features, local)
        } else {
            (quoted(value).into_iter().next(), Vec::new(), false)
        };
        found.push(Dependency {
            name: name.trim().to_owned(),
            version,
            features,
            local,
        });
    }
    found
}

/// The crates a Rust block names at the start of a path (`aps_jwt::`, `#[tokio::main]`); the
/// inside of a `use a::{b::c}` group belongs to `a`.
fn crates_used(block: &[&str]) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut group_depth = 0usize;
    for line in block {
        let line = line.trim_start().trim_start_matches('#').trim_start();
        let mut rest = line;
        if let Some(path) = line
            .strip_prefix("use ")
            .or_else(|| line.strip_prefix("pub use "))
        {
            if let Some((first, _)) = path.split_once("::") {
                used.insert(first.trim().to_owned());
            }
            rest = "";
            group_depth += path.matches('{').count();
            group_depth = group_depth.saturating_sub(path.matches('}').count());
        } else if group_depth > 0 {
            group_depth += line.matches('{').count();
            group_depth = group_depth.saturating_sub(line.matches('}').count());
            rest = "";
        }
        let mut start = 0;
        while let Some(at) = rest[start..].find("::") {
            let end = start + at;
            let ident_start = rest[..end]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(0, |i| i + 1);
            let ident = &rest[ident_start..end];
            let starts_path = !rest[..ident_start].ends_with(':');
            if starts_path && ident.starts_with(|c: char| c.is_ascii_lowercase()) {
                used.insert(ident.to_owned());
            }
            start = end + 2;
        }
    }
    used.retain(|c| !["std", "core", "alloc", "crate", "self", "super"].contains(&c.as_str()));
    used
}

/// Every resolved package of the workspace: name -> (versions, features when a member).
fn packages() -> BTreeMap<String, (Vec<String>, Option<BTreeSet<String>>)> {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("cargo metadata JSON");
    let members: BTreeSet<&str> = metadata["workspace_members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut all: BTreeMap<String, (Vec<String>, Option<BTreeSet<String>>)> = BTreeMap::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let name = package["name"].as_str().unwrap_or_default().to_owned();
        let version = package["version"].as_str().unwrap_or_default().to_owned();
        let entry = all.entry(name).or_default();
        entry.0.push(version);
        if members.contains(package["id"].as_str().unwrap_or_default()) {
            let features = package["features"]
                .as_object()
                .map(|f| f.keys().cloned().collect())
                .unwrap_or_default();
            entry.1 = Some(features);
        }
    }
    all
}

/// Whether `version` satisfies the caret requirement `requirement` (`1`, `0.13`, `0.1.2`).
fn compatible(requirement: &str, version: &str) -> bool {
    let want: Vec<&str> = requirement.trim_start_matches('^').split('.').collect();
    let have: Vec<&str> = version.split('.').collect();
    let significant = if want.first() == Some(&"0") { 2 } else { 1 };
    want.iter()
        .zip(&have)
        .take(significant.min(want.len()))
        .all(|(w, h)| w == h)
}

#[test]
fn every_guide_says_truly_what_its_code_depends_on() {
    let packages = packages();
    let mut guides: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    guides.push(root().join("README.md"));
    guides.sort();
    let mut checked = 0;
    for guide in guides {
        let name = guide.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&guide).unwrap();
        let placeholder = text.lines().find(|line| {
            let line = line.trim();
            line.len() >= 6
                && line.contains('_')
                && line.chars().all(|c| c.is_ascii_uppercase() || c == '_')
        });
        assert!(
            placeholder.is_none(),
            "{name}: a placeholder left in: {placeholder:?}"
        );
        let declared: Vec<Dependency> = blocks(&text, "toml")
            .iter()
            .flat_map(|block| dependencies(block))
            .collect();
        for dependency in &declared {
            let (versions, features) = packages.get(&dependency.name).unwrap_or_else(|| {
                panic!(
                    "{name}: `{}` is not a crate of this workspace or its dependencies",
                    dependency.name
                )
            });
            if let (Some(requirement), false) = (&dependency.version, dependency.local) {
                assert!(
                    versions.iter().any(|v| compatible(requirement, v)),
                    "{name}: `{} = \"{requirement}\"` does not match the versions here: {versions:?}",
                    dependency.name
                );
            }
            if let Some(known) = features {
                for feature in &dependency.features {
                    assert!(
                        known.contains(feature),
                        "{name}: `{}` has no feature `{feature}` (it has {known:?})",
                        dependency.name
                    );
                }
            }
        }
        let used: BTreeSet<String> = blocks(&text, "rust")
            .iter()
            .flat_map(|b| crates_used(b))
            .collect();
        let names: BTreeSet<String> = declared.iter().map(|d| d.name.replace('-', "_")).collect();
        let missing: Vec<&String> = used.iter().filter(|u| !names.contains(*u)).collect();
        assert!(
            missing.is_empty(),
            "{name}: its Rust code uses {missing:?}, which its dependencies block does not list"
        );
        checked += usize::from(!used.is_empty());
    }
    assert!(
        checked >= 4,
        "the guides with Rust code were found ({checked})"
    );
}

#[test]
fn the_checks_themselves_work() {
    let toml = [
        "[dependencies]",
        "aps-jwt = { version = \"0.1\", features = [\"axum\"] }   # note",
        "tokio = \"1\"",
        "[package]",
        "name = \"x\"",
    ];
    let found = dependencies(&toml);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].name, "aps-jwt");
    assert_eq!(found[0].version.as_deref(), Some("0.1"));
    assert_eq!(found[0].features, ["axum"]);
    assert_eq!(found[1].version.as_deref(), Some("1"));
    let rust = [
        "# #[tokio::main] async fn main() {",
        "use aps_jwt::{Validator, upstream::Verifier};",
        "let x = std::env::var(\"A\"); let y = serde_json::json!({});",
    ];
    let used: Vec<String> = crates_used(&rust).into_iter().collect();
    assert_eq!(used, ["aps_jwt", "serde_json", "tokio"]);
    assert!(compatible("0.13", "0.13.2") && !compatible("0.13", "0.12.9"));
    assert!(compatible("1", "1.54.1") && !compatible("2", "1.0.0"));
}
