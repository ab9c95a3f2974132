//! The route table: every route with the access it needs and what it does.
//!
//! This table is the single source for access control ([`crate::auth::authorize`]) and for the
//! OpenAPI document ([`crate::openapi`]); a test checks that it and the router agree.

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    /// Any signed-in user.
    Authenticated,
    Permission(&'static str),
}

/// What a route's request body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    None,
    Json,
    Toml,
    Csv,
    /// A file as the raw body (its media type in Content-Type).
    Binary,
    /// A photo as the raw body: PNG or JPEG, recognised by its bytes.
    Image,
}

#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    pub method: &'static str,
    /// axum syntax: `/api/v1/users/{id}`.
    pub path: &'static str,
    pub access: Access,
    pub tag: &'static str,
    pub summary: &'static str,
    pub body: Body,
}

const fn r(
    method: &'static str,
    path: &'static str,
    access: Access,
    tag: &'static str,
    summary: &'static str,
    body: Body,
) -> RouteSpec {
    RouteSpec { method, path, access, tag, summary, body }
}

use Access::{Authenticated, Permission, Public};
use Body::{Json, None as NoBody, Toml};

const EXECUTE: Access = Permission("workflows:execute_package");
const SYSTEM: Access = Permission("workflows:system_management");
const USERS: Access = Permission("system:manage_users");
const TEAM: Access = Permission("workflows:manage_team_workflows");
const ANALYTICS: Access = Permission("analytics:view_personal");

