//! Tests for the iCalendar writer: escaping, folding, alarms, and parsing our own output back.
//!
//! No external validator runs here: python3 has no `icalendar` package in this environment, so the
//! parse-back check below (unfold, split properties, unescape) stands in for it.

use chrono::{TimeZone, Utc};

use super::text::{escape_text, push_folded, quote_param, MAX_LINE_OCTETS};
use super::*;

/// Undoes folding (§3.1): a CRLF followed by one space or tab is removed.
fn unfold(ics: &str) -> String {
    ics.replace("\r\n ", "").replace("\r\n\t", "")
}

/// Undoes TEXT escaping.
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits an unfolded line into (name with parameters, raw value) at the first colon outside quotes.
fn split_property(line: &str) -> (&str, &str) {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => return (&line[..i], &line[i + 1..]),
            _ => {}
        }
    }
    panic!("no colon in {line:?}");
}

/// All (name-with-params, raw value) pairs of a document, in order.
fn properties(ics: &str) -> Vec<(String, String)> {
    let unfolded = unfold(ics);
    assert!(unfolded.ends_with("\r\n"));
    unfolded
        .trim_end_matches("\r\n")
        .split("\r\n")
        .map(|line| {
            let (name, value) = split_property(line);
            (name.to_string(), value.to_string())
        })
        .collect()
}

fn value_of(props: &[(String, String)], name: &str) -> String {
    props.iter().find(|(n, _)| n.split(';').next() == Some(name)).map(|(_, v)| v.clone()).unwrap()
}

fn sample_event() -> Event {
    let at = |h, m| Utc.with_ymd_and_hms(2026, 3, 14, h, m, 0).unwrap();
    let mut e = Event::new("viewing-42@aura.example", at(6, 0), at(10, 0), at(10, 45), "Viewing; Marina, Tower 3");
    e.description = Some("Bring ID.\nParking: B2 \\ visitor bay".to_string());
    e.location = Some("Dubai Marina, بناية ٣".to_string());
    e.geo = Some((25.0805, 55.1403));
    e.categories = vec!["Viewing".to_string(), "Marina, JBR".to_string()];
    e.alarm_minutes_before = Some(90);
    e.organizer =
        Some(Person { email: "agent@aura.example".to_string(), name: Some("Layla \"LA\" Ahmed".to_string()) });
    e.attendees = vec![Person { email: "buyer@example.com".to_string(), name: None }];
    e
}

#[test]
fn escapes_text_values() {
    assert_eq!(escape_text(r"a\b;c,d"), r"a\\b\;c\,d");
    assert_eq!(escape_text("one\ntwo\r\nthree\rfour"), r"one\ntwo\nthree\nfour");
    assert_eq!(escape_text("tab\tkept, bell\u{7} dropped"), "tab\tkept\\, bell dropped");
    assert_eq!(quote_param("Layla \"LA\" ^x\ny"), "\"Layla ^'LA^' ^^x^ny\"");
}

#[test]
fn folds_at_75_octets() {
    let mut out = String::new();
    let long = format!("DESCRIPTION:{}", "x".repeat(200));
    push_folded(&mut out, &long);
    let lines: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
    assert_eq!(lines[0].len(), 75);
    assert!(lines[1..].iter().all(|l| l.starts_with(' ') && l.len() <= 75));
    assert_eq!(lines[1].len(), 75, "continuation lines use all 75 octets including the space");
    assert_eq!(unfold(&out), format!("{long}\r\n"));

    let mut short = String::new();
    push_folded(&mut short, &"y".repeat(75));
    assert_eq!(short, format!("{}\r\n", "y".repeat(75)), "exactly 75 octets is not folded");
}

#[test]
fn folding_never_splits_a_multibyte_character() {
    // Arabic letters are 2 octets, emoji 4: an odd prefix forces awkward boundaries.
    for prefix in ["S:", "SU:", "SUM:"] {
        let line = format!("{prefix}{}", "دبي 🏙️ مارينا ".repeat(20));
        let mut out = String::new();
        push_folded(&mut out, &line);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= MAX_LINE_OCTETS, "{} octets", physical.len());
        }
        // `out` is a String, so every split already had to be valid UTF-8; unfolding restores it.
        assert_eq!(unfold(&out), format!("{line}\r\n"));
    }
}

