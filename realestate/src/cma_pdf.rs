//! The CMA report as a PDF: title block, key figures, comparables with their adjustments, pricing
//! strategies, a chart of adjusted comparable prices, the market index with its forecast, method
//! notes and the data source. Rendered from the stored result JSON, so it always matches the API.

use chrono::{Datelike, Timelike};
use documents::chart::{self, BarChart, LineChart, Series, PALETTE};
use documents::format::{aed, aed_per_sqft, thousands, Unit};
use documents::layout::ReportLayout;
use documents::table::{self, Column, Table};
use documents::{Align, Color, DocInfo, Document, Font, PdfDate, Point, Rect, TextStyle};
use serde_json::Value;

/// Who the report is for and by, for the title block and footer.
pub struct ReportMeta {
    pub report_id: String,
    pub prepared_by: String,
    pub generated_at: chrono::DateTime<chrono::Utc>,
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn short_aed(v: f64) -> String {
    if v >= 1_000_000.0 {
        format!("AED {:.2}M", v / 1_000_000.0)
    } else {
        aed(v)
    }
}

fn subject_line(s: &Value) -> String {
    let beds = match s["bedrooms"].as_u64() {
        Some(0) => "Studio".to_string(),
        Some(b) => format!("{b} bedroom{}", if b == 1 { "" } else { "s" }),
        None => "Bedrooms n/a".into(),
    };
    let kind = s["property_type"].as_str().unwrap_or("property").replace('_', " ");
    format!(
        "{beds} {kind} \u{b7} {} sqft \u{b7} {}",
        thousands(num(&s["size_sqft"]), 0),
        s["community"].as_str().unwrap_or("")
    )
}

/// Moves to a new page when fewer than `needed` points remain above the body's bottom.
fn ensure_space(doc: &mut Document, layout: &ReportLayout, page: &mut documents::PageId, y: &mut f32, needed: f32) {
    let body = layout.body();
    if *y - needed < body.y {
        *page = layout.add_page(doc);
        *y = body.top();
    }
}

pub fn render(result: &Value, meta: &ReportMeta) -> Vec<u8> {
    let subject = &result["subject"];
    let valuation = &result["valuation"];
    let title = match (subject["building"].as_str(), subject["unit"].as_str()) {
        (Some(b), Some(u)) => format!("{b}, Unit {u}"),
        (Some(b), None) => b.to_string(),
        _ => subject["community"].as_str().unwrap_or("Subject property").to_string(),
    };
    let layout = ReportLayout::a4(
        "Comparative Market Analysis",
        format!("AURA \u{b7} Dubai \u{b7} {}", meta.generated_at.format("%-d %B %Y")),
        format!(
            "Prepared by {} \u{b7} Report {} \u{b7} Indicative figures, not a formal valuation",
            meta.prepared_by,
            &meta.report_id[..8.min(meta.report_id.len())]
        ),
    );
    let g = meta.generated_at;
    let date = PdfDate::utc(
        g.year() as u16,
        g.month() as u8,
        g.day() as u8,
        g.hour() as u8,
        g.minute() as u8,
        g.second() as u8,
    );
    let mut info = DocInfo::new(format!("CMA \u{2013} {title}"), meta.prepared_by.clone(), date);
    info.subject = "Comparative market analysis".into();
    let mut doc = Document::new(info);
    let body = layout.body();
    let mut page = layout.add_page(&mut doc);
    let mut y = body.top();
    let heading = TextStyle::new(Font::SansBold, 11.0).color(Color::NAVY);
    let text = TextStyle::new(Font::Sans, 9.0).line_spacing(1.35);
    let muted = TextStyle::new(Font::Sans, 8.0).color(Color::MUTED).line_spacing(1.3);

    // Title block.
    {
        let p = doc.page(page);
        p.text(body.x, y - 18.0, &title, &TextStyle::new(Font::SansBold, 20.0).color(Color::NAVY));
        p.text(body.x, y - 36.0, &subject_line(subject), &TextStyle::new(Font::Sans, 11.0));
        let valued = format!(
            "Valuation date {} \u{b7} Estimator: {} \u{b7} Comparables: {} (fallback level {})",
            result["valuation_date"].as_str().unwrap_or(""),
            valuation["estimator"].as_str().unwrap_or("").replace('_', " "),
            valuation["method"].as_str().unwrap_or("").replace('_', " "),
            valuation["fallback_level"]
        );
        p.text(body.x, y - 50.0, &valued, &muted);
        y -= 66.0;
    }

    // Key figure cards.
    let comps = result["comparables"].as_array().cloned().unwrap_or_default();
    let cards = [
        ("Estimated value", short_aed(num(&valuation["estimated_value"]))),
        (
            "Value range (80%)",
            format!(
                "{} \u{2013} {}",
                short_aed(num(&valuation["value_range"]["low"])),
                short_aed(num(&valuation["value_range"]["high"]))
            ),
        ),
        ("Price per sqft", aed_per_sqft(num(&valuation["price_per_sqft"]))),
        ("Confidence", format!("{:.0}% \u{b7} {} comps", num(&valuation["confidence"]) * 100.0, comps.len())),
    ];
    let gap = 10.0;
    let card_w = (body.w - 3.0 * gap) / 4.0;
    for (i, (label, value)) in cards.iter().enumerate() {
        let x = body.x + i as f32 * (card_w + gap);
        let p = doc.page(page);
        p.rounded_rect(Rect::new(x, y - 48.0, card_w, 48.0), 5.0, Some(Color::STRIPE), None);
        p.fill_rect(Rect::new(x, y - 48.0, 3.0, 48.0), if i == 0 { Color::GOLD } else { Color::NAVY });
        p.text(x + 10.0, y - 16.0, label, &TextStyle::new(Font::Sans, 7.5).color(Color::MUTED));
        p.text(x + 10.0, y - 35.0, value, &TextStyle::new(Font::SansBold, 11.0).color(Color::NAVY));
    }
    y -= 48.0 + 20.0;

    // Comparables table.
    doc.page(page).text(body.x, y - 10.0, "Comparable sales", &heading);
    y -= 18.0;
    let mut table = Table::new(vec![
        Column::new("Date", 1.05, Align::Left),
        Column::new("Building / community", 2.3, Align::Left),
        Column::new("BR", 0.4, Align::Right),
        Column::new("Sqft", 0.7, Align::Right),
        Column::new("Sale (AED)", 1.15, Align::Right),
        Column::new("AED/sqft", 0.85, Align::Right),
        Column::new("Match", 0.7, Align::Right),
        Column::new("Adjusted (AED)", 1.25, Align::Right),
    ]);
    for c in &comps {
        let t = &c["transaction"];
        let place = match t["building"].as_str() {
            Some(b) => format!("{b}, {}", t["community"].as_str().unwrap_or("")),
            None => t["community"].as_str().unwrap_or("").to_string(),
        };
        table.push_row([
            t["date"].as_str().unwrap_or("").to_string(),
            place,
            t["bedrooms"].as_u64().map_or("\u{2013}".into(), |b| b.to_string()),
            thousands(num(&t["size_sqft"]), 0),
            thousands(num(&t["price_aed"]), 0),
            thousands(num(&t["price_aed"]) / num(&t["size_sqft"]), 0),
            format!("{:.0}%", num(&c["similarity"]) * 100.0),
            thousands(num(&c["adjusted_price"]), 0),
        ]);
    }
    let end = table::draw(&mut doc, page, &table, Point::new(body.x, y), body.w, body);
    page = end.page;
    y = end.y - 16.0;

    // Adjustments of each comparable, in words.
    ensure_space(&mut doc, &layout, &mut page, &mut y, 60.0);
    doc.page(page).text(body.x, y - 10.0, "Adjustments", &heading);
    y -= 20.0;
    for (i, c) in comps.iter().enumerate() {
        let parts: Vec<String> = c["adjustments"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                let amount = num(&a["amount_aed"]);
                format!(
                    "{} ({}{})",
                    a["reason"].as_str().unwrap_or(""),
                    if amount >= 0.0 { "+" } else { "-" },
                    aed(amount.abs())
                )
            })
            .collect();
        let line = format!(
            "{}. {}",
            i + 1,
            if parts.is_empty() { "no adjustment needed".to_string() } else { parts.join("; ") }
        );
        ensure_space(&mut doc, &layout, &mut page, &mut y, 30.0);
        let used = doc.page(page).paragraph(body.x, y, body.w, &line, &muted);
        y -= used + 4.0;
    }
    y -= 10.0;

