//! `/api/v1/cma`: CMA reports (durable executions of the `cma_report` package), quick
//! valuation, market trends; plus the seed's market insights and the transactions import.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use realestate::cma::AnalysisOptions;
use realestate::property::{self, FieldError, Property, PropertyInput};

use realestate::seed::ImportReport;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::domain::CmaReportRecord;
use uuid::Uuid;
use valuation::{ComparableUsed, Estimator, Forecast, Method, MonthPoint, PropertyType, Trends, ValuationError};

use crate::auth::Caller;
use crate::contract::{Answer, Contract};
use crate::routes::properties::{field_errors, find, listing_of};
use crate::{json as body, ApiError, AppState};

pub(crate) static CONTRACTS: &[Contract] = &[
    Contract::get("/api/v1/cma/reports").json::<ReportList>(),
    Contract::post("/api/v1/cma/reports").body::<CreateReport>().json_status::<ReportQueued>(202),
    Contract::get("/api/v1/cma/reports/{id}").uuids(&["id"]).json::<ReportDetail>(),
    Contract::get("/api/v1/cma/reports/{id}/pdf")
        .uuids(&["id"])
        .answer(200, Answer::File(&["application/pdf"]))
        .errors(&[(409, "report_not_ready: the report's execution has not finished.")]),
    Contract::post("/api/v1/cma/valuation/quick").body::<QuickValuation>().json::<QuickValuationView>(),
    Contract::get("/api/v1/cma/market/trends").query::<TrendsQuery>().json::<Trends>(),
    Contract::get("/api/v1/analytics/insights/market").query::<TrendsQuery>().json::<MarketInsights>(),
    Contract::post("/api/v1/market/transactions/import").json::<ImportReport>(),
];

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/cma/reports", get(list_reports).post(create_report))
        .route("/cma/reports/{id}", get(get_report))
        .route("/cma/reports/{id}/pdf", get(report_pdf))
        .route("/cma/valuation/quick", post(quick_valuation))
        .route("/cma/market/trends", get(trends))
        .route("/analytics/insights/market", get(market_insights))
        .route("/market/transactions/import", post(import_transactions))
}

pub(crate) fn valuation_error(e: ValuationError) -> ApiError {
    let unprocessable = |code, detail: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail);
    match e {
        ValuationError::UnknownCommunity { input, suggestions } => unprocessable(
            "unknown_community",
            format!("unknown community `{input}`"),
        )
        .with("errors", json!([{ "field": "community", "message": "unknown community", "suggestions": suggestions }])),
        ValuationError::AmbiguousCommunity { input, candidates } => {
            unprocessable("ambiguous_community", format!("`{input}` matches several communities"))
                .with("errors", json!([{ "field": "community", "message": "ambiguous", "suggestions": candidates }]))
        }
        ValuationError::InvalidInput { field, message } => {
            unprocessable("invalid_fields", format!("{field}: {message}"))
                .with("errors", json!([{ "field": field, "message": message }]))
        }
        e @ ValuationError::InsufficientData { .. } => unprocessable("insufficient_data", e.to_string()),
    }
}

/// The subject of a request: a stored property (by id or reference) or an inline one.
async fn subject_from(
    s: &AppState,
    caller: &Caller,
    property_id: Option<&str>,
    inline: Option<Value>,
) -> Result<(Option<Uuid>, Property), ApiError> {
    match (property_id, inline) {
        (Some(id), _) => {
            let p = find(s, caller, id).await?;
            Ok((Some(p.id), listing_of(&p)?))
        }
        (None, Some(v)) => {
            let input: PropertyInput = serde_json::from_value(v)
                .map_err(|e| field_errors(vec![FieldError::new("subject_property", e.to_string())]))?;
            let market = &s.estate.market;
            Ok((None, property::validate(&input, &|t| market.resolve(t), false).map_err(field_errors)?))
        }
        (None, None) => Err(field_errors(vec![FieldError::new("property_id", "give property_id or subject_property")])),
    }
}

