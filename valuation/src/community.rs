//! Community name resolution: exact, case-insensitive and alias matches (DLD spellings, short names like "JVC"),
//! fuzzy matching with suggestions for unknown names, and splitting an address into community + building.

use std::collections::HashMap;

use serde::Serialize;

use crate::data::Community;

/// How an input was matched to a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    Exact,
    CaseInsensitive,
    Alias,
    /// Close to a known name but not equal: the caller should confirm (see `suggestions`).
    Fuzzy,
    /// An alias shared by several communities (e.g. "DSC"): see `suggestions`.
    Ambiguous,
    Unknown,
}

/// Result of resolving free text such as "JVC" or "Dubai Marina, Marina Heights Tower".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolution {
    pub input: String,
    /// Canonical community name; set for exact/case-insensitive/alias matches and the best fuzzy candidate.
    pub community: Option<String>,
    /// The rest of an address once the community (and "Dubai"/"UAE") is removed.
    pub building: Option<String>,
    pub match_kind: MatchKind,
    /// Closest canonical names, best first (for fuzzy, ambiguous and unknown inputs).
    pub suggestions: Vec<String>,
}

impl Resolution {
    /// True when the community is certain (exact, case-insensitive or a unique alias).
    pub fn is_confident(&self) -> bool {
        matches!(self.match_kind, MatchKind::Exact | MatchKind::CaseInsensitive | MatchKind::Alias)
    }
}

/// Lookup structure over the known communities.
#[derive(Debug, Clone)]
pub struct CommunityIndex {
    communities: Vec<Community>,
    by_name: HashMap<String, usize>,
    by_alias: HashMap<String, Vec<usize>>,
}