pub static ROUTES: &[RouteSpec] = &[
    r("GET", "/health", Public, "system", "Liveness: the process answers.", NoBody),
    r("GET", "/ready", Public, "system", "Readiness: the database answers and migrations are applied.", NoBody),
    r("GET", "/metrics", Public, "system", "Prometheus metrics.", NoBody),
    r("GET", "/openapi.json", Public, "system", "This API's OpenAPI 3.1 document.", NoBody),
    r("GET", "/docs", Public, "system", "Interactive API documentation (works offline).", NoBody),
    // Auth, at the seed's paths and under /api/v1.
    r("POST", "/auth/login", Public, "auth", "Exchange e-mail and password for an access and a refresh token.", Json),
    r("POST", "/auth/refresh", Public, "auth", "Rotate a refresh token; a reused token revokes its family.", Json),
    r("POST", "/auth/logout", Authenticated, "auth", "Revoke a refresh token's family.", Json),
    r("GET", "/auth/me", Authenticated, "auth", "The signed-in user and their permissions.", NoBody),
    r(
        "POST",
        "/api/v1/auth/login",
        Public,
        "auth",
        "Exchange e-mail and password for an access and a refresh token.",
        Json,
    ),
    r(
        "POST",
        "/api/v1/auth/refresh",
        Public,
        "auth",
        "Rotate a refresh token; a reused token revokes its family.",
        Json,
    ),
    r("POST", "/api/v1/auth/logout", Authenticated, "auth", "Revoke a refresh token's family.", Json),
    r("GET", "/api/v1/auth/me", Authenticated, "auth", "The signed-in user and their permissions.", NoBody),
    // Users, teams, audit.
    r("GET", "/api/v1/users", USERS, "users", "List users.", NoBody),
    r("POST", "/api/v1/users", USERS, "users", "Create a user (agent, team_leader or admin).", Json),
    r("GET", "/api/v1/users/{id}", USERS, "users", "One user.", NoBody),
    r(
        "PATCH",
        "/api/v1/users/{id}",
        USERS,
        "users",
        "Update a user's name, role, team, password or active flag.",
        Json,
    ),
    r("DELETE", "/api/v1/users/{id}", USERS, "users", "Deactivate a user (their tokens stop working at once).", NoBody),
    r("GET", "/api/v1/teams", USERS, "users", "List teams.", NoBody),
    r("POST", "/api/v1/teams", USERS, "users", "Create a team.", Json),
    r("GET", "/api/v1/audit", Permission("system:view_audit_log"), "users", "The audit log, newest first.", NoBody),
    // The brokerage settings every ad carries.
    r(
        "GET",
        "/api/v1/settings/brokerage",
        Authenticated,
        "settings",
        "The brokerage settings in force (name, ORN, BRN, disclaimers, permit), their source and version.",
        NoBody,
    ),
    r(
        "PUT",
        "/api/v1/settings/brokerage",
        SYSTEM,
        "settings",
        "Save the brokerage settings (validated, audited; If-Match: the version read). Steps waiting for them go on.",
        Json,
    ),
    // Workflows.
    r(
        "GET",
        "/api/v1/workflows/packages",
        EXECUTE,
        "workflows",
        "Active packages with their parameters and deliverables.",
        NoBody,
    ),
    r(
        "POST",
        "/api/v1/workflows/packages/validate",
        SYSTEM,
        "workflows",
        "Validate a package file without storing it.",
        Toml,
    ),
    r(
        "POST",
        "/api/v1/workflows/packages/execute",
        EXECUTE,
        "workflows",
        "Start an execution (honours Idempotency-Key).",
        Json,
    ),
    r(
        "GET",
        "/api/v1/workflows/packages/status/{execution_id}",
        EXECUTE,
        "workflows",
        "Progress, current step and ETA of an execution.",
        NoBody,
    ),
    r(
        "GET",
        "/api/v1/workflows/packages/{name}",
        EXECUTE,
        "workflows",
        "A package version (`?version=N`, the latest by default) with its step graph, parameters, TOML source and versions.",
        NoBody,
    ),
    r("PUT", "/api/v1/workflows/packages/{name}", SYSTEM, "workflows", "Upload a package file as a new version.", Toml),
    r(
        "DELETE",
        "/api/v1/workflows/packages/{name}",
        SYSTEM,
        "workflows",
        "Deactivate a package; running executions continue.",
        NoBody,
    ),
    r(
        "POST",
        "/api/v1/workflows/packages/{execution_id}/control",
        EXECUTE,
        "workflows",
        "Pause, resume, cancel or retry an execution.",
        Json,
    ),
    r(
        "GET",
        "/api/v1/workflows/executions",
        EXECUTE,
        "workflows",
        "Executions visible to the caller, newest first (cursor paging); filters: status, package, created_by, created_after, created_before, param=name:value.",
        NoBody,
    ),
    r(
        "GET",
        "/api/v1/workflows/executions/{id}",
        EXECUTE,
        "workflows",
        "An execution with parameters, outputs and deliverables.",
        NoBody,
    ),
    r("GET", "/api/v1/workflows/executions/{id}/events", EXECUTE, "workflows", "An execution's event history.", NoBody),
    r(
        "POST",
        "/api/v1/workflows/executions/{id}/signal",
        EXECUTE,
        "workflows",
        "Post a signal (e.g. lead_replied) to a running execution; wakes its waiting steps.",
        Json,
    ),
    r(
        "GET",
        "/api/v1/workflows/executions/{id}/stream",
        EXECUTE,
        "workflows",
        "Server-Sent Events of an execution's steps and progress.",
        NoBody,
    ),
    r(
        "POST",
        "/api/v1/workflows/executions/{id}/steps/{step_id}/retry",
        EXECUTE,
        "workflows",
        "Retry a failed execution from a failed or cancelled step.",
        Json,
    ),
    r(
        "GET",
        "/api/v1/workflows/analytics",
        Permission("analytics:view_personal"),
        "workflows",
        "Per-package runs, success rate, durations, step failures.",
        NoBody,
    ),
    r("GET", "/api/v1/workflows/schedules", EXECUTE, "workflows", "Cron schedules with their next run (UTC) and next three runs in their own time zone.", NoBody),
    r(
        "POST",
        "/api/v1/workflows/schedules",
        TEAM,
        "workflows",
        "Create a schedule for a package (5-field cron, time zone, parameters).",
        Json,
    ),
    r(
        "PATCH",
        "/api/v1/workflows/schedules/{package}/{name}",
        TEAM,
        "workflows",
        "Enable or disable a schedule.",
        Json,
    ),
    r(
        "DELETE",
        "/api/v1/workflows/schedules/{package}/{name}",
        TEAM,
        "workflows",
        "Delete a schedule created through the API.",
        NoBody,
    ),
    // Properties, CMA and market.
    r(
        "GET",
        "/api/v1/properties",
        Authenticated,
        "properties",
        "Your properties (team leaders: the team's; admins: all).",
        NoBody,
    ),
    r(
        "POST",
        "/api/v1/properties",
        Authenticated,
        "properties",
        "Add a property (community resolved via aliases; area_sqft or size_sqm accepted).",
        Json,
    ),
    r("GET", "/api/v1/properties/{id}", Authenticated, "properties", "A property by id or by your reference.", NoBody),
    r(
        "PATCH",
        "/api/v1/properties/{id}",
        Authenticated,
        "properties",
        "Update a property (JSON merge patch, re-validated).",
        Json,
    ),
    r("DELETE", "/api/v1/properties/{id}", Authenticated, "properties", "Delete a property.", NoBody),
    r(
        "GET",
        "/api/v1/properties/{id}/photos",
        Authenticated,
        "properties",
        "A property's photos (metadata, in order; the first is the main photo).",
        NoBody,
    ),
    r(
        "POST",
        "/api/v1/properties/{id}/photos",
        Authenticated,
        "properties",
        "Add a photo (PNG or JPEG body, at most 10 MiB, 20 a property; optional caption in the query).",
        Body::Image,
    ),
    r(
        "GET",
        "/api/v1/properties/{id}/photos/{photo_id}",
        Authenticated,
        "properties",
        "A photo's bytes, with its media type.",
        NoBody,
    ),
    r("DELETE", "/api/v1/properties/{id}/photos/{photo_id}", Authenticated, "properties", "Delete a photo.", NoBody),
    r("GET", "/api/v1/cma/reports", Permission("cma:generate_report"), "cma", "CMA reports visible to you.", NoBody),
    r(
        "POST",
        "/api/v1/cma/reports",
        Permission("cma:generate_report"),
        "cma",
        "Start a CMA report (a durable execution); 202 with its id.",
        Json,
    ),
    r(
        "GET",
        "/api/v1/cma/reports/{id}",
        Permission("cma:generate_report"),
        "cma",
        "A CMA report: subject, comparables with adjustments, valuation, pricing, market.",
        NoBody,
    ),
    r(
        "GET",
        "/api/v1/cma/reports/{id}/pdf",
        Permission("cma:generate_report"),
        "cma",
        "The CMA report as a PDF.",
        NoBody,
    ),
    r(
        "POST",
        "/api/v1/cma/valuation/quick",
        Permission("cma:quick_valuation"),
        "cma",
        "Value a property now from comparable DLD sales.",
        Json,
    ),
    r(
        "GET",
        "/api/v1/cma/market/trends",
        Permission("cma:quick_valuation"),
        "cma",
        "Monthly price index, YoY change and forecast of a community.",
        NoBody,
    ),
    r(
        "GET",
        "/api/v1/analytics/insights/market",
        Permission("analytics:view_personal"),
        "cma",
        "Market insights: trends and forecast (seed shape).",
        NoBody,
    ),
    // Analytics: scoped by the handler (own figures, the team's for leaders, everything for admins).
    r(
        "GET",
        "/api/v1/analytics/dashboard/overview",
        ANALYTICS,
        "analytics",
        "Performance overview, KPI trends against the previous period, goal progress (period=7d|30d|90d|ytd).",
        NoBody,
    ),
    r(
        "GET",
        "/api/v1/cma/analytics/dashboard/overview",
        ANALYTICS,
        "analytics",
        "The performance overview at the seed's CMA router path.",
        NoBody,
    ),
    r(
        "GET",
        "/api/v1/analytics/dashboard/overview/export",
        ANALYTICS,
        "analytics",
        "The performance overview as a PDF with charts or an XLSX workbook (format=pdf|xlsx).",
        NoBody,
    ),
    r("GET", "/api/v1/analytics/goals", ANALYTICS, "analytics", "Goals visible to you, with progress.", NoBody),
    r(
        "POST",
        "/api/v1/analytics/goals",
        ANALYTICS,
        "analytics",
        "Set a goal for an agent or a team (a KPI target over a period).",
        Json,
    ),
    r("GET", "/api/v1/analytics/dashboards", ANALYTICS, "analytics", "Your saved dashboards.", NoBody),
    r("POST", "/api/v1/analytics/dashboards", ANALYTICS, "analytics", "Save a dashboard (a list of widgets).", Json),
    r(
        "GET",
        "/api/v1/analytics/dashboards/{id}",
        ANALYTICS,
        "analytics",
        "One of your dashboards with each widget's data.",
        NoBody,
    ),
    r(
        "PUT",
        "/api/v1/analytics/dashboards/{id}",
        ANALYTICS,
        "analytics",
        "Replace a dashboard's name and widgets.",
        Json,
    ),
    r("DELETE", "/api/v1/analytics/dashboards/{id}", ANALYTICS, "analytics", "Delete one of your dashboards.", NoBody),
    r(
        "GET",
        "/api/v1/analytics/dashboards/{id}/export",
        ANALYTICS,
        "analytics",
        "A dashboard as a PDF or an XLSX workbook (format=pdf|xlsx).",
        NoBody,
    ),
    r(
        "GET",
        "/api/v1/analytics/insights/neighbourhoods",
        ANALYTICS,
        "cma",
        "Communities compared: price per sqft, year-on-year change, sales, forecast.",
        NoBody,
    ),
    r(
        "GET",
        "/api/v1/cma/reports/{id}/export",
        Permission("cma:generate_report"),
        "cma",
        "A CMA report as its PDF or as an XLSX workbook (format=pdf|xlsx).",
        NoBody,
    ),
    r(
        "POST",
        "/api/v1/market/transactions/import",
        SYSTEM,
        "cma",
        "Import a transactions CSV; row-level errors are reported.",
        Body::Csv,
    ),
    r(
        "POST",
        "/api/v1/marketing/compliance/check",
        Permission("marketing:create_campaign"),
        "marketing",
        "Check advertising copy against the Dubai rules (RERA/DLD).",
        Json,
    ),
    r(
        "GET",
        "/api/v1/marketing/compliance/rules",
        Permission("marketing:view_templates"),
        "marketing",
        "The compliance rules with severity and source.",
        NoBody,
    ),
    r(
        "GET",
        "/api/v1/marketing/templates",
        Permission("marketing:view_templates"),
        "marketing",
        "Marketing templates (filter by category and market).",
        NoBody,
    ),
    r(
        "PUT",
        "/api/v1/marketing/templates/{name}",
        Permission("marketing:manage_templates"),
        "marketing",
        "Add or replace a template; it must render and pass compliance.",
        Json,
    ),
    r(
        "POST",
        "/api/v1/marketing/content/generate",
        Permission("marketing:create_campaign"),
        "marketing",
        "Generate listing, e-mail, social or print copy for a property; compliance-checked.",
        Json,
    ),
    r(
        "GET",
        "/api/v1/marketing/campaigns",
        Permission("marketing:create_campaign"),
        "marketing",
        "Campaigns visible to you.",
        NoBody,
    ),
    r(
        "POST",
        "/api/v1/marketing/campaigns",
        Permission("marketing:create_campaign"),
        "marketing",
        "Create a campaign draft: compliance-checked copy per channel, stored as assets.",
        Json,
    ),
    r(
        "POST",
        "/api/v1/marketing/campaigns/full-package",
        Permission("marketing:create_campaign"),
        "marketing",
        "Start the full marketing package (a durable execution); 201 with status processing.",
        Json,
    ),
    r(
        "POST",
        "/api/v1/marketing/campaigns/{id}/events",
        Permission("marketing:create_campaign"),
        "marketing",
        "Record engagement (views, opens, clicks, leads, …) reported by a channel.",
        Json,
    ),
    r(
        "GET",
        "/api/v1/marketing/campaigns/{id}/analytics",
        Permission("marketing:create_campaign"),
        "marketing",
        "Assets produced, approval time and engagement of a campaign.",
        NoBody,
    ),
    r(
        "GET",
        "/api/v1/marketing/campaigns/{id}",
        Permission("marketing:create_campaign"),
        "marketing",
        "A campaign with its assets and approval trail.",
        NoBody,
    ),
    r(
        "POST",
        "/api/v1/marketing/campaigns/{id}/approval",
        Permission("marketing:create_campaign"),
        "marketing",
        "Submit, approve or request changes (approvers: team leaders and admins; never your own).",
        Json,
    ),
    r(
        "POST",
        "/api/v1/marketing/campaigns/{id}/distribute",
        Permission("marketing:create_campaign"),
        "marketing",
        "Distribute an approved campaign: e-mail to recipients and social posts, as a durable execution.",
        Json,
    ),
    r(
        "GET",
        "/api/v1/marketing/campaigns/{id}/deliveries",
        Permission("marketing:create_campaign"),
        "marketing",
        "Every e-mail and social delivery of a campaign, with its status.",
        NoBody,
    ),
    r(
        "GET",
        "/api/v1/marketing/campaigns/{id}/assets",
        Permission("marketing:create_campaign"),
        "marketing",
        "A campaign's assets with type, format, size, checksum and download URL.",
        NoBody,
    ),
    r(
        "GET",
        "/api/v1/marketing/assets/{id}",
        Permission("marketing:create_campaign"),
        "marketing",
        "Download a campaign asset.",
        NoBody,
    ),
    r(
        "GET",
        "/api/v1/social/posts",
        Permission("social:create_posts"),
        "social",
        "Social posts visible to you.",
        NoBody,
    ),
    r(
        "POST",
        "/api/v1/social/posts",
        Permission("social:create_posts"),
        "social",
        "Generate one post per platform for a property (limits and compliance checked).",
        Json,
    ),
    r("GET", "/api/v1/social/posts/{id}", Permission("social:create_posts"), "social", "One social post.", NoBody),
    r(
        "PATCH",
        "/api/v1/social/posts/{id}",
        Permission("social:create_posts"),
        "social",
        "Edit a post before it is published (re-checked), or schedule or move it with `scheduled_at`.",
        Json,
    ),
    r(
        "DELETE",
        "/api/v1/social/posts/{id}",
        Permission("social:create_posts"),
        "social",
        "Cancel a draft or scheduled post.",
        NoBody,
    ),
    r(
        "POST",
        "/api/v1/social/hashtags/research",
        Permission("social:create_posts"),
        "social",
        "Ranked hashtags for a community and property type, with reasons.",
        Json,
    ),
    r(
        "POST",
        "/api/v1/social/campaigns",
        Permission("social:create_posts"),
        "social",
        "A content calendar: posts spread over the duration at good Dubai times, each published by a durable timer.",
        Json,
    ),
    r(
        "GET",
        "/api/v1/social/campaigns",
        Permission("social:create_posts"),
        "social",
        "Social campaigns visible to you.",
        NoBody,
    ),
    r(
        "GET",
        "/api/v1/social/campaigns/{id}",
        Permission("social:create_posts"),
        "social",
        "A social campaign with its plan and budget split.",
        NoBody,
    ),
    r(
        "GET",
        "/api/v1/social/calendar",
        Permission("social:create_posts"),
        "social",
        "Scheduled and published posts by local day (from, to).",
        NoBody,
    ),
    r(
        "POST",
        "/api/v1/leads",
        Permission("workflows:execute_package"),
        "leads",
        "Create a lead (validated; `nurture: true` starts its nurturing).",
        Json,
    ),
    r(
        "GET",
        "/api/v1/leads",
        Permission("workflows:execute_package"),
        "leads",
        "Leads visible to you (filter by status).",
        NoBody,
    ),
    r(
        "POST",
        "/api/v1/leads/import",
        Permission("workflows:execute_package"),
        "leads",
        "Import leads from CSV; invalid rows reported by line.",
        Body::Csv,
    ),
    r("GET", "/api/v1/leads/{id}", Permission("workflows:execute_package"), "leads", "One lead.", NoBody),
    r(
        "PATCH",
        "/api/v1/leads/{id}",
        Permission("workflows:execute_package"),
        "leads",
        "Change a lead's status; replied, converted and unsubscribed stop its drip.",
        Json,
    ),
    r(
        "POST",
        "/api/v1/leads/{id}/nurture",
        Permission("workflows:execute_package"),
        "leads",
        "Start the lead's nurturing package.",
        NoBody,
    ),
    r(
        "POST",
        "/api/v1/clients",
        Permission("workflows:execute_package"),
        "clients",
        "Create a client who signed; starts their onboarding package.",
        Json,
    ),
    r("GET", "/api/v1/clients", Permission("workflows:execute_package"), "clients", "Clients visible to you.", NoBody),
    r("GET", "/api/v1/clients/{id}", Permission("workflows:execute_package"), "clients", "One client.", NoBody),
    r(
        "POST",
        "/api/v1/clients/{id}/documents",
        Permission("workflows:execute_package"),
        "clients",
        "Upload a KYC document (PDF, JPEG or PNG body; doc_type in the query).",
        Body::Binary,
    ),
    r(
        "GET",
        "/api/v1/clients/{id}/documents",
        Permission("workflows:execute_package"),
        "clients",
        "A client's documents: required, received, missing.",
        NoBody,
    ),
    r(
        "POST",
        "/api/v1/clients/{id}/approval",
        Permission("workflows:manage_team_workflows"),
        "clients",
        "A team leader approves the client's file or sends it back (never the file's own agent).",
        Json,
    ),
    r(
        "GET",
        "/api/v1/tasks",
        Permission("workflows:execute_package"),
        "leads",
        "Tasks packages made for you (e.g. call a hot lead).",
        NoBody,
    ),
    r(
        "GET",
        "/api/v1/analytics/health/system",
        Permission("system:health_monitoring"),
        "system",
        "Engine status, workers, queue, throughput, errors, database latency.",
        NoBody,
    ),
];

