//! Splitting a whole-AED amount by weights so the parts add up exactly.

/// Splits `total` in proportion to `weights`: each part is rounded down, and the leftover
/// (fewer AED than there are parts) goes to the largest part — earliest on ties — so the sum is
/// exactly `total`. All-zero or empty weights give all-zero parts (nothing to pay).
pub(crate) fn split_whole(total: u64, weights: &[u64]) -> Vec<u64> {
    let weight_sum: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    if weight_sum == 0 {
        return vec![0; weights.len()];
    }
    // u128 because total × weight can exceed u64 for large budgets.
    let mut parts: Vec<u64> =
        weights.iter().map(|w| (u128::from(total) * u128::from(*w) / weight_sum) as u64).collect();
    let remainder = total - parts.iter().sum::<u64>();
    let mut largest = 0;
    for (i, part) in parts.iter().enumerate() {
        if *part > parts[largest] || (*part == parts[largest] && weights[i] > weights[largest]) {
            largest = i;
        }
    }
    parts[largest] += remainder;
    parts
}

#[cfg(test)]
mod tests {
    use super::split_whole;

    #[test]
    fn remainder_goes_to_the_largest_share() {
        assert_eq!(split_whole(1000, &[35, 20]), vec![637, 363]);
        assert_eq!(split_whole(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(split_whole(7, &[30, 35]), vec![3, 4]);
        assert_eq!(split_whole(0, &[35, 30]), vec![0, 0]);
        assert_eq!(split_whole(5, &[0, 0]), vec![0, 0]);
        assert_eq!(split_whole(u64::MAX / 2, &[35, 30, 20, 15]).iter().sum::<u64>(), u64::MAX / 2);
    }
}
