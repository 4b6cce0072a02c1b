//! The HTTP API v1: router, extractors, handlers and the OpenAPI document.
//!
//! Public: `GET /v1/health`, `GET /v1/openapi.json`, `POST /v1/counters/enrol`
//! (with a one-time code) and the `/apply` form. Counter only (a known
//! `X-Counter-Key` or client certificate): `GET /v1/counters/me` and
//! `POST /v1/auth/sign-in`. Everything else needs a known counter and a
//! staff bearer token issued at that counter.
//!
//! Each handler runs in one database transaction (see [`crate::db`]).

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use ehr_protocol::wire::{
    ApplicationDetail, ApplicationList, BatchRequest, BatchResponse, ChangePasswordRequest,
    CounterIdentity, EnrolRequest, EnrolResponse, ExpiringApplicationList, NewbornFollowUpList,
    RecordList, ReferenceData, SignInRequest, SignInResponse, SignOffRequest, SignOffResponse,
    SiteType, TurningSixteen, TurningSixteenList, WorkItemDetail, WorkItemList, COUNTER_KEY_HEADER,
};
use ehr_protocol::{ErrorBody, ErrorCode};
use rusqlite::Transaction;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::applications::{self, ApplicationQuery};
use crate::auth::{self, Counter, Session};
use crate::db::Db;
use crate::error::{ApiError, Error};
use crate::ops::{self, Ctx};
use crate::records::{self, RecordQuery};
use crate::reference;
use crate::util::hk_date;

/// The default body limit (JSON requests other than the batch).
pub const BODY_LIMIT: usize = 64 * 1024;
/// The batch endpoint's body limit (it carries base64 images).
pub const BATCH_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// Shared state of the service.
#[derive(Debug)]
pub struct AppState {
    /// The database.
    pub db: Arc<Db>,
    /// The key that signs the /apply form's CSRF tokens.
    pub form_key: [u8; 32],
    /// The audit writer's queue (lookups of personal data).
    pub audit: crate::audit::AuditWriter,
    /// Where request handling reads the time (the system clock, except in
    /// tests).
    pub clock: crate::util::Clock,
}

/// The state handle the handlers share.
pub type Shared = Arc<AppState>;

impl AppState {
    /// Records lookups of personal data: one event per item returned, or
    /// one with no subject when nothing matched.
    pub fn audit_access(
        &self,
        session: &Session,
        action: &'static str,
        subjects: impl IntoIterator<Item = String>,
    ) {
        let event = |subject| crate::audit::Access {
            counter_id: session.counter.identity.counter_id.clone(),
            staff_code: session.staff_code.clone(),
            action,
            subject,
        };
        let mut any = false;
        for s in subjects {
            any = true;
            self.audit.send(event(Some(s)));
        }
        if !any {
            self.audit.send(event(None));
        }
    }

    /// Runs `f` in one read transaction off the async runtime.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || db.read(f))
            .await
            .map_err(|_| ApiError::from(Error::Internal("task")))?
    }

    /// Runs `f` in one write transaction off the async runtime.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || db.write(f))
            .await
            .map_err(|_| ApiError::from(Error::Internal("task")))?
    }
}

/// The SHA-256 fingerprint (lower-case hex) of the client certificate the
/// TLS layer verified, put in the request's extensions by the server.
#[derive(Debug, Clone)]
pub struct ClientCertFingerprint(pub String);

/// The credentials a request carries (read from headers only; checked
/// inside the handler's transaction).
#[derive(Debug, Clone, Default)]
pub struct Creds {
    counter_key: Option<String>,
    cert: Option<String>,
    token: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Creds {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Creds::from_headers(
            &parts.headers,
            parts.extensions.get::<ClientCertFingerprint>(),
        ))
    }
}

