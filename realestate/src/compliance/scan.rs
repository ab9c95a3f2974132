//! One pass over the ad text that finds what several rules need: labelled permit and
//! registration numbers, money amounts (with currency, and whether each is the price, a rate or
//! another sum such as a down payment), bare price-like numbers, sizes and bedroom counts.
//!
//! Amounts are classified by the nearest label in the same clause: "Price: AED 1,450,000" is the
//! price, "Down payment AED 145,000" and "AED 8,000/month" are not, "AED 1,208/sqft" is a rate.
//! Unlabelled amounts count as the price, so a wrong figure is caught rather than ignored.

use super::context::Context;
use super::text::{self, after_window, before_window, overlaps, parse_amount};

/// A number in the text or a span of text, by byte offsets into [`Ad::text`].
#[derive(Debug, Clone)]
pub(crate) struct Labelled {
    pub start: usize,
    pub end: usize,
    pub number: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AmountKind {
    /// The advertised price (or annual rent).
    Price,
    /// A price per area unit (AED/sqft).
    Rate,
    /// Another sum: down payment, fee, service charge, monthly figure, rental income, discount.
    Other,
}

#[derive(Debug, Clone)]
pub(crate) struct Amount {
    pub start: usize,
    pub end: usize,
    pub value: f64,
    /// The currency as written ("AED", "$", "USD", "د.إ").
    pub currency: String,
    pub aed: bool,
    pub kind: AmountKind,
}

#[derive(Debug, Clone)]
pub(crate) struct Size {
    pub start: usize,
    pub end: usize,
    pub sqft: f64,
    /// Half the written precision, in sqft, plus the listing's own rounding.
    pub tolerance: f64,
    /// A balcony, plot, terrace… rather than the unit.
    pub secondary: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Bedrooms {
    pub start: usize,
    pub end: usize,
    pub count: i64,
}

/// The normalised ad text and what was found in it.
pub(crate) struct Ad {
    pub text: String,
    pub permits: Vec<Labelled>,
    pub orns: Vec<Labelled>,
    pub brns: Vec<Labelled>,
    pub amounts: Vec<Amount>,
    /// Numbers that read as prices but carry no currency.
    pub bare_prices: Vec<Labelled>,
    pub sizes: Vec<Size>,
    pub bedrooms: Vec<Bedrooms>,
    /// Whether the ad advertises a property (a listing is given, or the text has listing
    /// details): brand posts need ORN/BRN but no permit or QR code.
    pub property_ad: bool,
}

const NUM: &str = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?";
const MAG: &str = r"(?:[ \t]?(?:million|mln|mn|billion|bn|thousand|m|k)\b)?";
const SQM_TO_SQFT: f64 = 10.763_910_4;

impl Ad {
    pub fn new(raw: &str, ctx: &Context<'_>) -> Ad {
        let text = text::normalise(raw);
        let permits = permits(&text);
        let orns = labelled(&text, orn_regex());
        let brns = labelled(&text, brn_regex());
        let amounts = amounts(&text);
        let sizes = sizes(&text);
        let bedrooms = bedrooms(&text);
        let mut taken: Vec<(usize, usize)> = Vec::new();
        taken.extend(permits.iter().chain(&orns).chain(&brns).map(|l| (l.start, l.end)));
        taken.extend(amounts.iter().map(|a| (a.start, a.end)));
        taken.extend(sizes.iter().map(|s| (s.start, s.end)));
        let bare_prices = bare_prices(&text, &taken);
        let listing_words = re!(
            r"(?i)\b(?:for[ \t]+sale|for[ \t]+rent|to[ \t]+let|for[ \t]+lease|off[ \t-]?plan|handover|payment[ \t]+plan)\b"
        );
        let property_ad = ctx.property.is_some()
            || !permits.is_empty()
            || !amounts.is_empty()
            || !bare_prices.is_empty()
            || !sizes.is_empty()
            || !bedrooms.is_empty()
            || listing_words.is_match(&text);
        Ad { text, permits, orns, brns, amounts, bare_prices, sizes, bedrooms, property_ad }
    }
}

fn labelled(text: &str, re: &regex::Regex) -> Vec<Labelled> {
    re.captures_iter(text)
        .map(|c| {
            let m = c.get(0).expect("group 0");
            Labelled { start: m.start(), end: m.end(), number: c["n"].to_string() }
        })
        .collect()
}

/// Trakheesi permit numbers: digits labelled "Permit", "Permit No.", "Trakheesi", "DLD permit"…
/// but not the Media Council "Advertiser Permit".
fn permits(text: &str) -> Vec<Labelled> {
    let re = re!(
        r"(?i)\b(?:(?:trakheesi|dld|rera|advertising|advertisement|ad|listing)[ \t]+)?(?:permit|trakheesi)(?:[ \t]+(?:no\.?|number|num\.?|#))?[ \t]*[:#.\-]?[ \t]*#?[ \t]*(?P<n>[0-9]{4,20})\b"
    );
    let media = re!(r"(?i)(?:advertiser|media[ \t]+council|nmc|uaemc|media)['s]*[ \t:]*$");
    labelled(text, re).into_iter().filter(|l| !media.is_match(before_window(text, l.start, 30))).collect()
}

pub(crate) fn orn_regex() -> &'static regex::Regex {
    re!(
        r"(?i)\b(?:rera[ \t]+)?(?:orn|o\.r\.n\.?|office[ \t]+(?:registration|reg\.?))(?:[ \t]+(?:no\.?|number|#))?[ \t]*[:#.\-]?[ \t]*(?P<n>[0-9]{1,10})\b"
    )
}

pub(crate) fn brn_regex() -> &'static regex::Regex {
    re!(
        r"(?i)\b(?:rera[ \t]+)?(?:brn|b\.r\.n\.?|broker[ \t]+(?:registration|reg\.?|no\.?|number|id))(?:[ \t]+(?:no\.?|number|#))?[ \t]*[:#.\-]?[ \t]*(?P<n>[0-9]{1,10})\b"
    )
}

