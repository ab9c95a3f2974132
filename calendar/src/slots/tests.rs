//! Tests for photography and business-hours slot finding.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::{Asia::Dubai, Tz};
use proptest::prelude::*;

use super::*;

fn dubai(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Dubai.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap().with_timezone(&Utc)
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

const DXB: (f64, f64) = (25.2048, 55.2708);

#[test]
fn dubai_photo_slots_respect_notice_and_cover_golden_hour() {
    // Saturday 2026-06-20 08:00: notice pushes the first possible start to Sunday 08:00.
    let now = dubai(2026, 6, 20, 8, 0);
    let slots = photography_slots(DXB.0, DXB.1, now, Dubai, 14, 4, Duration::minutes(60));
    assert_eq!(slots.len(), 4);
    let kinds: Vec<GoldenKind> = slots.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [GoldenKind::Evening, GoldenKind::Morning, GoldenKind::Evening, GoldenKind::Morning]);
    assert_eq!(slots[0].local_start.date_naive().day(), 21);
    for s in &slots {
        assert!(s.start >= now + Duration::hours(24));
        assert_eq!(s.end - s.start, Duration::minutes(60));
        assert_eq!(s.start.timestamp() % 300, 0, "5-minute aligned");
        // A 60-minute shoot centred on a ~49-minute window covers all of it.
        assert!(s.start <= s.golden.start && s.golden.end <= s.end, "{s:?}");
        let centre_gap = ((s.start + Duration::minutes(30)) - s.golden.middle()).num_seconds().abs();
        assert!(centre_gap <= 150, "centred within rounding");
        assert_eq!(s.local_start, s.start.with_timezone(&Dubai));
    }
    // Evening of 2026-06-21: golden 18:39–19:28, middle 19:03 → shoot 18:35–19:35, sunset 19:12.
    assert_eq!(slots[0].local_start.format("%H:%M").to_string(), "18:35");
    assert_eq!(
        slots[0].reason,
        "Evening golden hour 18:39–19:28 (sun +6° → −4°, sunset 19:12); 60-minute shoot 18:35–19:35 \
         centred on the window's middle 19:03"
    );
    assert!(slots[1].reason.starts_with("Morning golden hour") && slots[1].reason.contains("sunrise"));
    assert!(slots.windows(2).all(|w| w[0].end <= w[1].start));
}

#[test]
fn photo_horizon_and_degenerate_inputs() {
    let now = dubai(2026, 6, 20, 8, 0);
    // days_ahead = 1 → only 20th and 21st; the only session after notice is the 21st evening.
    let slots = photography_slots(DXB.0, DXB.1, now, Dubai, 1, 10, Duration::minutes(60));
    assert_eq!(slots.len(), 1);
    assert!(photography_slots(DXB.0, DXB.1, now, Dubai, 0, 10, Duration::minutes(60)).is_empty());
    assert!(photography_slots(DXB.0, DXB.1, now, Dubai, 5, 0, Duration::minutes(60)).is_empty());
    assert!(photography_slots(DXB.0, DXB.1, now, Dubai, 5, 3, Duration::zero()).is_empty());
    assert!(photography_slots(f64::NAN, DXB.1, now, Dubai, 5, 3, Duration::minutes(60)).is_empty());
    // Tromsø in December: polar night, no golden windows at all.
    let tromso = Tz::Europe__Oslo;
    let dec = Utc.with_ymd_and_hms(2026, 12, 10, 12, 0, 0).unwrap();
    assert!(photography_slots(69.65, 18.96, dec, tromso, 10, 3, Duration::minutes(60)).is_empty());
}

#[test]
fn friday_prayer_blocks_midday_sessions() {
    // Helsinki in December: the sun barely clears +6°, so golden windows sit either side of noon and
    // evening sessions land around 12:30–14:30 local — inside the Friday prayer window on Fridays.
    let helsinki = Tz::Europe__Helsinki;
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap();
    let slots = photography_slots(60.17, 24.94, now, helsinki, 28, 200, Duration::minutes(60));
    let in_prayer_window = |s: &PhotoSlot| {
        let (from, to) = FRIDAY_PRAYER;
        s.local_start.time() < to && from < s.local_end.time()
    };
    assert!(slots.iter().any(|s| s.local_start.weekday() != Weekday::Fri && in_prayer_window(s)), "rule is exercised");
    assert!(!slots.iter().any(|s| s.local_start.weekday() == Weekday::Fri && in_prayer_window(s)));
}