impl Creds {
    fn from_headers(h: &HeaderMap, cert: Option<&ClientCertFingerprint>) -> Creds {
        let text = |name: &str| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty() && s.len() <= 256)
        };
        let token = text(header::AUTHORIZATION.as_str()).and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| rest.trim().to_owned())
        });
        Creds {
            counter_key: text(COUNTER_KEY_HEADER),
            cert: cert.map(|c| c.0.clone()),
            token,
        }
    }

    /// The counter, by machine key or client certificate.
    pub fn counter(&self, tx: &Transaction<'_>) -> Result<Counter, ApiError> {
        let by_key = match &self.counter_key {
            Some(k) => auth::counter_by_key(tx, k)?,
            None => None,
        };
        let found = match (by_key, &self.cert) {
            (Some(c), _) => Some(c),
            (None, Some(fp)) => auth::counter_by_certificate(tx, fp)?,
            (None, None) => None,
        };
        match found {
            Some(c) if c.revoked => Err(ErrorCode::CounterRevoked.into()),
            Some(c) => Ok(c),
            None => Err(ErrorCode::CounterUnknown.into()),
        }
    }

    /// The staff session at a known counter, at `now`.
    pub fn session(&self, tx: &Transaction<'_>, now: i64) -> Result<Session, ApiError> {
        let counter = self.counter(tx)?;
        let token = self
            .token
            .as_deref()
            .ok_or(ApiError::new(ErrorCode::AuthTokenMissing))?;
        auth::session(tx, &counter, token, now)
    }
}

/// A JSON body whose rejections are JSON errors with stable codes.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(r: &JsonRejection) -> ApiError {
    match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::RequestTooLarge.into(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::RequestUnsupportedMediaType.into(),
        _ => ErrorCode::RequestMalformed.into(),
    }
}

/// A path parameter whose rejections are JSON errors.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|_: PathRejection| ApiError::new(ErrorCode::RequestNotFound))
    }
}

fn today(clock: &crate::util::Clock) -> Result<ehr_domain::Date, ApiError> {
    hk_date(clock.now_unix()).map_err(ApiError::from)
}

/// The service's health.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok` when the service answers.
    pub status: String,
    /// The service version.
    pub version: String,
    /// The reference data's version now: counters fetch `GET /v1/reference`
    /// again when it differs from their copy (a policy changed, a staff
    /// member was deactivated). Not personal data; absent if it cannot be
    /// read.
    pub reference_version: Option<u64>,
}

/// Liveness and version.
#[utoipa::path(get, path = "/v1/health", tag = "service",
    responses((status = 200, body = Health)))]
async fn health(State(st): State<Shared>) -> Json<Health> {
    let reference_version = st.read(|tx| Ok(reference::version(tx)?)).await.ok();
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        reference_version,
    })
}

/// Enrols a counter machine with its one-time enrolment code; returns the
/// machine key once.
#[utoipa::path(post, path = "/v1/counters/enrol", tag = "counters",
    request_body = EnrolRequest,
    responses((status = 200, body = EnrolResponse),
        (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)))]
async fn enrol(
    State(st): State<Shared>,
    ApiJson(req): ApiJson<EnrolRequest>,
) -> Result<Json<EnrolResponse>, ApiError> {
    let now = st.clock.now_unix();
    st.write(move |tx| {
        let (counter, machine_key) = auth::enrol(tx, &req.enrolment_code, now)?;
        tracing::info!(counter = %counter.identity.counter_id, "counter enrolled");
        Ok(Json(EnrolResponse {
            counter: counter.identity,
            machine_key,
        }))
    })
    .await
}

/// Identifies the calling counter (by machine key or client certificate).
#[utoipa::path(get, path = "/v1/counters/me", tag = "counters",
    security(("counter_key" = [])),
    responses((status = 200, body = CounterIdentity),
        (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)))]
async fn counter_me(
    State(st): State<Shared>,
    creds: Creds,
) -> Result<Json<CounterIdentity>, ApiError> {
    st.read(move |tx| Ok(Json(creds.counter(tx)?.identity)))
        .await
}

/// Signs a staff member in at this counter; returns a short-lived bearer token.
#[utoipa::path(post, path = "/v1/auth/sign-in", tag = "auth",
    security(("counter_key" = [])),
    request_body = SignInRequest,
    responses((status = 200, body = SignInResponse),
        (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)))]