fn is_aed(currency: &str) -> bool {
    let c = currency.to_lowercase();
    c.starts_with("aed") || c.starts_with("dh") || c.starts_with("dirham") || c.starts_with('د')
}

/// Amounts with a currency before ("AED 1.45M", "US$ 395,000") or after ("1,450,000 AED").
fn amounts(text: &str) -> Vec<Amount> {
    let before = re!(format!(
        r"(?i)(?P<cur>\bAED|\bDhs?\.?|\bdirhams?|د\.إ|\bUSD|\bUS\$|\$|\bEUR|€|\bGBP|£)[ \t]*:?[ \t]*(?P<num>{NUM})(?P<mag>{MAG})"
    ));
    let after = re!(format!(
        r"(?i)\b(?P<num>{NUM})(?P<mag>{MAG})[ \t]*(?P<cur>AED\b|Dhs?\b|dirhams?\b|د\.إ|USD\b|EUR\b|GBP\b|dollars?\b|euros?\b|€|\$|£)"
    ));
    let mut out: Vec<Amount> = Vec::new();
    for re in [before, after] {
        for c in re.captures_iter(text) {
            let m = c.get(0).expect("group 0");
            if out.iter().any(|a| overlaps((a.start, a.end), (m.start(), m.end()))) {
                continue;
            }
            let Some(value) = parse_amount(&c["num"], &c["mag"]) else { continue };
            let currency = c["cur"].trim().to_string();
            out.push(Amount {
                start: m.start(),
                end: m.end(),
                value,
                aed: is_aed(&currency),
                currency,
                kind: classify(text, m.start(), m.end()),
            });
        }
    }
    out.sort_by_key(|a| a.start);
    out
}

