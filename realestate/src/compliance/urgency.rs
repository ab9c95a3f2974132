//! Pressure and time claims. Unverifiable urgency ("last units", "only 2 left", "prices go up
//! tomorrow", "hurry") falls under the general ban on misleading claims; that reading is ours,
//! so its severity comes from `urgency_rule` (default warning). An offer with a stated deadline
//! that has passed (compared with the context date, never the clock) misleads outright: error.
//! Dates are read as YYYY-MM-DD, DD/MM/YYYY (UAE order), "31 March 2025" and "March 31, 2025".

use chrono::NaiveDate;

use super::context::Context;
use super::report::Severity;
use super::rule::{Hit, Outcome, Rule};
use super::scan::Ad;
use super::text::find_all;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "misleading_urgency",
        severity: Severity::Warning,
        configured_by: Some("urgency_rule"),
        description: "No unverifiable pressure wording: \"last units\", \"only 2 left\", \"prices go up tomorrow\", \
                      \"hurry\", \"selling fast\", \"today only\".",
        source: "rera-advertising.md §5.9: false or misleading claims are prohibited (National Media Council \
                 advertising guide). Applying it to urgency wording is AURA's reading, hence a warning by default.",
        check: urgency,
    },
    Rule {
        id: "offer_expired",
        severity: Severity::Error,
        configured_by: None,
        description: "No offer or deadline (\"valid until 31 March 2025\") that has passed on the check date.",
        source: "rera-advertising.md §5.9 (misleading claims) and §5.6 (remove ads that no longer reflect the \
                 listing). AURA's reading of reliable rules.",
        check: offer_expired,
    },
];

fn urgency(ad: &Ad, ctx: &Context<'_>) -> Outcome {
    let patterns = [
        re!(
            r"(?i)\blast[ \t]+(?:few[ \t]+|remaining[ \t]+)?(?:units?|apartments?|villas?|homes?|chance|opportunity)\b"
        ),
        re!(
            r"(?i)\bonly[ \t]+(?:[0-9]+|one|two|three|four|five|a[ \t]+(?:few|handful))[ \t]+(?:(?:units?|apartments?|villas?|homes?|townhouses?)[ \t]+)?(?:left|remaining)\b"
        ),
        re!(
            r"(?i)\b(?:hurry(?:[ \t]+up)?|act[ \t]+(?:now|fast|quickly)|don'?t[ \t]+miss[ \t]+(?:out|this)|before[ \t]+it'?s[ \t]+(?:gone|too[ \t]+late)|selling[ \t]+(?:fast|out)|(?:almost|nearly)[ \t]+sold[ \t]+out|today[ \t]+only|limited[ \t]+time[ \t]+only|final[ \t]+(?:call|chance)|now[ \t]+or[ \t]+never|once[ \t-]+in[ \t-]+a[ \t-]+lifetime|won'?t[ \t]+last)\b"
        ),
        re!(
            r"(?i)\bprices?[ \t]+(?:will[ \t]+|are[ \t]+)?(?:go(?:es|ing)?[ \t]+up|rise|rising|increase|increasing|double|doubling)[ \t]+(?:from[ \t]+)?(?:tomorrow|soon|next[ \t]+(?:week|month)|this[ \t]+(?:week|weekend|month)|after[ \t]+launch)\b"
        ),
        re!(r"(?i)\bprice[ \t]+(?:increase|hike)[ \t]+(?:from[ \t]+)?(?:tomorrow|soon|next[ \t]+week)\b"),
    ];
    Outcome::Checked(
        find_all(&ad.text, &patterns)
            .into_iter()
            .map(|(s, e)| {
                Hit::at(
                    ctx.config.urgency_rule,
                    ad,
                    s,
                    e,
                    "Pressure wording that the ad cannot substantiate.",
                    "Remove it, or state the verifiable fact (\"3 of 120 units available on 2 March, per the \
                     developer's inventory\").",
                )
            })
            .collect(),
    )
}

fn month(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let prefix: String = name.to_lowercase().chars().take(3).collect();
    MONTHS.iter().position(|m| *m == prefix).map(|i| i as u32 + 1)
}

fn offer_expired(ad: &Ad, ctx: &Context<'_>) -> Outcome {
    let deadline = re!(
        r"(?i)\b(?:valid[ \t]+(?:until|till|through|thru|to)|offer[ \t]+(?:ends|expires|closes|valid[ \t]+until)(?:[ \t]+on)?|ends[ \t]+on|expires[ \t]+on|expiring[ \t]+on|until|till|deadline|closing[ \t]+date)[ \t]*:?[ \t]*(?:the[ \t]+)?(?:(?P<iy>[0-9]{4})-(?P<im>[0-9]{2})-(?P<id>[0-9]{2})|(?P<nd>[0-9]{1,2})[/.-](?P<nm>[0-9]{1,2})[/.-](?P<ny>[0-9]{4})|(?P<td>[0-9]{1,2})(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?(?P<tm>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?,?[ \t]+(?P<ty>[0-9]{4})|(?P<um>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?[ \t]+(?P<ud>[0-9]{1,2})(?:st|nd|rd|th)?,?[ \t]+(?P<uy>[0-9]{4}))\b"
    );
    let dated: Vec<(usize, usize, NaiveDate)> = deadline
        .captures_iter(&ad.text)
        .filter_map(|c| {
            let num = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
            let (y, m, d) = if let Some(y) = num("iy") {
                (y, num("im")?, num("id")?)
            } else if let Some(y) = num("ny") {
                (y, num("nm")?, num("nd")?)
            } else if let Some(y) = num("ty") {
                (y, month(&c["tm"])?, num("td")?)
            } else {
                (num("uy")?, month(&c["um"])?, num("ud")?)
            };
            let m0 = c.get(0).expect("group 0");
            NaiveDate::from_ymd_opt(y as i32, m, d).map(|date| (m0.start(), m0.end(), date))
        })
        .collect();
    if dated.is_empty() {
        return Outcome::NotApplicable;
    }
    let Some(today) = ctx.today else {
        return Outcome::not_checked("no date given to compare the ad's deadline with");
    };
    Outcome::Checked(
        dated
            .into_iter()
            .filter(|&(_, _, date)| date < today)
            .map(|(s, e, date)| {
                Hit::at(
                    Severity::Error,
                    ad,
                    s,
                    e,
                    format!("The ad states a deadline, {date}, that has passed."),
                    "Remove the expired offer or date, or update it to the current, documented terms.",
                )
            })
            .collect(),
    )
}