    // Pricing strategies.
    let pricing = &result["pricing_recommendation"];
    ensure_space(&mut doc, &layout, &mut page, &mut y, 120.0);
    doc.page(page).text(body.x, y - 10.0, "Pricing recommendation", &heading);
    y -= 18.0;
    let mut strategies = Table::new(vec![
        Column::new("Strategy", 0.9, Align::Left),
        Column::new("List price", 0.9, Align::Right),
        Column::new("AED/sqft", 0.7, Align::Right),
        Column::new("Rationale", 3.2, Align::Left),
    ]);
    for (name, key) in [("Quick sale", "quick_sale"), ("Market", "market"), ("Premium", "premium")] {
        let p = &pricing[key];
        strategies.push_row([
            name.to_string(),
            aed(num(&p["price_aed"])),
            thousands(num(&p["price_per_sqft"]), 0),
            p["rationale"].as_str().unwrap_or("").to_string(),
        ]);
    }
    let end = table::draw(&mut doc, page, &strategies, Point::new(body.x, y), body.w, body);
    page = end.page;
    y = end.y - 10.0;
    if let Some(advice) = pricing["asking"]["advice"].as_str() {
        ensure_space(&mut doc, &layout, &mut page, &mut y, 30.0);
        let used = doc.page(page).paragraph(body.x, y, body.w, &format!("Asking price: {advice}"), &text);
        y -= used + 8.0;
    }