/// Price, rate or other sum, by the text around the amount.
fn classify(text: &str, start: usize, end: usize) -> AmountKind {
    let rate = re!(r"(?i)^[ \t]*(?:(?:/|per\b|a\b)[ \t]*(?:sq|square|ft|m²|m2\b|sf\b)|psf\b|p\.s\.f)");
    let monthly =
        re!(r"(?i)^[ \t]*(?:/[ \t]*(?:month|mo|mth)\b|per[ \t]+month\b|a[ \t]+month\b|monthly\b|pm\b|p\.m\.)");
    let price_label = re!(
        r"(?i)\b(?:price[ds]?|priced[ \t]+at|asking|selling[ \t]+at|offered[ \t]+at|for[ \t]+sale[ \t]+(?:at|for)|yours[ \t]+for|rent(?:al)?|annual[ \t]+rent|for[ \t]+only|now)\b"
    );
    let other_label = re!(
        r"(?i)\b(?:down[ \t-]*payments?|deposits?|booking(?:[ \t]+(?:fee|amount))?|service[ \t]+charges?|fees?|commission|income|returns?|yields?|roi|profits?|savings?|save|discount|cash[ \t]*back|instal?l?ments?|payment[ \t]+plan|dld|registration|transfer|mortgage|loan|chiller|maintenance|was|reduced[ \t]+from|original(?:ly)?|last[ \t]+sold|sold[ \t]+for|valuation|valued[ \t]+at|worth|monthly|per[ \t]+month|off|cheques?)\b"
    );
    let after = &text[end..];
    if rate.is_match(after) {
        return AmountKind::Rate;
    }
    if monthly.is_match(after) {
        return AmountKind::Other;
    }
    let before = before_window(text, start, 40);
    let last_price = price_label.find_iter(before).last().map(|m| m.end());
    let last_other = other_label.find_iter(before).last().map(|m| m.end());
    match (last_price, last_other) {
        (Some(p), Some(o)) if o > p => AmountKind::Other,
        (Some(_), _) => AmountKind::Price,
        (None, Some(_)) => AmountKind::Other,
        (None, None) if other_label.is_match(after_window(text, end, 25)) => AmountKind::Other,
        (None, None) => AmountKind::Price,
    }
}

/// Numbers of at least 10,000 that read as prices but have no currency: after a price cue
/// ("Price: 1,450,000", "from 1.2M") or before one ("1,450,000 only", "120,000/year"). Phone
/// numbers (leading 0 or 9+ digits without separators) and numbers with units are not prices.
fn bare_prices(text: &str, taken: &[(usize, usize)]) -> Vec<Labelled> {
    let cue = re!(format!(
        r"(?i)\b(?:price[ds]?|priced[ \t]+at|asking(?:[ \t]+price)?|for[ \t]+only|only|starting[ \t]+(?:from|at)|from|for|just|rent)[ \t]*[:\-]?[ \t]*(?P<num>{NUM})(?P<mag>{MAG})"
    ));
    let tail = re!(format!(
        r"(?i)\b(?P<num>{NUM})(?P<mag>{MAG})[ \t]*(?:only\b|negotiable\b|neg\b|onwards\b|/[ \t]*(?:year|yr|annum|month|mo)\b|per[ \t]+(?:year|annum|month)\b|p\.a\.|yearly\b|annually\b|monthly\b)"
    ));
    let not_money = re!(
        r"(?i)^[ \t]*(?:%|percent|years?\b|yrs?\b|months?\b|days?\b|units?\b|homes?\b|apartments?\b|villas?\b|floors?\b|storeys?\b|kms?\b|metres?\b|meters?\b|minutes?\b|mins?\b|people\b|visitors\b|residents\b|members\b|clients\b|customers\b|sq|square\b|ft|bed|br\b|bhk\b|m²|m2\b|²)"
    );
    let mut out: Vec<Labelled> = Vec::new();
    for (re, check_unit) in [(cue, true), (tail, false)] {
        for c in re.captures_iter(text) {
            let num = c.name("num").expect("num");
            let mag = c.name("mag").expect("mag");
            let span = (num.start(), c.get(0).expect("group 0").end());
            let digits_only = !num.as_str().contains([',', '.']);
            if (digits_only && (num.as_str().starts_with('0') || num.as_str().len() >= 9))
                || (check_unit && not_money.is_match(&text[mag.end()..]))
                || taken.iter().any(|&t| overlaps(t, span))
                || out.iter().any(|l| overlaps((l.start, l.end), span))
            {
                continue;
            }
            if parse_amount(num.as_str(), mag.as_str()).is_some_and(|v| v >= 10_000.0) {
                out.push(Labelled { start: span.0, end: span.1, number: format!("{}{}", num.as_str(), mag.as_str()) });
            }
        }
    }
    out.sort_by_key(|l| l.start);
    out
}

