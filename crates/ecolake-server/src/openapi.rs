//! The OpenAPI 3.1 document of the API, generated from the handlers' annotations
//! (`GET /api/v1/openapi.json`).

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{commands, data, error, identity, meta, observations, ops, quarantine, sql};

/// The document.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "ecolake API",
        description = "Environmental monitoring data: the registry, observations, AQI, SQL, \
                       sharing and the ingestion gateway. Every response that is an error is \
                       `{\"code\", \"message\"}` with a stable code. Send `Authorization: Bearer \
                       TOKEN` (an API key or a login session) or nothing (anonymous: open data)."
    ),
    paths(
        crate::health,
        identity::login, identity::logout, identity::me,
        identity::keys, identity::create_key, identity::revoke_key,
        identity::request_access, identity::access_requests, identity::approve, identity::reject,
        identity::grants, identity::revoke_grant, identity::audit, identity::verify_audit,
        meta::sites, meta::site, meta::enterprises, meta::outlets, meta::permits,
        meta::datasets, meta::dataset, meta::write,
        data::observations, data::latest, data::aqi_latest, data::aqi,
        observations::post, sql::post,
        ops::stats, ops::frames, ops::forward, quarantine::list,
        commands::send, commands::of_device, commands::get,
    ),
    components(schemas(error::ErrorBody, error::Code, meta::Page)),
    modifiers(&Bearer, &Errors),
    security((), ("bearer" = [])),
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every operation's `default` response: any status it does not list is an error in the one
/// format (`401` for a bad credential, `429` beyond the quota, `413`, `415` …).
struct Errors;

impl Modify for Errors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let error = ResponseBuilder::new()
            .description("An error: `{\"code\", \"message\"}` with a stable code")
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build();
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in operations.into_iter().flatten() {
                op.responses
                    .responses
                    .entry("default".to_owned())
                    .or_insert_with(|| RefOr::T(error.clone()));
            }
        }
    }
}

/// `GET /api/v1/openapi.json`.
pub(crate) async fn document() -> impl IntoResponse {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let json = DOC.get_or_init(|| {
        ApiDoc::openapi()
            .to_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    });
    ([(header::CONTENT_TYPE, "application/json")], json.clone())
}
