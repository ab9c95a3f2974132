//! Choosing which candidate posting times to use: evenly spread, with a minimum gap between posts.
//!
//! Given sorted candidate instants and n evenly spaced target instants, pick n candidates in
//! order, each at least `gap` after the previous, minimising the total distance to the targets.
//! This is an exact dynamic programme (O(n·m) time and memory), not a greedy pass: greedy picks
//! fail when targets fall on days with no candidates (e.g. LinkedIn at the weekend) and later
//! picks then run out of room. Ties resolve to the earliest candidate, so output is deterministic.

/// How many candidates can be chosen with consecutive picks at least `gap` apart (taking the
/// earliest possible each time is optimal for points on a line).
pub(crate) fn max_spaced(candidates: &[i64], gap: i64) -> usize {
    let mut count = 0;
    let mut last: Option<i64> = None;
    for &c in candidates {
        if last.is_none_or(|l| c - l >= gap) {
            count += 1;
            last = Some(c);
        }
    }
    count
}

/// Evenly spaced targets: the centres of n equal parts of [start, start + length).
pub(crate) fn targets(start: i64, length: i64, n: usize) -> Vec<i64> {
    let n = n as i128;
    (0..n).map(|k| start + ((2 * k + 1) * i128::from(length) / (2 * n)) as i64).collect()
}

/// Indices of the chosen candidates, ascending. `candidates` must be sorted and
/// `targets.len() <= max_spaced(candidates, gap)`; otherwise fewer indices are returned.
pub(crate) fn spread(candidates: &[i64], targets: &[i64], gap: i64) -> Vec<usize> {
    let (n, m) = (targets.len(), candidates.len());
    if n == 0 || m == 0 {
        return Vec::new();
    }
    const UNREACHABLE: i64 = i64::MAX;
    // cost[j]: best total for the posts so far with the latest one at candidate j.
    let mut cost: Vec<i64> = candidates.iter().map(|c| (c - targets[0]).abs()).collect();
    // back[k][j]: candidate used by post k-1 when post k sits at j.
    let mut back: Vec<Vec<u32>> = Vec::with_capacity(n);
    back.push(Vec::new());
    for &target in &targets[1..] {
        // Running minimum of `cost` over candidates[..=p], where p is the last one ≥ gap earlier.
        let (mut best, mut best_at) = (UNREACHABLE, 0usize);
        let mut p = 0;
        let mut next = vec![UNREACHABLE; m];
        let mut from = vec![0u32; m];
        for j in 0..m {
            while p < m && candidates[p] <= candidates[j] - gap {
                if cost[p] < best {
                    (best, best_at) = (cost[p], p);
                }
                p += 1;
            }
            if best != UNREACHABLE {
                next[j] = best + (candidates[j] - target).abs();
                from[j] = best_at as u32;
            }
        }
        cost = next;
        back.push(from);
    }
    let Some((mut at, _)) = cost.iter().enumerate().filter(|(_, c)| **c != UNREACHABLE).min_by_key(|(j, c)| (**c, *j))
    else {
        return Vec::new();
    };
    let mut chosen = vec![0; n];
    for k in (0..n).rev() {
        chosen[k] = at;
        if k > 0 {
            at = back[k][at] as usize;
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_instead_of_front_loading() {
        // Candidates every hour for 10 hours, pick 2 with a 1-hour gap over [0, 10h).
        let c: Vec<i64> = (0..10).map(|h| h * 3600).collect();
        let t = targets(0, 10 * 3600, 2);
        assert_eq!(t, vec![9000, 27000]);
        let picked = spread(&c, &t, 3600);
        assert_eq!(picked, vec![2, 7]);
    }

    #[test]
    fn respects_the_gap_when_targets_crowd() {
        // Targets all near the end; the gap forces earlier picks rather than dropping posts.
        let c = vec![0, 100, 200, 300, 400];
        let picked = spread(&c, &[390, 395, 400], 150);
        assert_eq!(picked.len(), 3);
        assert!(picked.windows(2).all(|w| c[w[1]] - c[w[0]] >= 150));
        assert_eq!(max_spaced(&c, 150), 3);
    }
}
