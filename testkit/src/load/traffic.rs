//! What a group of callers sends.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One kind of request: its path, its credential and the status it must get.
#[derive(Debug, Clone)]
pub struct Traffic {
    /// The name of the group in the results.
    pub label: &'static str,
    /// Appended to the base URL; requests are `GET`s.
    pub path: &'static str,
    /// The header each request carries, if any.
    pub credential: Credential,
    /// Any other status fails the run: a load figure for the wrong answer means nothing.
    pub expect: u16,
}

/// Where the credential of each request comes from.
#[derive(Debug, Clone)]
pub enum Credential {
    /// No credential header.
    None,
    /// `Authorization: Bearer <token>`: each caller cycles through the tokens, starting at its
    /// own offset, so the callers do not walk the list in step.
    Bearer(Arc<[String]>),
    /// `<header>: <token>`, every token sent once by whichever caller is next (for tokens the
    /// server refuses to see twice, such as the gateway's upstream JWT). The run ends early
    /// when they run out.
    Once {
        /// The header's name.
        header: &'static str,
        /// The tokens, each used for one request.
        tokens: Arc<[String]>,
    },
}

/// The state of one caller's walk through its group's credentials.
#[derive(Debug)]
pub(crate) struct Picker {
    credential: Credential,
    position: usize,
    next_once: Arc<AtomicUsize>,
}

impl Picker {
    /// A picker for caller number `caller` of a group; `next_once` is shared by the group.
    pub(crate) fn new(credential: Credential, caller: usize, next_once: Arc<AtomicUsize>) -> Self {
        Picker {
            credential,
            position: caller * 7919,
            next_once,
        }
    }

    /// `request` with the next credential, or `None` when the once-only tokens have run out.
    pub(crate) fn attach(
        &mut self,
        request: reqwest::RequestBuilder,
    ) -> Option<reqwest::RequestBuilder> {
        match &self.credential {
            Credential::None => Some(request),
            Credential::Bearer(tokens) => {
                let token = &tokens[self.position % tokens.len()];
                self.position += 1;
                Some(request.bearer_auth(token))
            }
            Credential::Once { header, tokens } => tokens
                .get(self.next_once.fetch_add(1, Ordering::Relaxed))
                .map(|token| request.header(*header, token.as_str())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(picker: &mut Picker, header: &str) -> Option<String> {
        let request = picker
            .attach(reqwest::Client::new().get("http://127.0.0.1/"))?
            .build()
            .expect("request");
        Some(
            request
                .headers()
                .get(header)
                .map_or_else(String::new, |v| v.to_str().expect("ascii").to_owned()),
        )
    }

    fn tokens(n: usize) -> Arc<[String]> {
        (0..n).map(|i| format!("t{i}")).collect()
    }

    #[test]
    fn bearer_tokens_cycle_from_each_callers_offset() {
        let next = Arc::new(AtomicUsize::new(0));
        let mut first = Picker::new(Credential::Bearer(tokens(3)), 0, Arc::clone(&next));
        let mut second = Picker::new(Credential::Bearer(tokens(3)), 1, next);
        let seen: Vec<_> = (0..4)
            .filter_map(|_| sent(&mut first, "authorization"))
            .collect();
        assert_eq!(seen, ["Bearer t0", "Bearer t1", "Bearer t2", "Bearer t0"]);
        // 7919 % 3 == 2
        assert_eq!(
            sent(&mut second, "authorization").as_deref(),
            Some("Bearer t2")
        );
    }

    #[test]
    fn once_tokens_are_shared_by_the_group_and_run_out() {
        let next = Arc::new(AtomicUsize::new(0));
        let once = Credential::Once {
            header: "GW-JWT",
            tokens: tokens(3),
        };
        let mut a = Picker::new(once.clone(), 0, Arc::clone(&next));
        let mut b = Picker::new(once, 1, next);
        let seen = [
            sent(&mut a, "gw-jwt"),
            sent(&mut b, "gw-jwt"),
            sent(&mut a, "gw-jwt"),
            sent(&mut b, "gw-jwt"),
        ];
        assert_eq!(
            seen,
            [
                Some("t0".into()),
                Some("t1".into()),
                Some("t2".into()),
                None
            ]
        );
    }

    #[test]
    fn no_credential_adds_no_header() {
        let mut picker = Picker::new(Credential::None, 5, Arc::new(AtomicUsize::new(0)));
        assert_eq!(sent(&mut picker, "authorization").as_deref(), Some(""));
    }
}
