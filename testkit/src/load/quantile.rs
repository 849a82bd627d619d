//! The one way the benches pick a quantile out of their measurements.

/// The value at quantile `q` (0 to 1) of `sorted`, by nearest rank: the element at index
/// `round((len - 1) * q)`. `None` when there are no values.
///
/// ```
/// use aps_testkit::load::nearest_rank;
///
/// assert_eq!(nearest_rank(&[10, 20, 30, 40], 0.5), Some(30));
/// assert_eq!(nearest_rank(&[1.5, 2.5, 3.5], 0.0), Some(1.5));
/// assert_eq!(nearest_rank::<u32>(&[], 0.5), None);
/// ```
#[must_use]
pub fn nearest_rank<T: Copy>(sorted: &[T], q: f64) -> Option<T> {
    let last = sorted.len().checked_sub(1)?;
    // Indices of in-memory vectors: exact in f64, and the rounded product is within 0..=last.
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let i = (last as f64 * q.clamp(0.0, 1.0)).round() as usize;
    sorted.get(i).copied()
}

#[cfg(test)]
mod tests {
    use super::nearest_rank;

    #[test]
    fn half_ranks_round_up_and_the_ends_are_the_extremes() {
        let values: Vec<u32> = (1..=100).collect();
        // 99 * 0.5 = 49.5 rounds to 50: the 51st value.
        assert_eq!(nearest_rank(&values, 0.5), Some(51));
        assert_eq!(nearest_rank(&values, 0.0), Some(1));
        assert_eq!(nearest_rank(&values, 1.0), Some(100));
        assert_eq!(nearest_rank(&[7], 0.99), Some(7));
    }
}