fn parse_date(field: &str, d: Option<&str>, today: chrono::NaiveDate) -> Result<chrono::NaiveDate, ApiError> {
    match d {
        None => Ok(today),
        Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| field_errors(vec![FieldError::new(field, "must be a date YYYY-MM-DD")])),
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CreateReport {
    property_id: Option<String>,
    subject_property: Option<Value>,
    #[serde(default)]
    analysis_options: Option<AnalysisOptions>,
    valuation_date: Option<String>,
}

type Time = chrono::DateTime<chrono::Utc>;

/// A CMA report's state; `pdf_url` once its PDF is made.
#[derive(Serialize, JsonSchema)]
struct ReportView {
    cma_report_id: Uuid,
    /// `processing`, `completed` or `failed`.
    status: String,
    property_id: Option<Uuid>,
    execution_id: Option<Uuid>,
    owner_id: String,
    created_at: Time,
    updated_at: Time,
    error: Option<String>,
    pdf_url: Option<String>,
}

impl From<&CmaReportRecord> for ReportView {
    fn from(r: &CmaReportRecord) -> ReportView {
        ReportView {
            cma_report_id: r.id,
            status: r.status.clone(),
            property_id: r.property_id,
            execution_id: r.execution_id,
            owner_id: r.owner_id.clone(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            error: r.error.clone(),
            pdf_url: r.pdf_artifact_id.map(|_| format!("/api/v1/cma/reports/{}/pdf", r.id)),
        }
    }
}

#[derive(Serialize, JsonSchema)]
struct ReportListItem {
    #[serde(flatten)]
    report: ReportView,
    /// The headline numbers of a finished report; null before.
    summary: Value,
}

#[derive(Serialize, JsonSchema)]
struct ReportList {
    reports: Vec<ReportListItem>,
}

/// A report with what it was asked and, once finished, what the `cma_report` execution found
/// (documents the package wrote, so they are given as it stored them).
#[derive(Serialize, JsonSchema)]
struct ReportDetail {
    #[serde(flatten)]
    report: ReportView,
    subject_property: Value,
    analysis_options: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    valuation: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comparables: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pricing_recommendation: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    market: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    valuation_date: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<Value>,
}

#[derive(Serialize, JsonSchema)]
struct ReportQueued {
    cma_report_id: Uuid,
    status: &'static str,
    execution_id: Uuid,
    status_url: String,
    execution_status_url: String,
}

/// A quick valuation: money rounded to whole AED, ratios to a few places.
#[derive(Serialize, JsonSchema)]
struct QuickValuationView {
    estimated_value: f64,
    value_range: ValueRange,
    price_per_sqft: f64,
    confidence: f64,
    community: String,
    building: Option<String>,
    valuation_date: chrono::NaiveDate,
    method: Method,
    fallback_level: u8,
    estimator: Estimator,
    comparables: Vec<ComparableUsed>,
    notes: Vec<String>,
}

/// About P10–P90, in AED.
#[derive(Serialize, JsonSchema)]
struct ValueRange {
    low: f64,
    high: f64,
}

/// The seed's market insights shape of [`Trends`].
#[derive(Serialize, JsonSchema)]
struct MarketInsights {
    location: String,
    property_type: PropertyType,
    market_overview: MarketOverview,
    price_trends: Vec<MonthPoint>,
    forecast: Forecast,
    forecast_backtest_mape: Option<f64>,
    forecast_basis: String,
}

/// The latest month with sales.
#[derive(Serialize, JsonSchema)]
struct MarketOverview {
    latest_month: Option<String>,
    median_price_per_sqft: Option<f64>,
    monthly_volume: Option<usize>,
    yoy_change: Option<f64>,
}

async fn create_report(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<ReportQueued>), ApiError> {
    let req: CreateReport = body::parse(&bytes)?;
    let options = req.analysis_options.unwrap_or_default();
    options.check().map_err(|e| field_errors(vec![e]))?;
    let date = parse_date("valuation_date", req.valuation_date.as_deref(), s.rt.clock.now().date_naive())?;
    let (property_id, subject) = subject_from(&s, &caller, req.property_id.as_deref(), req.subject_property).await?;
    // Refuse what the engine cannot value now, rather than fail later in the execution.
    realestate::cma::subject(&subject, date).map_err(valuation_error)?;
    let now = s.rt.clock.now();
    let id = Uuid::now_v7();
    let record = CmaReportRecord {
        id,
        owner_id: caller.id().to_string(),
        team_id: caller.user.team_id.map(|t| t.to_string()),
        property_id,
        execution_id: None,
        status: "processing".into(),
        request: json!({ "subject": subject.to_body(), "analysis_options": options, "valuation_date": date, "prepared_by": caller.user.name }),
        result: None,
        error: None,
        pdf_artifact_id: None,
        created_at: now,
        updated_at: now,
    };
    // Prepared before the report is written, so a refused trigger leaves no report behind.
    let execution =
        s.rt.prepare(runtime::Trigger {
            package: "cma_report".into(),
            params: json!({ "report_id": id.to_string() }),
            priority: 0,
            idempotency_key: Some(format!("cma-report:{id}")),
            created_by: Some(caller.id().to_string()),
            team_id: caller.user.team_id.map(|t| t.to_string()),
        })
        .await?;
    s.estate.domain.create_cma_report(&record).await?;
    let started = s.rt.start(execution).await?;
    s.estate.domain.set_cma_report_execution(id, started.execution_id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(ReportQueued {
            cma_report_id: id,
            status: "processing",
            execution_id: started.execution_id,
            status_url: format!("/api/v1/cma/reports/{id}"),
            execution_status_url: format!("/api/v1/workflows/packages/status/{}", started.execution_id),
        }),
    ))
}

pub(crate) async fn visible_report(s: &AppState, caller: &Caller, id: &str) -> Result<CmaReportRecord, ApiError> {
    let id =
        Uuid::parse_str(id).map_err(|_| ApiError::bad_request("invalid_id", format!("`{id}` is not a report id")))?;
    let report =
        s.estate.domain.cma_report(id).await?.ok_or_else(|| ApiError::not_found(format!("CMA report {id}")))?;
    if !caller.can_see(Some(&report.owner_id), report.team_id.as_deref()) {
        return Err(ApiError::not_found(format!("CMA report {id}")));
    }
    Ok(report)
}

async fn get_report(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<ReportDetail>, ApiError> {
    let report = visible_report(&s, &caller, &id).await?;
    let result = |key: &str| report.result.as_ref().map(|r| r[key].clone());
    Ok(Json(ReportDetail {
        report: ReportView::from(&report),
        subject_property: report.request["subject"].clone(),
        analysis_options: report.request["analysis_options"].clone(),
        valuation: result("valuation"),
        comparables: result("comparables"),
        pricing_recommendation: result("pricing_recommendation"),
        market: result("market"),
        valuation_date: result("valuation_date"),
        source: result("source"),
    }))
}

async fn report_pdf(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let report = visible_report(&s, &caller, &id).await?;
    let Some(artifact_id) = report.pdf_artifact_id else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_ready",
            format!("the report is {}; its PDF is not ready", report.status),
        ));
    };
    let (artifact, bytes) =
        s.estate.domain.artifact(artifact_id).await?.ok_or_else(|| ApiError::not_found("report PDF"))?;
    Ok((
        [
            (header::CONTENT_TYPE, artifact.content_type.clone()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{}\"", artifact.filename)),
            (header::ETAG, format!("\"{}\"", artifact.sha256)),
        ],
        bytes,
    ))
}