async fn sign_in(
    State(st): State<Shared>,
    creds: Creds,
    ApiJson(req): ApiJson<SignInRequest>,
) -> Result<Json<SignInResponse>, ApiError> {
    let now = st.clock.now_unix();
    st.write(move |tx| {
        let counter = creds.counter(tx)?;
        Ok(auth::sign_in(
            tx,
            &counter,
            &req.staff_code,
            &req.password,
            now,
        )?)
    })
    .await?
    .map(Json)
}

/// Ends the session of the bearer token.
#[utoipa::path(post, path = "/v1/auth/sign-out", tag = "auth",
    security(("counter_key" = [], "bearer" = [])),
    responses((status = 204, description = "Signed out"),
        (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)))]
async fn sign_out(State(st): State<Shared>, creds: Creds) -> Result<StatusCode, ApiError> {
    let now = st.clock.now_unix();
    st.write(move |tx| {
        creds.session(tx, now)?;
        if let Some(t) = &creds.token {
            auth::sign_out(tx, t)?;
        }
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

/// A supervisor signs off an override for one record at this counter, with
/// their own staff code and password; sent with the clerk's session. The
/// token that comes back goes in the operation's `supervisor_sign_off`.
#[utoipa::path(post, path = "/v1/auth/sign-off", tag = "auth",
    security(("counter_key" = [], "bearer" = [])),
    request_body = SignOffRequest,
    responses((status = 200, body = SignOffResponse),
        (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)))]
async fn sign_off(
    State(st): State<Shared>,
    creds: Creds,
    ApiJson(req): ApiJson<SignOffRequest>,
) -> Result<Json<SignOffResponse>, ApiError> {
    let now = st.clock.now_unix();
    st.write(move |tx| {
        let session = creds.session(tx, now)?;
        Ok(auth::sign_off(tx, &session, &req, now)?)
    })
    .await?
    .map(Json)
}

/// The signed-in staff member changes their own password: the old one is
/// checked as at sign-in (the lockout counts), the new one has 10 to 1024
/// characters and is not the old one. The session goes on.
#[utoipa::path(post, path = "/v1/auth/password", tag = "auth",
    security(("counter_key" = [], "bearer" = [])),
    request_body = ChangePasswordRequest,
    responses((status = 204, description = "Password changed"),
        (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)))]
async fn change_password(
    State(st): State<Shared>,
    creds: Creds,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> Result<StatusCode, ApiError> {
    let now = st.clock.now_unix();
    st.write(move |tx| {
        let session = creds.session(tx, now)?;
        Ok(auth::change_password(tx, &session, &req, now)?)
    })
    .await??;
    Ok(StatusCode::NO_CONTENT)
}

/// Reference data and policies, with their version.
#[utoipa::path(get, path = "/v1/reference", tag = "reference",
    security(("counter_key" = [], "bearer" = [])),
    responses((status = 200, body = ReferenceData),
        (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)))]
async fn reference_data(
    State(st): State<Shared>,
    creds: Creds,
) -> Result<Json<ReferenceData>, ApiError> {
    let now = st.clock.now_unix();
    st.read(move |tx| {
        creds.session(tx, now)?;
        Ok(Json(reference::load(tx)?))
    })
    .await
}

/// Looks pending applications up: by document type and number, by
/// reference, or by surname and date of birth (exactly one of these). The
/// search is in the body, never in the URL (URLs end up in logs, proxies
/// and histories).
#[utoipa::path(post, path = "/v1/applications/search", tag = "applications",
    security(("counter_key" = [], "bearer" = [])),
    request_body = ApplicationQuery,
    responses((status = 200, body = ApplicationList),
        (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)))]
async fn search_applications(
    State(st): State<Shared>,
    creds: Creds,
    ApiJson(q): ApiJson<ApplicationQuery>,
) -> Result<Json<ApplicationList>, ApiError> {
    let now = st.clock.now_unix();
    let today = today(&st.clock)?;
    let (session, items) = st
        .read(move |tx| {
            let session = creds.session(tx, now)?;
            let policy = reference::domain_policy(&reference::policies(tx)?);
            let items = applications::lookup(tx, &q, today, &policy)?;
            Ok((session, items))
        })
        .await?;
    st.audit_access(
        &session,
        "central.application_lookup",
        items.iter().map(|i| i.reference.clone()),
    );
    Ok(Json(ApplicationList { items }))
}

