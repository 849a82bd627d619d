//! Splitting a name into words exactly as lodash's `words` does for ASCII text, because the
//! portal derives client ids (and so token audiences) with lodash's `kebabCase`:
//! `My API v2` is `my-api-v-2` there, so it must be here too.
//!
//! lodash's rules, tried in this order at each position of a run of ASCII letters and digits
//! (anything else separates runs; apostrophes are removed first):
//! 1. an optional capital and lower-case letters, when followed by a capital or the run's end;
//! 2. capitals, followed by the run's end or by a capital and a lower-case letter (`APIName`
//!    is `API`, `Name`);
//! 3. an optional capital and lower-case letters (`abc2` is `abc`, `2`);
//! 4. capitals;
//! 5. an ordinal, `1ST`/`2ND`/`3RD`/`<n>TH` in capitals or lower case (`21st`, `14th`, but
//!    `11th` is `11`, `th`), followed by the run's end or a letter of the other case;
//! 6. digits.
//!
//! Letters outside ASCII separate words here; lodash would transliterate Latin-1 letters
//! first. Profile names are ASCII (see `validate`), so identifiers of valid profiles match.

/// The words of `text`, in order.
pub(crate) fn words(text: &str) -> Vec<String> {
    let text: String = text.chars().filter(|c| !matches!(c, '\'' | '’')).collect();
    let mut out = Vec::new();
    for run in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|run| !run.is_empty())
    {
        let run = run.as_bytes();
        let mut i = 0;
        while i < run.len() {
            let len = word_at(run, i).max(1);
            let end = (i + len).min(run.len());
            out.push(String::from_utf8_lossy(&run[i..end]).into_owned());
            i = end;
        }
    }
    out
}

/// The length of the word starting at `i` (at least 1 for any ASCII letter or digit).
fn word_at(run: &[u8], i: usize) -> usize {
    let at = |k: usize| run.get(k).copied();
    let upper = |k: usize| at(k).is_some_and(|b| b.is_ascii_uppercase());
    let lower = |k: usize| at(k).is_some_and(|b| b.is_ascii_lowercase());
    let count = |from: usize, pred: &dyn Fn(usize) -> bool| {
        (from..run.len()).take_while(|k| pred(*k)).count()
    };
    if at(i).is_some_and(|b| b.is_ascii_digit()) {
        return ordinal(run, i, true)
            .or_else(|| ordinal(run, i, false))
            .unwrap_or_else(|| count(i, &|k| at(k).is_some_and(|b| b.is_ascii_digit())));
    }
    let capital = usize::from(upper(i));
    let lowers = count(i + capital, &lower);
    let end = i + capital + lowers;
    if lowers > 0 && (end == run.len() || upper(end)) {
        return capital + lowers;
    }
    let capitals = count(i, &upper);
    let rule_two = (1..=capitals).rev().find(|len| {
        let end = i + len;
        end == run.len() || (upper(end) && lower(end + 1))
    });
    if let Some(len) = rule_two {
        return len;
    }
    if lowers > 0 {
        return capital + lowers;
    }
    capitals
}

/// An ordinal at `i` (`\d*(?:1st|2nd|3rd|(?![123])\dth)` in one case), followed by the run's
/// end or a letter of the other case: its length.
fn ordinal(run: &[u8], i: usize, capitals: bool) -> Option<usize> {
    let digits = run[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    let suffix = |digit: u8| -> &[u8] {
        match (digit, capitals) {
            (b'1', true) => b"ST",
            (b'2', true) => b"ND",
            (b'3', true) => b"RD",
            (b'1', false) => b"st",
            (b'2', false) => b"nd",
            (b'3', false) => b"rd",
            (_, true) => b"TH",
            (_, false) => b"th",
        }
    };
    (0..digits).rev().find_map(|prefix| {
        let q = i + prefix;
        let digit = *run.get(q)?;
        let tail = suffix(digit);
        let end = q + 1 + tail.len();
        if run.get(q + 1..end)? != tail {
            return None;
        }
        let next_ok = match run.get(end) {
            None => true,
            Some(b) if capitals => b.is_ascii_lowercase(),
            Some(b) => b.is_ascii_uppercase(),
        };
        next_ok.then_some(end - i)
    })
}

#[cfg(test)]
mod tests {
    use super::words;

    #[track_caller]
    fn check(text: &str, expected: &[&str]) {
        assert_eq!(words(text), expected, "{text}");
    }

    #[test]
    fn splits_like_lodash() {
        // Examples from lodash's maintainers and its issue tracker (#2425, #2843, #3992,
        // #4462, #5836).
        check("walk500Miles", &["walk", "500", "Miles"]);
        check("12ft", &["12", "ft"]);
        check("tooLegit2Quit", &["too", "Legit", "2", "Quit"]);
        check("isISO8601", &["is", "ISO", "8601"]);
        check("1st", &["1st"]);
        check("14th", &["14th"]);
        check("x1", &["x", "1"]);
        check("r2d2", &["r", "2", "d", "2"]);
        check("itemV2", &["item", "V", "2"]);
        check("s22 import", &["s", "22", "import"]);
        check("11th place", &["11", "th", "place"]);
        check("12th place", &["12", "th", "place"]);
        check("1234th place", &["1234th", "place"]);
        check("21ST", &["21ST"]);
        check("APIName", &["API", "Name"]);
        check("ABc", &["A", "Bc"]);
        check("My API default", &["My", "API", "default"]);
        check("don't stop", &["dont", "stop"]);
        check("  --  ", &[]);
    }

    proptest::proptest! {
        #[test]
        fn kebab_case_is_lower_case_words_joined_by_single_dashes(text in "\\PC{0,40}") {
            let kebab = crate::kebab_case(&text);
            let well_formed = kebab.is_empty()
                || kebab.split('-').all(|w| {
                    !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                });
            proptest::prop_assert!(well_formed, "{:?} -> {:?}", text, kebab);
            proptest::prop_assert_eq!(crate::kebab_case(&kebab), kebab.clone());
        }
    }
}