/// Lower-case, punctuation to spaces, single spaces.
pub fn normalize(s: &str) -> String {
    let mapped: String =
        s.chars().map(|c| if c.is_alphanumeric() { c.to_lowercase().next().unwrap_or(c) } else { ' ' }).collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

const NOISE_SEGMENTS: [&str; 5] = ["dubai", "uae", "united arab emirates", "dubai uae", "dubai united arab emirates"];

impl CommunityIndex {
    pub fn new(communities: Vec<Community>) -> Self {
        let mut by_name = HashMap::new();
        let mut by_alias: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in communities.iter().enumerate() {
            by_name.entry(normalize(&c.name)).or_insert(i);
        }
        for (i, c) in communities.iter().enumerate() {
            for a in c.aliases.iter().chain(&c.dld_area_aliases) {
                let key = normalize(a);
                if key.is_empty() || by_name.contains_key(&key) {
                    continue; // a community's own name beats another community's alias
                }
                let v = by_alias.entry(key).or_default();
                if !v.contains(&i) {
                    v.push(i);
                }
            }
        }
        Self { communities, by_name, by_alias }
    }

    pub fn communities(&self) -> &[Community] {
        &self.communities
    }

    pub fn get(&self, name: &str) -> Option<&Community> {
        self.by_name.get(&normalize(name)).map(|&i| &self.communities[i])
    }

    /// Exact, case-insensitive or alias match of one name (no address splitting, no fuzzy).
    fn match_name(&self, text: &str) -> Option<(MatchKind, Vec<usize>)> {
        let t = text.trim();
        if let Some(i) = self.communities.iter().position(|c| c.name == t) {
            return Some((MatchKind::Exact, vec![i]));
        }
        let key = normalize(t);
        if let Some(&i) = self.by_name.get(&key) {
            return Some((MatchKind::CaseInsensitive, vec![i]));
        }
        match self.by_alias.get(&key) {
            Some(v) if v.len() == 1 => Some((MatchKind::Alias, v.clone())),
            Some(v) => Some((MatchKind::Ambiguous, v.clone())),
            None => None,
        }
    }

    /// Resolves a community name, alias or address ("Dubai Marina, Marina Heights Tower").
    pub fn resolve(&self, text: &str) -> Resolution {
        let input = text.to_string();
        let names = |v: &[usize]| v.iter().map(|&i| self.communities[i].name.clone()).collect::<Vec<_>>();
        if let Some((kind, idx)) = self.match_name(text) {
            return self.finish(input, kind, &idx, None, names(&idx));
        }
        let segments: Vec<&str> = text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty() && !NOISE_SEGMENTS.contains(&normalize(s).as_str()))
            .collect();
        // the best-matching segment is the community, the others make up the building / street part
        let mut best: Option<(usize, MatchKind, Vec<usize>)> = None;
        for (si, seg) in segments.iter().enumerate() {
            if let Some((kind, idx)) = self.match_name(seg) {
                let better = match &best {
                    None => true,
                    Some((_, k, _)) => rank(kind) < rank(*k),
                };
                if better {
                    best = Some((si, kind, idx));
                }
            }
        }
        if let Some((si, kind, idx)) = best {
            let rest: Vec<&str> = segments.iter().enumerate().filter(|(i, _)| *i != si).map(|(_, s)| *s).collect();
            let building = if rest.is_empty() { None } else { Some(rest.join(", ")) };
            return self.finish(input, kind, &idx, building, names(&idx));
        }
        // fuzzy: score each segment (and the whole text) against every name and alias
        let mut scored: Vec<(f64, usize, usize)> = Vec::new(); // (score, community, segment)
        let mut candidates: Vec<&str> = segments.clone();
        if segments.len() > 1 {
            candidates.push(text);
        }
        for (si, seg) in candidates.iter().enumerate() {
            let q = normalize(seg);
            if q.is_empty() {
                continue;
            }
            for (ci, c) in self.communities.iter().enumerate() {
                let s = std::iter::once(&c.name)
                    .chain(&c.aliases)
                    .chain(&c.dld_area_aliases)
                    .map(|n| similarity(&q, &normalize(n)))
                    .fold(0.0, f64::max);
                scored.push((s, ci, si));
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut suggestions: Vec<String> = Vec::new();
        for &(s, ci, _) in &scored {
            if s < 0.45 || suggestions.len() == 3 {
                break;
            }
            let n = &self.communities[ci].name;
            if !suggestions.contains(n) {
                suggestions.push(n.clone());
            }
        }
        match scored.first() {
            Some(&(s, ci, si)) if s >= 0.75 => {
                let building = if si < segments.len() && segments.len() > 1 {
                    let rest: Vec<&str> =
                        segments.iter().enumerate().filter(|(i, _)| *i != si).map(|(_, s)| *s).collect();
                    Some(rest.join(", "))
                } else {
                    None
                };
                Resolution {
                    input,
                    community: Some(self.communities[ci].name.clone()),
                    building,
                    match_kind: MatchKind::Fuzzy,
                    suggestions,
                }
            }
            _ => Resolution { input, community: None, building: None, match_kind: MatchKind::Unknown, suggestions },
        }
    }

    fn finish(
        &self,
        input: String,
        kind: MatchKind,
        idx: &[usize],
        building: Option<String>,
        names: Vec<String>,
    ) -> Resolution {
        if kind == MatchKind::Ambiguous {
            return Resolution { input, community: None, building, match_kind: kind, suggestions: names };
        }
        Resolution {
            input,
            community: Some(self.communities[idx[0]].name.clone()),
            building,
            match_kind: kind,
            suggestions: Vec::new(),
        }
    }

    /// Great-circle distance between two communities' reference points, when both have coordinates.
    pub fn distance_km(&self, a: &str, b: &str) -> Option<f64> {
        let (ca, cb) = (self.get(a)?, self.get(b)?);
        Some(haversine_km(ca.lat?, ca.lon?, cb.lat?, cb.lon?))
    }
}

fn rank(k: MatchKind) -> u8 {
    match k {
        MatchKind::Exact => 0,
        MatchKind::CaseInsensitive => 1,
        MatchKind::Alias => 2,
        MatchKind::Ambiguous => 3,
        MatchKind::Fuzzy => 4,
        MatchKind::Unknown => 5,
    }
}

pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// 0..1 similarity of two normalized names: edit distance, with credit for whole-word containment.
pub fn similarity(a: &str, b: &str) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let len = a.chars().count().max(b.chars().count()) as f64;
    let edit = 1.0 - levenshtein(a, b) as f64 / len;
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let contained = short.len() >= 4 && format!(" {long} ").contains(&format!(" {short} "));
    if contained {
        edit.max(0.7)
    } else {
        edit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(name: &str, aliases: &[&str], dld: &[&str]) -> Community {
        Community {
            name: name.into(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            dld_area_aliases: dld.iter().map(|s| s.to_string()).collect(),
            lat: None,
            lon: None,
            coord_source: String::new(),
            parent_area: None,
        }
    }

    fn index() -> CommunityIndex {
        CommunityIndex::new(vec![
            c("Jumeirah Village Circle (JVC)", &["Jumeirah Village Circle", "JVC"], &["JUMEIRAH VILLAGE CIRCLE"]),
            c("Dubai Marina", &["Marina", "Marsa Dubai"], &["DUBAI MARINA", "MARSA DUBAI"]),
            c("Dubai Sports City", &["DSC", "Sports City"], &["DUBAI SPORTS CITY"]),
            c("Dubai Studio City", &["DSC"], &["DUBAI STUDIO CITY"]),
            c("Sobha Hartland", &["SOBHA HEARTLAND"], &["SOBHA HEARTLAND"]),
            c("Meydan One", &["Meydan"], &["MEYDAN ONE"]),
            c("Meydan", &[], &[]),
        ])
    }

    #[test]
    fn short_name_alias() {
        let r = index().resolve("JVC");
        assert_eq!(r.community.as_deref(), Some("Jumeirah Village Circle (JVC)"));
        assert_eq!(r.match_kind, MatchKind::Alias);
        assert!(r.is_confident());
    }

    #[test]
    fn lower_case_and_exact() {
        let ix = index();
        assert_eq!(ix.resolve("Dubai Marina").match_kind, MatchKind::Exact);
        let r = ix.resolve("  dubai marina ");
        assert_eq!(r.community.as_deref(), Some("Dubai Marina"));
        assert_eq!(r.match_kind, MatchKind::CaseInsensitive);
    }

    #[test]
    fn dld_spelling() {
        let r = index().resolve("SOBHA HEARTLAND");
        assert_eq!(r.community.as_deref(), Some("Sobha Hartland"));
        let r = index().resolve("Marsa Dubai");
        assert_eq!(r.community.as_deref(), Some("Dubai Marina"));
    }

    #[test]
    fn own_name_beats_alias() {
        assert_eq!(index().resolve("Meydan").community.as_deref(), Some("Meydan"));
    }

    #[test]
    fn typo_gives_suggestions() {
        let r = index().resolve("Dubai Marnia");
        assert_eq!(r.match_kind, MatchKind::Fuzzy);
        assert!(!r.is_confident());
        assert_eq!(r.suggestions.first().map(String::as_str), Some("Dubai Marina"));
        let r = index().resolve("Jumeira Village Circel");
        assert_eq!(r.suggestions.first().map(String::as_str), Some("Jumeirah Village Circle (JVC)"));
        let r = index().resolve("Qwerty Zxcv");
        assert_eq!(r.match_kind, MatchKind::Unknown);
        assert_eq!(r.community, None);
    }

    #[test]
    fn ambiguous_alias() {
        let r = index().resolve("DSC");
        assert_eq!(r.match_kind, MatchKind::Ambiguous);
        assert_eq!(r.suggestions, vec!["Dubai Sports City", "Dubai Studio City"]);
    }

    #[test]
    fn address_split() {
        let ix = index();
        let r = ix.resolve("Dubai Marina, Marina Heights Tower");
        assert_eq!(r.community.as_deref(), Some("Dubai Marina"));
        assert_eq!(r.building.as_deref(), Some("Marina Heights Tower"));
        let r = ix.resolve("Binghatti Phoenix, JVC, Dubai, UAE");
        assert_eq!(r.community.as_deref(), Some("Jumeirah Village Circle (JVC)"));
        assert_eq!(r.building.as_deref(), Some("Binghatti Phoenix"));
        let r = ix.resolve("Dubai Marnia, Marina Heights Tower");
        assert_eq!(r.match_kind, MatchKind::Fuzzy);
        assert_eq!(r.community.as_deref(), Some("Dubai Marina"));
        assert_eq!(r.building.as_deref(), Some("Marina Heights Tower"));
    }

    #[test]
    fn distance() {
        // Dubai Marina to Downtown Dubai is about 17 km
        let d = haversine_km(25.08286, 55.14475, 25.19524, 55.2734);
        assert!((d - 17.9).abs() < 1.0, "{d}");
    }
}