/// One application in full.
#[utoipa::path(get, path = "/v1/applications/{reference}", tag = "applications",
    security(("counter_key" = [], "bearer" = [])),
    params(("reference" = String, Path, description = "The application reference")),
    responses((status = 200, body = ApplicationDetail),
        (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)))]
async fn get_application(
    State(st): State<Shared>,
    creds: Creds,
    ApiPath(reference): ApiPath<String>,
) -> Result<Json<ApplicationDetail>, ApiError> {
    let now = st.clock.now_unix();
    let today = today(&st.clock)?;
    let (session, detail) = st
        .read(move |tx| {
            let session = creds.session(tx, now)?;
            if reference.len() > 64 {
                return Err(ErrorCode::ApplicationNotFound.into());
            }
            let policy = reference::domain_policy(&reference::policies(tx)?);
            let app = applications::get(tx, &reference)?
                .ok_or(ApiError::new(ErrorCode::ApplicationNotFound))?;
            Ok((session, applications::detail(&app, today, &policy)?))
        })
        .await?;
    st.audit_access(
        &session,
        "central.application_view",
        [detail.summary.reference.clone()],
    );
    Ok(Json(detail))
}

/// Looks registered records up: by document, by eHR number, or by
/// birth-hospital document (exactly one of these), with the search in the
/// body, never in the URL.
#[utoipa::path(post, path = "/v1/records/search", tag = "records",
    security(("counter_key" = [], "bearer" = [])),
    request_body = RecordQuery,
    responses((status = 200, body = RecordList),
        (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)))]
async fn search_records(
    State(st): State<Shared>,
    creds: Creds,
    ApiJson(q): ApiJson<RecordQuery>,
) -> Result<Json<RecordList>, ApiError> {
    let now = st.clock.now_unix();
    let (session, items) = st
        .read(move |tx| {
            let session = creds.session(tx, now)?;
            let bad = |f: &str| ApiError::new(ErrorCode::RequestQuery).on_field(f);
            let s = |v: &Option<String>| {
                v.as_deref()
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
            };
            let mut kept = Vec::new();
            let found = match (
                s(&q.document_type),
                s(&q.document_number),
                s(&q.ehr_number),
                s(&q.hospital_code),
                s(&q.serial),
            ) {
                (Some(t), Some(n), None, None, None) => {
                    let t = ehr_domain::DocumentType::from_code(&t)
                        .map_err(|_| bad("document_type"))?;
                    let n = crate::validate::known_number(t, &n)
                        .ok_or_else(|| bad("document_number"))?;
                    kept = records::kept_by_sdm(tx, &n)?;
                    records::by_document(tx, &n)?
                }
                (None, None, Some(e), None, None) => {
                    if e.len() > 32 {
                        return Err(bad("ehr_number"));
                    }
                    records::get(tx, &e)?
                }
                (None, None, None, Some(h), Some(sn)) => {
                    if h.len() > 32 || sn.len() > 32 {
                        return Err(bad("serial"));
                    }
                    records::by_birth_document(tx, &h, &sn.to_ascii_uppercase())?
                }
                _ => return Err(ErrorCode::RequestQuery.into()),
            };
            Ok((
                session,
                RecordList {
                    items: found.iter().map(records::to_wire).collect(),
                    kept_as_sdm: kept.iter().map(records::to_wire).collect(),
                },
            ))
        })
        .await?;
    st.audit_access(
        &session,
        "central.record_lookup",
        items
            .items
            .iter()
            .chain(&items.kept_as_sdm)
            .map(|r| r.ehr_number.clone()),
    );
    Ok(Json(items))
}