    // Chart of adjusted comparable prices against the estimate.
    if !comps.is_empty() {
        let h = 170.0;
        ensure_space(&mut doc, &layout, &mut page, &mut y, h + 10.0);
        let estimate = num(&valuation["estimated_value"]);
        let chart = BarChart {
            title: "Adjusted comparable prices and the estimate".into(),
            unit: Unit::Aed,
            categories: comps
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    format!(
                        "#{} {}",
                        i + 1,
                        c["transaction"]["building"].as_str().or(c["transaction"]["community"].as_str()).unwrap_or("")
                    )
                })
                .collect(),
            series: vec![
                Series::new(
                    "Sale price",
                    comps.iter().map(|c| num(&c["transaction"]["price_aed"])).collect(),
                    PALETTE[3],
                ),
                Series::new(
                    "Adjusted to subject",
                    comps.iter().map(|c| num(&c["adjusted_price"])).collect(),
                    PALETTE[0],
                ),
                Series::new("Estimate", vec![estimate; comps.len()], PALETTE[1]),
            ],
            show_values: false,
        };
        chart::bar(doc.page(page), Rect::new(body.x, y - h, body.w, h), &chart);
        y -= h + 18.0;
    }

    // Market index and forecast.
    let market = &result["market"];
    if let Some(points) = market["points"].as_array().filter(|p| !p.is_empty()) {
        let h = 170.0;
        ensure_space(&mut doc, &layout, &mut page, &mut y, h + 60.0);
        let recent: Vec<&Value> = points.iter().rev().take(24).collect::<Vec<_>>().into_iter().rev().collect();
        let forecast: Vec<&Value> =
            market["forecast"]["points"].as_array().map(|f| f.iter().collect()).unwrap_or_default();
        let mut labels: Vec<String> = recent.iter().map(|p| p["month"].as_str().unwrap_or("").to_string()).collect();
        labels.extend(forecast.iter().map(|p| p["month"].as_str().unwrap_or("").to_string()));
        let n_hist = recent.len();
        let pad = |mut v: Vec<f64>, before: usize, total: usize| {
            let mut out = vec![f64::NAN; before];
            out.append(&mut v);
            out.resize(total, f64::NAN);
            out
        };
        let total = labels.len();
        let history: Vec<f64> = recent.iter().map(|p| num(&p["median_psf"])).collect();
        let chart = LineChart {
            title: format!(
                "{} \u{2013} median AED/sqft by month, with forecast",
                market["community"].as_str().unwrap_or("")
            ),
            unit: Unit::AedPerSqft,
            labels,
            series: vec![
                Series::new("Median AED/sqft", pad(history, 0, total), PALETTE[0]),
                Series::new(
                    "Forecast",
                    pad(forecast.iter().map(|p| num(&p["value"])).collect(), n_hist, total),
                    PALETTE[1],
                ),
                Series::new(
                    "80% interval",
                    pad(forecast.iter().map(|p| num(&p["low"])).collect(), n_hist, total),
                    PALETTE[3],
                ),
                Series::new("", pad(forecast.iter().map(|p| num(&p["high"])).collect(), n_hist, total), PALETTE[3]),
            ],
        };
        chart::line(doc.page(page), Rect::new(body.x, y - h, body.w, h), &chart);
        y -= h + 12.0;
        let yoy = market["yoy_change"].as_f64().map_or("n/a".to_string(), |c| format!("{:+.1}%", c * 100.0));
        let mape = market["backtest_mape"].as_f64().map_or("n/a".to_string(), |m| format!("{:.1}%", m * 100.0));
        let note = format!(
            "Year-on-year change: {yoy}. Forecast method: {}; its backtest error (MAPE) on this series: {mape}. {}",
            market["forecast"]["method"].as_str().unwrap_or("n/a"),
            market["forecast_basis"].as_str().unwrap_or("")
        );
        let used = doc.page(page).paragraph(body.x, y, body.w, &note, &muted);
        y -= used + 12.0;
    }

    // Method notes and source.
    let mut notes: Vec<String> =
        valuation["notes"].as_array().into_iter().flatten().filter_map(|n| n.as_str().map(str::to_string)).collect();
    notes.extend(pricing["evidence"].as_array().into_iter().flatten().filter_map(|n| n.as_str().map(str::to_string)));
    notes.push("Source: Dubai Land Department open data (registered sales). Developer bulk registrations are excluded from comparables. This analysis is indicative and is not a formal valuation by a RERA-registered valuer.".into());
    ensure_space(&mut doc, &layout, &mut page, &mut y, 60.0);
    doc.page(page).text(body.x, y - 10.0, "Method and sources", &heading);
    y -= 20.0;
    for n in notes {
        ensure_space(&mut doc, &layout, &mut page, &mut y, 24.0);
        let used = doc.page(page).paragraph(body.x, y, body.w, &format!("\u{2022} {n}"), &muted);
        y -= used + 3.0;
    }

    layout.decorate(&mut doc);
    doc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_real_cma_for_a_seeded_property() {
        let (txns, _) = valuation::parse_transactions(include_str!("../../seeds/transactions.csv"));
        let (communities, _) = valuation::parse_communities(include_str!("../../seeds/communities.csv"));
        let market = valuation::Market::new(txns, communities);
        let subject = crate::property::Property::from_body(&serde_json::json!({
            "reference": "test_prop_123", "community": "Dubai Marina", "building": "Marina Heights Tower",
            "property_type": "apartment", "bedrooms": 2, "size_sqft": 1250.0, "asking_price": 2_400_000.0,
        }))
        .unwrap();
        let date = chrono::NaiveDate::from_ymd_opt(2026, 2, 15).unwrap();
        let result = crate::cma::generate(&market, &subject, &crate::cma::AnalysisOptions::default(), date).unwrap();
        assert!(result["valuation"]["estimated_value"].as_f64().unwrap() > 500_000.0);
        assert!(!result["comparables"].as_array().unwrap().is_empty());
        let meta = ReportMeta {
            report_id: "0123456789abcdef".into(),
            prepared_by: "Sara Khan (BRN 48213)".into(),
            generated_at: chrono::DateTime::from_timestamp(1_771_150_000, 0).unwrap(),
        };
        let pdf = render(&result, &meta);
        assert!(pdf.starts_with(b"%PDF-1."));
        assert!(pdf.ends_with(b"%%EOF\n") || pdf.ends_with(b"%%EOF"));
        let _ = std::fs::write(std::env::temp_dir().join("aura_cma_sample.pdf"), &pdf);
    }
}