#[test]
fn dubai_week_thursday_evening_rolls_to_friday_morning_then_monday() {
    // Thursday 2026-06-18 16:40 with 1 h lead: nothing fits before 18:00, Friday closes at 12:00.
    let now = dubai(2026, 6, 18, 16, 40);
    let slots = business_hours_slots(now, Dubai, 8, Duration::minutes(30), &WorkWeek::dubai(), Duration::hours(1));
    let local: Vec<String> =
        slots.iter().map(|(s, _)| s.with_timezone(&Dubai).format("%a %H:%M").to_string()).collect();
    assert_eq!(
        local,
        ["Fri 09:00", "Fri 09:30", "Fri 10:00", "Fri 10:30", "Fri 11:00", "Fri 11:30", "Mon 09:00", "Mon 09:30"]
    );
}

#[test]
fn odd_durations_do_not_overlap_and_stay_aligned() {
    let now = dubai(2026, 6, 22, 9, 10); // Monday
    let slots = business_hours_slots(now, Dubai, 3, Duration::minutes(45), &WorkWeek::default(), Duration::zero());
    let local: Vec<String> = slots
        .iter()
        .map(|(s, e)| {
            format!("{}-{}", s.with_timezone(&Dubai).format("%H:%M"), e.with_timezone(&Dubai).format("%H:%M"))
        })
        .collect();
    assert_eq!(local, ["09:30-10:15", "10:30-11:15", "11:30-12:15"]);

    let week = WorkWeek::new(&[Weekday::Sat], hm(10, 0), hm(11, 0));
    assert!(business_hours_slots(now, Dubai, 1, Duration::hours(2), &week, Duration::zero()).is_empty());
    assert!(business_hours_slots(now, Dubai, 1, Duration::zero(), &week, Duration::zero()).is_empty());
    assert_eq!(WorkWeek::dubai().hours(Weekday::Fri), Some((hm(9, 0), hm(12, 0))));
    assert_eq!(WorkWeek::dubai().hours(Weekday::Sat), None);
    assert_eq!(WorkWeek::dubai().closed(Weekday::Mon).hours(Weekday::Mon), None);
}

#[test]
fn dst_gap_times_are_skipped() {
    // London springs forward on Sunday 2026-03-29 at 01:00 → 02:00; 01:00 and 01:30 do not exist.
    let london = Tz::Europe__London;
    let week = WorkWeek::new(&[Weekday::Sun], hm(0, 0), hm(3, 0));
    let now = Utc.with_ymd_and_hms(2026, 3, 28, 12, 0, 0).unwrap();
    let slots = business_hours_slots(now, london, 4, Duration::minutes(30), &week, Duration::zero());
    let local: Vec<String> = slots.iter().map(|(s, _)| s.with_timezone(&london).format("%H:%M").to_string()).collect();
    assert_eq!(local, ["00:00", "00:30", "02:00", "02:30"]);
}

proptest! {
    #[test]
    fn business_slot_invariants(
        start_min in 0i64..(60 * 24 * 400),
        lead_min in -120i64..(60 * 72),
        duration_min in 1i64..240,
        count in 1usize..30,
    ) {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::minutes(start_min);
        let duration = Duration::minutes(duration_min);
        let week = WorkWeek::dubai();
        let slots = business_hours_slots(now, Dubai, count, duration, &week, Duration::minutes(lead_min));
        // Mon–Thu fit any duration up to 9 h, so the search always fills the request.
        prop_assert_eq!(slots.len(), count);
        for (i, (s, e)) in slots.iter().enumerate() {
            prop_assert!(*s >= now + Duration::minutes(lead_min.max(0)));
            prop_assert_eq!(*e - *s, duration);
            let (ls, le) = (s.with_timezone(&Dubai), e.with_timezone(&Dubai));
            prop_assert_eq!(ls.second(), 0);
            prop_assert_eq!(ls.minute() % SLOT_ALIGNMENT_MINUTES, 0);
            let (open, close) = week.hours(ls.weekday()).expect("working day");
            prop_assert!(ls.time() >= open && le.time() <= close && le.date_naive() == ls.date_naive());
            if i > 0 {
                prop_assert!(slots[i - 1].1 <= *s);
            }
        }
    }
}