/// The newborn records still awaiting a birth certificate after the
/// policy's `newborn_follow_up_days`, oldest first: a birth hospital's
/// counter sees its own hospital's, the Registration Office every
/// hospital's; other sites are refused (`auth.forbidden`).
#[utoipa::path(get, path = "/v1/follow-up/newborns", tag = "records",
    security(("counter_key" = [], "bearer" = [])),
    responses((status = 200, body = NewbornFollowUpList),
        (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)))]
async fn newborn_follow_up(
    State(st): State<Shared>,
    creds: Creds,
) -> Result<Json<NewbornFollowUpList>, ApiError> {
    follow_up(
        &st,
        creds,
        "central.newborn_follow_up",
        |tx, session, today| {
            let site = &session.counter.identity.site;
            let hospital = match site.site_type {
                SiteType::BirthHospital => Some(site.code.clone()),
                SiteType::RegistrationOffice => None,
                _ => return Err(ErrorCode::AuthForbidden.into()),
            };
            let days = reference::policies(tx)?.newborn_follow_up_days;
            let by = today
                .add_days(-i64::from(days))
                .map_err(|_| ApiError::new(ErrorCode::Internal))?;
            let items: Vec<_> = records::awaiting_since(tx, hospital.as_deref(), by, 2000)?
                .iter()
                .filter_map(|r| records::follow_up(r, today))
                .collect();
            let ids = items.iter().map(|r| r.ehr_number.clone()).collect();
            Ok((
                NewbornFollowUpList {
                    days,
                    hospital_code: hospital,
                    items,
                },
                ids,
            ))
        },
    )
    .await
}

/// A follow-up list: built by `build` in one read transaction under the
/// caller's session on the service's today, audited as `action` with the
/// references or eHR numbers it names.
async fn follow_up<T, F>(
    st: &Shared,
    creds: Creds,
    action: &'static str,
    build: F,
) -> Result<Json<T>, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Transaction<'_>, &Session, ehr_domain::Date) -> Result<(T, Vec<String>), ApiError>
        + Send
        + 'static,
{
    let now = st.clock.now_unix();
    let today = today(&st.clock)?;
    let (session, list, ids) = st
        .read(move |tx| {
            let session = creds.session(tx, now)?;
            let (list, ids) = build(tx, &session, today)?;
            Ok((session, list, ids))
        })
        .await?;
    st.audit_access(&session, action, ids);
    Ok(Json(list))
}

/// Pending applications expire within this many days: a supervisor's list.
pub const EXPIRING_WITHIN_DAYS: u32 = 30;
/// SDM-kept children turn 16 within this many days: a supervisor's list.
pub const TURNING_16_WITHIN_DAYS: u32 = 60;

/// The signed-in staff member must be a supervisor (`auth.forbidden`).
fn supervisor(session: &Session) -> Result<(), ApiError> {
    if session.role == ehr_protocol::wire::StaffRole::Supervisor {
        Ok(())
    } else {
        Err(ErrorCode::AuthForbidden.into())
    }
}

/// Pending applications that expire within the next 30 days and are not
/// activated, soonest first (supervisors only; numbers masked; audited as
/// `central.expiring_applications`).
#[utoipa::path(get, path = "/v1/follow-up/expiring-applications", tag = "applications",
    security(("counter_key" = [], "bearer" = [])),
    responses((status = 200, body = ExpiringApplicationList),
        (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)))]
async fn expiring_applications(
    State(st): State<Shared>,
    creds: Creds,
) -> Result<Json<ExpiringApplicationList>, ApiError> {
    follow_up(
        &st,
        creds,
        "central.expiring_applications",
        |tx, session, today| {
            supervisor(session)?;
            let policy = reference::domain_policy(&reference::policies(tx)?);
            let items = applications::expiring(tx, today, &policy, EXPIRING_WITHIN_DAYS, 2000)?
                .iter()
                .map(|a| applications::summary(a, today, &policy))
                .collect::<crate::error::Result<Vec<_>>>()?;
            let ids = items.iter().map(|a| a.reference.clone()).collect();
            Ok((
                ExpiringApplicationList {
                    within_days: EXPIRING_WITHIN_DAYS,
                    items,
                },
                ids,
            ))
        },
    )
    .await
}

