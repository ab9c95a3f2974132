//! What the workflows routes take and answer.

use super::analytics::{AnalyticsQuery, WorkflowAnalytics};
use super::schedules::{CreateSchedule, PatchSchedule, ScheduleDeleted, ScheduleList, ScheduleView};
use super::views::*;
use super::{ControlRequest, EventsQuery, ExecuteRequest, ListQuery, PackageQuery, RetryStepRequest, SignalRequest};
use crate::contract::{Answer, Contract};

macro_rules! path {
    ($tail:literal) => {
        concat!("/api/v1/workflows", $tail)
    };
}

const ILLEGAL: &[(u16, &str)] =
    &[(409, "illegal_transition: the state machine forbids this command in the execution's state.")];

pub(crate) static CONTRACTS: &[Contract] = &[
    Contract::get(path!("/packages")).json::<PackageList>(),
    Contract::post(path!("/packages/validate")).json::<Validated>(),
    Contract::post(path!("/packages/execute")).body::<ExecuteRequest>().json_status::<Started>(202).errors(&[
        (409, "package_inactive, or the Idempotency-Key was used with other parameters."),
        (429, "queue_full: the backlog is at its limit; Retry-After says when."),
    ]),
    Contract::get(path!("/packages/status/{execution_id}")).uuids(&["execution_id"]).json::<StatusReport>(),
    Contract::get(path!("/packages/{name}")).query::<PackageQuery>().json::<PackageDetail>(),
    Contract::put(path!("/packages/{name}"))
        .json_status::<Registered>(201)
        .also(&[(200, "The file equals the latest version: nothing new is stored.")]),
    Contract::delete(path!("/packages/{name}"))
        .json::<Deactivated>()
        .errors(&[(409, "package_in_use: API routes start this package.")]),
    Contract::post(path!("/packages/{execution_id}/control"))
        .uuids(&["execution_id"])
        .body::<ControlRequest>()
        .json::<Controlled>()
        .errors(ILLEGAL),
    Contract::get(path!("/executions")).query::<ListQuery>().json::<ExecutionPage>(),
    Contract::get(path!("/executions/{id}")).uuids(&["id"]).json::<ExecutionDetail>(),
    Contract::get(path!("/executions/{id}/events")).uuids(&["id"]).query::<EventsQuery>().json::<EventPage>(),
    Contract::post(path!("/executions/{id}/signal"))
        .uuids(&["id"])
        .body::<SignalRequest>()
        .json_status::<SignalAccepted>(202)
        .errors(&[(409, "the execution has finished: nothing will read the signal.")]),
    Contract::get(path!("/executions/{id}/stream")).uuids(&["id"]).answer(200, Answer::Events),
    Contract::post(path!("/executions/{id}/steps/{step_id}/retry"))
        .uuids(&["id"])
        .body::<RetryStepRequest>()
        .json::<StepRetried>()
        .errors(&[(409, "step_not_retryable, or illegal_transition.")]),
    Contract::get(path!("/analytics")).query::<AnalyticsQuery>().json::<WorkflowAnalytics>(),
    Contract::get(path!("/schedules")).json::<ScheduleList>(),
    Contract::post(path!("/schedules"))
        .body::<CreateSchedule>()
        .json_status::<ScheduleView>(201)
        .errors(&[(409, "conflict: the package already has a schedule of this name.")]),
    Contract::patch(path!("/schedules/{package}/{name}")).body::<PatchSchedule>().json::<ScheduleView>(),
    Contract::delete(path!("/schedules/{package}/{name}"))
        .json::<ScheduleDeleted>()
        .errors(&[(409, "declared_in_package: disable it, or remove it from the file.")]),
];