async fn list_reports(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<ReportList>, ApiError> {
    let (owner, team) = caller.scope();
    let rows = s.estate.domain.list_cma_reports(owner.as_deref(), team.as_deref(), 200).await?;
    let reports = rows
        .iter()
        .map(|r| ReportListItem {
            report: ReportView::from(r),
            summary: r.result.as_ref().map(realestate::cma::summary).unwrap_or(Value::Null),
        })
        .collect();
    Ok(Json(ReportList { reports }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct QuickValuation {
    property_id: Option<String>,
    address: Option<String>,
    community: Option<String>,
    building: Option<String>,
    property_type: Option<String>,
    bedrooms: Option<i64>,
    bathrooms: Option<f64>,
    #[serde(alias = "area_sqft")]
    size_sqft: Option<f64>,
    size_sqm: Option<f64>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    valuation_date: Option<String>,
    comparable_count: Option<usize>,
}

async fn quick_valuation(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<Json<QuickValuationView>, ApiError> {
    let q: QuickValuation = body::parse(&bytes)?;
    let date = parse_date("valuation_date", q.valuation_date.as_deref(), s.rt.clock.now().date_naive())?;
    let fields = json!({
        "address": q.address, "community": q.community, "building": q.building, "property_type": q.property_type,
        "bedrooms": q.bedrooms, "bathrooms": q.bathrooms, "size_sqft": q.size_sqft, "size_sqm": q.size_sqm,
        "latitude": q.latitude, "longitude": q.longitude,
    });
    let inline: serde_json::Map<String, Value> = fields
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let inline = Some(Value::Object(inline));
    let (_, subject_body) =
        subject_from(&s, &caller, q.property_id.as_deref(), if q.property_id.is_some() { None } else { inline })
            .await?;
    let subject = realestate::cma::subject(&subject_body, date).map_err(valuation_error)?;
    let options = valuation::Options {
        comparable_count: q.comparable_count.unwrap_or(6).clamp(1, 20),
        ..valuation::Options::default()
    };
    let market = s.estate.market.market();
    let v = tokio::task::spawn_blocking(move || market.value(&subject, &options))
        .await
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error"))?
        .map_err(valuation_error)?;
    Ok(Json(QuickValuationView {
        estimated_value: v.estimated_value.round(),
        value_range: ValueRange { low: v.value_range.0.round(), high: v.value_range.1.round() },
        price_per_sqft: (v.price_per_sqft * 100.0).round() / 100.0,
        confidence: (v.confidence * 1000.0).round() / 1000.0,
        community: v.community,
        building: v.building,
        valuation_date: v.valuation_date,
        method: v.method,
        fallback_level: v.fallback_level,
        estimator: v.estimator,
        comparables: v.comparables,
        notes: v.notes,
    }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct TrendsQuery {
    community: Option<String>,
    location: Option<String>,
    property_type: Option<String>,
    forecast_months: Option<usize>,
}

fn trends_for(s: &AppState, q: TrendsQuery) -> Result<Trends, ApiError> {
    let place =
        q.community.or(q.location).ok_or_else(|| field_errors(vec![FieldError::new("community", "is required")]))?;
    let ptype_text = q.property_type.unwrap_or_else(|| "apartment".into());
    let ptype = valuation::PropertyType::parse(&ptype_text).ok_or_else(|| {
        field_errors(vec![FieldError::new("property_type", "must be apartment, villa or hotel_apartment")])
    })?;
    let months = q.forecast_months.unwrap_or(6);
    if months > 24 {
        return Err(field_errors(vec![FieldError::new("forecast_months", "must be at most 24")]));
    }
    let market = s.estate.market.market();
    let community = match s.estate.market.resolve(&place) {
        realestate::property::CommunityMatch::Found(c) => c,
        realestate::property::CommunityMatch::Unknown { suggestions } => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_community",
                format!("unknown community `{place}`"),
            )
            .with(
                "errors",
                json!([{ "field": "community", "message": "unknown community", "suggestions": suggestions }]),
            ))
        }
    };
    market.trends(&community, ptype, months).map_err(valuation_error)
}

async fn trends(
    State(s): State<AppState>,
    q: Result<Query<TrendsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Trends>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    Ok(Json(trends_for(&s, q)?))
}

/// The seed's market insights: trends plus the forecast in its shape.
async fn market_insights(
    State(s): State<AppState>,
    q: Result<Query<TrendsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<MarketInsights>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let t = trends_for(&s, q)?;
    let last = t.points.last();
    Ok(Json(MarketInsights {
        location: t.community,
        property_type: t.property_type,
        market_overview: MarketOverview {
            latest_month: last.map(|p| p.month.clone()),
            median_price_per_sqft: last.map(|p| p.median_psf),
            monthly_volume: last.map(|p| p.volume),
            yoy_change: t.yoy_change,
        },
        price_trends: t.points,
        forecast: t.forecast,
        forecast_backtest_mape: t.backtest_mape,
        forecast_basis: t.forecast_basis,
    }))
}

async fn import_transactions(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    let text =
        std::str::from_utf8(&bytes).map_err(|_| ApiError::bad_request("invalid_body", "the CSV must be UTF-8"))?;
    let (rows, errors) = realestate::seed::parse_transactions(text, &format!("import:{}", caller.id()))
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv", e))?;
    let report = realestate::seed::import(s.estate.domain.as_ref(), rows, errors).await?;
    s.estate.market.reload().await?;
    s.audit(
        Some(caller.id()),
        "market.import",
        None,
        Some(json!({ "inserted": report.inserted, "errors": report.errors.len() })),
        None,
    )
    .await;
    Ok(Json(report))
}