#[test]
fn alarm_triggers() {
    assert_eq!(trigger_before(0), "PT0S");
    assert_eq!(trigger_before(15), "-PT15M");
    assert_eq!(trigger_before(90), "-PT1H30M");
    assert_eq!(trigger_before(120), "-PT2H");
    assert_eq!(trigger_before(1440), "-P1D");
    assert_eq!(trigger_before(1470), "-P1DT30M");
}

#[test]
fn document_structure_and_line_rules() {
    let cal = Calendar { prod_id: "-//AURA//Calendar 1.0//EN".to_string(), events: vec![sample_event()] };
    let ics = cal.to_ics();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//AURA//Calendar 1.0//EN\r\n"));
    assert!(ics.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
    assert!(!ics.replace("\r\n", "").contains('\n') && !ics.replace("\r\n", "").contains('\r'), "CRLF only");
    assert!(ics.split("\r\n").all(|l| l.len() <= MAX_LINE_OCTETS));
    assert!(ics.contains("DTSTAMP:20260314T060000Z\r\n"));
    assert!(ics.contains("DTSTART:20260314T100000Z\r\nDTEND:20260314T104500Z\r\n"));
    assert!(ics.contains("GEO:25.080500;55.140300\r\n"));
    assert!(ics.contains("BEGIN:VALARM\r\nACTION:DISPLAY\r\n"));
    assert!(ics.contains("TRIGGER:-PT1H30M\r\nEND:VALARM\r\n"));
}

#[test]
fn parses_back() {
    let event = sample_event();
    let cal = Calendar { prod_id: "-//AURA//Calendar 1.0//EN".to_string(), events: vec![event.clone(), event.clone()] };
    let props = properties(&cal.to_ics());
    let names: Vec<&str> = props.iter().map(|(n, _)| n.split(';').next().unwrap()).collect();
    assert_eq!(names.iter().filter(|n| **n == "BEGIN").count(), 5, "VCALENDAR + 2×(VEVENT + VALARM)");
    assert_eq!(names.iter().filter(|n| **n == "UID").count(), 2);

    assert_eq!(unescape(&value_of(&props, "SUMMARY")), event.summary);
    assert_eq!(unescape(&value_of(&props, "DESCRIPTION")), event.description.clone().unwrap());
    assert_eq!(unescape(&value_of(&props, "LOCATION")), event.location.clone().unwrap());
    assert_eq!(unescape(&value_of(&props, "UID")), event.uid);

    // CATEGORIES: split on unescaped commas, then unescape each item.
    let raw = value_of(&props, "CATEGORIES");
    let mut items = vec![String::new()];
    let mut escaped = false;
    for c in raw.chars() {
        match (escaped, c) {
            (false, '\\') => escaped = true,
            (false, ',') => items.push(String::new()),
            _ => {
                escaped = false;
                items.last_mut().unwrap().push(c)
            }
        }
    }
    assert_eq!(items, event.categories);

    let (organizer, address) = props.iter().find(|(n, _)| n.starts_with("ORGANIZER")).unwrap();
    assert_eq!(organizer, "ORGANIZER;CN=\"Layla ^'LA^' Ahmed\"");
    assert_eq!(address, "mailto:agent@aura.example");
    let (attendee, address) = props.iter().find(|(n, _)| n.starts_with("ATTENDEE")).unwrap();
    assert!(attendee.contains("RSVP=TRUE") && !attendee.contains("CN="));
    assert_eq!(address, "mailto:buyer@example.com");

    let alarm_text = props.iter().filter(|(n, _)| n == "DESCRIPTION").nth(1).unwrap();
    assert_eq!(unescape(&alarm_text.1), format!("Reminder: {}", event.summary));
}

#[test]
fn optional_fields_are_omitted_and_injection_is_neutralised() {
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut e = Event::new("u1", at, at, at + chrono::Duration::hours(1), "Plain");
    e.geo = Some((f64::NAN, 55.0));
    e.categories = vec![String::new()];
    e.organizer = Some(Person { email: "evil@x.com\r\nATTENDEE:mailto:spy@x.com".to_string(), name: None });
    let ics = Calendar { prod_id: "p".to_string(), events: vec![e] }.to_ics();
    for absent in ["DESCRIPTION", "LOCATION", "GEO", "CATEGORIES", "VALARM", "\r\nATTENDEE"] {
        assert!(!ics.contains(absent), "{absent} should be absent:\n{ics}");
    }
    assert!(ics.contains("ORGANIZER:mailto:evil@x.comATTENDEE:mailto:spy@x.com\r\n"));
}
