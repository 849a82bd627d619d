//! The environment variables every load bench reads.

use std::str::FromStr;

/// How long each case is measured and at which concurrencies.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Seconds measured per case, after the warm-up: `LOAD_SECS`, default 3.
    pub secs: f64,
    /// The numbers of concurrent callers: `LOAD_CONCURRENCY`, comma-separated, default `1,16,64`.
    pub concurrency: Vec<usize>,
}

impl Settings {
    /// The settings from the process's environment.
    #[must_use]
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The settings from variables looked up through `var`; unset or unparsable ones take their
    /// defaults.
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Self {
        let concurrency: Vec<usize> = var("LOAD_CONCURRENCY")
            .unwrap_or_default()
            .split(',')
            .filter_map(|v| v.trim().parse().ok())
            .collect();
        Settings {
            secs: parse_or(var("LOAD_SECS"), 3.0),
            concurrency: if concurrency.is_empty() {
                vec![1, 16, 64]
            } else {
                concurrency
            },
        }
    }
}

/// The environment variable `name` parsed, or `default` when it is unset or does not parse.
pub fn env_or<T: FromStr>(name: &str, default: T) -> T {
    parse_or(std::env::var(name).ok(), default)
}

fn parse_or<T: FromStr>(value: Option<String>, default: T) -> T {
    value.and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::Settings;
    use crate::fake_env::fake_env as env;

    #[test]
    fn defaults_when_unset() {
        let s = Settings::from_lookup(env(&[]));
        assert_eq!(s.secs.to_bits(), 3.0_f64.to_bits());
        assert_eq!(s.concurrency, vec![1, 16, 64]);
    }

    #[test]
    fn reads_seconds_and_a_list_of_concurrencies() {
        let s = Settings::from_lookup(env(&[
            ("LOAD_SECS", "0.5"),
            ("LOAD_CONCURRENCY", " 4, 8,x"),
        ]));
        assert_eq!(s.secs.to_bits(), 0.5_f64.to_bits());
        assert_eq!(s.concurrency, vec![4, 8]);
    }

    #[test]
    fn unparsable_values_take_the_defaults() {
        let s = Settings::from_lookup(env(&[("LOAD_SECS", "soon"), ("LOAD_CONCURRENCY", ",")]));
        assert_eq!(s.secs.to_bits(), 3.0_f64.to_bits());
        assert_eq!(s.concurrency, vec![1, 16, 64]);
    }
}
