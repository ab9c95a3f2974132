//! Packages: the list with versions, one package's steps, graph and versions, and uploading a
//! new version (validated first, so the validator's line/column problems are shown on the file).

use axum::extract::{Form, Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;
use serde_json::Value;

use super::field;
use crate::api_client::Outgoing;
use crate::error::{PageError, Problem};
use crate::session::Session;
use crate::urlencode::encode;
use crate::{dag, views, Api};

/// One line of an uploaded file, with the problems the validator found on it.
#[derive(Serialize)]
struct Line {
    number: usize,
    text: String,
    problems: Vec<Value>,
}

fn annotated(source: &str, problem: &Problem) -> Vec<Line> {
    let problems: Vec<&Value> = problem.errors.as_array().into_iter().flatten().collect();
    source
        .lines()
        .enumerate()
        .map(|(i, text)| Line {
            number: i + 1,
            text: text.to_string(),
            problems: problems
                .iter()
                .filter(|p| p["line"].as_u64() == Some(i as u64 + 1))
                .map(|p| (*p).clone())
                .collect(),
        })
        .collect()
}

async fn render_list(
    api: &Api,
    session: &Session,
    source: &str,
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    let list = api.get(&session.caller, "/api/v1/workflows/packages").await?;
    let mut ctx = views::page(session, "packages");
    ctx.insert("packages", &list["packages"]);
    ctx.insert("source", source);
    let status = problem.as_ref().map_or(StatusCode::OK, |p| StatusCode::from_u16(p.status).unwrap_or(StatusCode::OK));
    if let Some(p) = &problem {
        ctx.insert("lines", &annotated(source, p));
    }
    ctx.insert("problem", &problem);
    Ok((status, views::render("packages.html", &ctx)?).into_response())
}

pub(crate) async fn list(State(api): State<Api>, session: Session) -> Result<Response, PageError> {
    render_list(&api, &session, "", None).await
}

#[derive(serde::Deserialize)]
pub(crate) struct VersionQuery {
    version: Option<i32>,
}

/// One version of a package (the latest unless `?version=`): graph, steps, parameters, its TOML.
pub(crate) async fn show(
    State(api): State<Api>,
    session: Session,
    Path(name): Path<String>,
    axum::extract::Query(q): axum::extract::Query<VersionQuery>,
) -> Result<Response, PageError> {
    let version = q.version.map(|v| format!("?version={v}")).unwrap_or_default();
    let package = api.get(&session.caller, &format!("/api/v1/workflows/packages/{}{version}", encode(&name))).await?;
    let steps: Vec<dag::Step> = package["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| dag::Step {
            id: s["id"].as_str().unwrap_or_default().into(),
            label: s["name"].as_str().or(s["id"].as_str()).unwrap_or_default().into(),
            status: "pending".into(),
        })
        .collect();
    let mut ctx = views::page(&session, "packages");
    ctx.insert("dag", &dag::layout(&steps, &super::execution::edges(&package)));
    ctx.insert("package", &package);
    Ok(views::render("package.html", &ctx)?.into_response())
}

/// Validates the file (`POST …/packages/validate`), then stores it as the named package's next
/// version (`PUT …/packages/{name}`); either refusal is shown on the form with the file.
pub(crate) async fn upload(
    State(api): State<Api>,
    session: Session,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let source = field(&form, "source").unwrap_or_default().to_string();
    let checked = api
        .json(&session.caller, Method::POST, "/api/v1/workflows/packages/validate", Outgoing::Toml(source.clone()))
        .await;
    let name = match checked {
        Ok(v) => v["package"]["name"].as_str().unwrap_or_default().to_string(),
        Err(PageError::Api(problem)) => return render_list(&api, &session, &source, Some(problem)).await,
        Err(other) => return Err(other),
    };
    let path = format!("/api/v1/workflows/packages/{}", encode(&name));
    match api.json(&session.caller, Method::PUT, &path, Outgoing::Toml(source.clone())).await {
        Ok(_) => Ok(Redirect::to(&format!("/console/packages/{}", encode(&name))).into_response()),
        Err(PageError::Api(problem)) => render_list(&api, &session, &source, Some(problem)).await,
        Err(other) => Err(other),
    }
}
