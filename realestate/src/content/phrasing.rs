//! The vocabulary of each content style: fixed phrases, picked deterministically (no randomness).
//!
//! Investment copy is yield-neutral: it describes the property and points to data and advice, and
//! never states or implies a return.

use super::ContentStyle;

/// The phrases one style writes with. Where a phrase has variants, [`Phrasing::pick`] chooses one from a
/// stable hash of the property, so two listings do not read identically while each stays reproducible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phrasing {
    /// Opens a listing title ("Exceptional 2-Bedroom Apartment in Dubai Marina").
    pub title_word: &'static str,
    /// Opens the description; followed by "2-bedroom apartment in <community>".
    pub intro_lead: [&'static str; 2],
    /// Follows the community name.
    pub location: &'static str,
    pub lifestyle: [&'static str; 2],
    pub neighbourhood: &'static str,
    pub features_lead: &'static str,
    pub closing: &'static str,
    pub call_to_action: &'static str,
    pub audience: &'static str,
    /// A short line for X and postcards.
    pub pitch: &'static str,
    pub subject_lead: &'static str,
    /// Words that set the tone, for the AI prompt.
    pub vocabulary: &'static [&'static str],
    pub hashtags: &'static [&'static str],
}

const LUXURY: Phrasing = Phrasing {
    title_word: "Exceptional",
    intro_lead: ["Presenting an exceptional", "Discover a bespoke"],
    location: "one of Dubai's most sought-after addresses",
    lifestyle: [
        "Every detail has been considered, from bespoke finishes to refined, light-filled living spaces.",
        "Refined interiors, bespoke detailing and generous proportions make this an exceptional home.",
    ],
    neighbourhood: "Fine dining, leisure and the city's business districts are within easy reach.",
    features_lead: "Signature details",
    closing: "Every viewing is arranged around your schedule.",
    call_to_action: "Arrange a private viewing",
    audience: "Presented for discerning buyers seeking a rare residence.",
    pitch: "Bespoke finishes, refined living.",
    subject_lead: "Private preview",
    vocabulary: &["exceptional", "bespoke", "refined", "rare", "private"],
    hashtags: &["#LuxuryRealEstate", "#DubaiLuxury", "#LuxuryLiving"],
};

const STANDARD: Phrasing = Phrasing {
    title_word: "Well-Presented",
    intro_lead: ["Introducing a well-presented", "Now available: a well-kept"],
    location: "a well-connected part of Dubai",
    lifestyle: [
        "The layout is practical and well maintained, with everything needed for comfortable everyday living.",
        "A comfortable, practical home with easy access to shops, transport and local amenities.",
    ],
    neighbourhood: "Shops, transport links and everyday services are close by.",
    features_lead: "Key features",
    closing: "Viewings can be arranged at short notice.",
    call_to_action: "Book a viewing",
    audience: "A practical choice for buyers looking for a home in a convenient location.",
    pitch: "Practical layout, convenient location.",
    subject_lead: "New listing",
    vocabulary: &["practical", "comfortable", "convenient", "well-kept"],
    hashtags: &["#NewListing", "#PropertyForSale", "#DubaiHomes"],
};

const INVESTMENT: Phrasing = Phrasing {
    title_word: "Well-Located",
    intro_lead: ["Available to investors: a well-located", "For buyers building a portfolio: a well-located"],
    location: "an established, well-connected community",
    lifestyle: [
        "Review recent transactions, service charges and rental data for the community with your own adviser; past performance is not a guide to future results.",
        "Compare recent sales and service charges in the community before deciding; your agent can share the available market data.",
    ],
    neighbourhood: "Transport links, retail and employment hubs shape demand in the area; ask for the latest transaction data.",
    features_lead: "Property facts",
    closing: "Full details, service charges and the title deed summary are available on request.",
    call_to_action: "Request the full property details",
    audience: "Of interest to investors reviewing opportunities in Dubai.",
    pitch: "Clear facts, established community.",
    subject_lead: "For investors",
    vocabulary: &["well-located", "established", "data", "facts", "service charges"],
    hashtags: &["#DubaiInvestment", "#PropertyInvestment", "#InvestInDubai"],
};

const FAMILY: Phrasing = Phrasing {
    title_word: "Spacious",
    intro_lead: ["Welcome home to a spacious", "Room to grow in a spacious"],
    location: "a community close to schools, parks and everyday amenities",
    lifestyle: [
        "There is room for everyone, with schools, nurseries, parks and play areas nearby for easy family routines.",
        "Parks, play areas and schools nearby make everyday family life easier, with space for everyone at home.",
    ],
    neighbourhood: "Schools, nurseries, parks and play areas are part of everyday life here.",
    features_lead: "Family highlights",
    closing: "Come and see how your family could live here.",
    call_to_action: "Book a family viewing",
    audience: "A home for families looking for space, with schools and parks nearby.",
    pitch: "Space to grow, schools and parks nearby.",
    subject_lead: "A family home",
    vocabulary: &["spacious", "schools", "parks", "family", "community"],
    hashtags: &["#FamilyHome", "#DubaiFamilies", "#FamilyLiving"],
};

impl Phrasing {
    pub fn of(style: ContentStyle) -> &'static Phrasing {
        match style {
            ContentStyle::Luxury => &LUXURY,
            ContentStyle::Standard => &STANDARD,
            ContentStyle::Investment => &INVESTMENT,
            ContentStyle::Family => &FAMILY,
        }
    }

    /// One of two variants, chosen by a stable hash (FNV-1a) of `seed`.
    pub fn pick(variants: &[&'static str; 2], seed: &str) -> &'static str {
        variants[(fnv1a(seed) % 2) as usize]
    }
}

/// FNV-1a, 64 bit: stable across Rust releases, unlike `DefaultHasher`.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}