/// Records an SDM keeps for a child who turns 16 within the next 60 days
/// (the record must move to the person), soonest first (supervisors only;
/// numbers masked; audited as `central.turning_16`).
#[utoipa::path(get, path = "/v1/follow-up/turning-16", tag = "records",
    security(("counter_key" = [], "bearer" = [])),
    responses((status = 200, body = TurningSixteenList),
        (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)))]
async fn turning_16(
    State(st): State<Shared>,
    creds: Creds,
) -> Result<Json<TurningSixteenList>, ApiError> {
    follow_up(&st, creds, "central.turning_16", |tx, session, today| {
        supervisor(session)?;
        let items: Vec<_> = records::turning_16(tx, today, TURNING_16_WITHIN_DAYS, 2000)?
            .iter()
            .map(|(r, on)| TurningSixteen {
                record: records::to_wire(r),
                turns_16_on: on.to_string(),
                days_left: u32::try_from(today.days_until(*on).max(0)).unwrap_or(0),
            })
            .collect();
        let ids = items.iter().map(|t| t.record.ehr_number.clone()).collect();
        Ok((
            TurningSixteenList {
                within_days: TURNING_16_WITHIN_DAYS,
                items,
            },
            ids,
        ))
    })
    .await
}

/// The counter must be at a Registration Office (`auth.forbidden`).
fn registration_office(session: &Session) -> Result<(), ApiError> {
    if session.counter.identity.site.site_type == SiteType::RegistrationOffice {
        Ok(())
    } else {
        Err(ErrorCode::AuthForbidden.into())
    }
}

/// The open work items (half-keyed paper forms) of the counter's
/// Registration Office, oldest first, labelled by the masked document only
/// (RO counters only; audited as `central.work_items`).
#[utoipa::path(get, path = "/v1/work-items", tag = "applications",
    security(("counter_key" = [], "bearer" = [])),
    responses((status = 200, body = WorkItemList),
        (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)))]
async fn work_item_list(
    State(st): State<Shared>,
    creds: Creds,
) -> Result<Json<WorkItemList>, ApiError> {
    follow_up(&st, creds, "central.work_items", |tx, session, _| {
        registration_office(session)?;
        let site = &session.counter.identity.site.code;
        let items = crate::work_items::open_at(tx, site, 500)?;
        let ids = items.iter().map(|i| i.id.to_string()).collect();
        Ok((WorkItemList { items }, ids))
    })
    .await
}

/// One open work item of the counter's Registration Office with its keyed
/// form (RO counters only; another site's, or a closed one, is not found;
/// audited as `central.work_item_view`).
#[utoipa::path(get, path = "/v1/work-items/{id}", tag = "applications",
    security(("counter_key" = [], "bearer" = [])),
    params(("id" = String, Path, description = "The work item's id")),
    responses((status = 200, body = WorkItemDetail),
        (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)))]
async fn work_item_get(
    State(st): State<Shared>,
    creds: Creds,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<WorkItemDetail>, ApiError> {
    follow_up(
        &st,
        creds,
        "central.work_item_view",
        move |tx, session, _| {
            registration_office(session)?;
            if uuid::Uuid::parse_str(&id).is_err() {
                return Err(ErrorCode::RequestNotFound.into());
            }
            let site = &session.counter.identity.site.code;
            let item = crate::work_items::get_at(tx, site, &id)?
                .ok_or(ApiError::new(ErrorCode::RequestNotFound))?;
            Ok((item, vec![id]))
        },
    )
    .await
}

/// Applies a batch of outbox operations, each at most once; answers each
/// with applied, duplicate, conflict or rejected.
#[utoipa::path(post, path = "/v1/batch", tag = "batch",
    security(("counter_key" = [], "bearer" = [])),
    request_body = BatchRequest,
    responses((status = 200, body = BatchResponse),
        (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)))]