/// The packages routes start themselves, with those routes: they cannot be deactivated (the
/// routes would fail and their records would wait for an execution that never comes).
pub static ROUTE_PACKAGES: &[(&str, &[&str])] = &[
    ("cma_report", &["POST /api/v1/cma/reports"]),
    ("marketing_full_package", &["POST /api/v1/marketing/campaigns/full-package"]),
    ("campaign_distribution", &["POST /api/v1/marketing/campaigns/{id}/distribute"]),
    (
        "social_post_publish",
        &["POST /api/v1/social/posts", "PATCH /api/v1/social/posts/{id}", "POST /api/v1/social/campaigns"],
    ),
    ("lead_nurturing_package", &["POST /api/v1/leads", "POST /api/v1/leads/{id}/nurture"]),
    ("client_onboarding_package", &["POST /api/v1/clients"]),
];

/// The spec of a route by method and axum path template.
pub fn find(method: &str, path: &str) -> Option<&'static RouteSpec> {
    ROUTES.iter().find(|r| r.method == method && r.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_packages_name_declared_routes() {
        for (package, routes) in ROUTE_PACKAGES {
            for route in *routes {
                let (method, path) = route.split_once(' ').expect("METHOD /path");
                assert!(find(method, path).is_some(), "{package}: {route} is not a declared route");
            }
        }
    }

    #[test]
    fn permissions_exist_and_routes_are_unique() {
        let known: Vec<&str> = crate::auth::rbac::all_permissions().collect();
        for (i, a) in ROUTES.iter().enumerate() {
            if let Access::Permission(p) = a.access {
                assert!(known.contains(&p), "{} {} declares unknown permission {p}", a.method, a.path);
            }
            for b in &ROUTES[i + 1..] {
                assert!(!(a.method == b.method && a.path == b.path), "{} {} declared twice", a.method, a.path);
            }
        }
    }
}