/// Sizes in sqft or sqm ("1,200 sqft", "111.5 sq. m", "1200 ft²").
fn sizes(text: &str) -> Vec<Size> {
    let re = re!(format!(
        r"(?i)\b(?P<num>{NUM})[ \t]*-?[ \t]*(?P<unit>sq\.?[ \t]?(?:ft|feet|foot)\b\.?|sft\b|square[ \t]+f(?:ee|oo)t\b|ft²|ft2\b|sf\b|sq\.?[ \t]?(?:m|mt|mtr|mtrs|meters?|metres?)\b\.?|square[ \t]+met(?:er|re)s?\b|m²|m2\b)"
    ));
    let secondary = re!(
        r"(?i)\b(?:plot|land|balcon(?:y|ies)|terrace|garden|pool|roof(?:top)?|storage|parking|yard|patio|maid'?s?|kitchen|living|master|lobby|gym|retail|deck|garage|study|basement|outdoor|amenit(?:y|ies)|gfa|common)\b"
    );
    re.captures_iter(text)
        .filter_map(|c| {
            let m = c.get(0).expect("group 0");
            let num = &c["num"];
            let unit = c["unit"].to_lowercase();
            let metric = unit.contains('m') && !["ft", "fe", "fo"].iter().any(|s| unit.contains(s));
            let factor = if metric { SQM_TO_SQFT } else { 1.0 };
            let decimals = num.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
            let value = parse_amount(num, "")?;
            Some(Size {
                start: m.start(),
                end: m.end(),
                sqft: value * factor,
                tolerance: 0.5 * 10f64.powi(-decimals) * factor + 0.05,
                secondary: secondary.is_match(before_window(text, m.start(), 20))
                    || secondary.is_match(after_window(text, m.end(), 15)),
            })
        })
        .collect()
}

/// Bedroom counts ("2BR", "2-bedroom", "three bedrooms", "3 bed + maid", "studio apartment").
fn bedrooms(text: &str) -> Vec<Bedrooms> {
    let beds = re!(
        r"(?i)\b(?P<n>[0-9]{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)[ \t]*-?[ \t]*(?:br|bhk|b/r|beds?|bedrooms?|bdrs?|bdrms?|bed-rooms?)\b"
    );
    let studio = re!(
        r"(?i)\bstudio[ \t]+(?:apartment|flat|unit|home)s?\b|\bstudio[ \t]+for[ \t]+(?:sale|rent)\b|\b(?:a|this|spacious|furnished|cosy|cozy|bright|modern|luxury|large|stunning|beautiful)[ \t]+studio\b"
    );
    const WORDS: [&str; 10] = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
    let mut out: Vec<Bedrooms> = beds
        .captures_iter(text)
        .filter_map(|c| {
            let m = c.get(0).expect("group 0");
            let n = c["n"].to_lowercase();
            let count = n.parse().ok().or_else(|| WORDS.iter().position(|w| *w == n).map(|i| i as i64 + 1))?;
            Some(Bedrooms { start: m.start(), end: m.end(), count })
        })
        .collect();
    out.extend(studio.find_iter(text).map(|m| Bedrooms { start: m.start(), end: m.end(), count: 0 }));
    out.sort_by_key(|b| b.start);
    out
}