async fn batch(
    State(st): State<Shared>,
    creds: Creds,
    ApiJson(req): ApiJson<BatchRequest>,
) -> Result<Json<BatchResponse>, ApiError> {
    let now = st.clock.now_unix();
    st.write(move |tx| {
        let session = creds.session(tx, now)?;
        let policies = reference::policies(tx)?;
        let ctx = Ctx {
            counter_id: session.counter.identity.counter_id.clone(),
            site_type: session.counter.identity.site.site_type,
            site_code: session.counter.identity.site.code.clone(),
            staff_code: session.staff_code.clone(),
            now_unix: now,
            policy: reference::domain_policy(&policies),
            tolerance_hours: policies.transaction_time_tolerance_hours,
        };
        let resp = ops::apply_batch(tx, &ctx, &req)?;
        tracing::info!(
            counter = %ctx.counter_id,
            ops = resp.results.len(),
            applied = resp.results.iter().filter(|r| r.outcome.status() == "applied").count(),
            "batch"
        );
        Ok(Json(resp))
    })
    .await
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "counter_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Counter-Key"))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ehr-central API",
        version = "1",
        description = "The reference central registration service of eHR Counter. Errors are ErrorBody JSON with a stable code."
    ),
    modifiers(&Security),
    tags(
        (name = "service"), (name = "counters"), (name = "auth"), (name = "reference"),
        (name = "applications"), (name = "records"), (name = "batch")
    )
)]
struct ApiDoc;

/// The API routes with their OpenAPI document (built from the same
/// `routes!` registrations, so the two cannot drift).
pub fn api_router() -> (Router<Shared>, utoipa::openapi::OpenApi) {
    let batch_routes = OpenApiRouter::new()
        .routes(routes!(batch))
        .layer(DefaultBodyLimit::max(BATCH_BODY_LIMIT));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(enrol))
        .routes(routes!(counter_me))
        .routes(routes!(sign_in))
        .routes(routes!(sign_out))
        .routes(routes!(sign_off))
        .routes(routes!(change_password))
        .routes(routes!(reference_data))
        .routes(routes!(search_applications))
        .routes(routes!(get_application))
        .routes(routes!(search_records))
        .routes(routes!(newborn_follow_up))
        .routes(routes!(expiring_applications))
        .routes(routes!(turning_16))
        .routes(routes!(work_item_list))
        .routes(routes!(work_item_get))
        .merge(batch_routes)
        .split_for_parts()
}

/// The OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().1
}

/// The whole service: API, OpenAPI document, /apply form, limits, tracing
/// and JSON errors for everything that fails before a handler.
pub fn router(state: Shared) -> Router {
    let (api, doc) = api_router();
    let doc = Arc::new(doc);
    api.route(
        "/v1/openapi.json",
        axum::routing::get(move || {
            let doc = doc.clone();
            async move { Json(doc.as_ref().clone()) }
        }),
    )
    .merge(crate::apply::router())
    .fallback(|| async { ApiError::new(ErrorCode::RequestNotFound) })
    .method_not_allowed_fallback(|| async { ApiError::new(ErrorCode::RequestMethodNotAllowed) })
    .layer(DefaultBodyLimit::max(BODY_LIMIT))
    .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
        // The route template only: query strings and paths can carry
        // references (searches by number or name take bodies; a query
        // string sent anyway is never logged).
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "unmatched".to_owned());
        tracing::info_span!("request", method = %req.method(), route)
    }))
    .layer(RequestBodyLimitLayer::new(BATCH_BODY_LIMIT))
    .layer(axum::middleware::map_response(json_errors))
    .with_state(state)
}

/// Turns any error response that is not JSON (or an HTML page) into an
/// [`ErrorBody`], so clients always get a stable code.
async fn json_errors(resp: Response) -> Response {
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let ct = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if ct.starts_with("application/json") || ct.starts_with("text/html") {
        return resp;
    }
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::RequestTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::RequestUnsupportedMediaType,
        StatusCode::NOT_FOUND => ErrorCode::RequestNotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::RequestMethodNotAllowed,
        s if s.is_server_error() => ErrorCode::Internal,
        _ => ErrorCode::RequestMalformed,
    };
    let mut out = ApiError::new(code).into_response();
    *out.status_mut() = status;
    out
}
