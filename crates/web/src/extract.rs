//! Extractors whose rejections are [`WebError`]s: a malformed query string answers with the
//! platform's error body (`{code, message, what_to_do}`, code `request_invalid`) like every
//! other failure, instead of axum's plain-text rejection.

use crate::error::WebError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// `axum::extract::Query` with a typed rejection.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(rejection) => Err(WebError::BadRequest(format!(
                "{}; correct the query string (see /api/openapi.json for its parameters)",
                rejection.body_text()
            ))),
        }
    }
}

/// A JSON request body (`axum::Json`) with a typed rejection: a body that is not JSON, or not
/// the expected shape, answers `request_invalid` with serde's account of what is wrong.
pub struct JsonBody<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(WebError::BadRequest(format!(
                "{}; send a JSON body as described in /api/openapi.json",
                rejection.body_text()
            ))),
        }
    }
}

/// A submitted form (`axum::Form`) with a typed rejection: a field that does not parse answers
/// `request_invalid`, which the page shows as a toast naming the field.
pub struct FormBody<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for FormBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(FormBody(value)),
            Err(rejection) => Err(WebError::BadRequest(format!(
                "{}; correct the form and submit it again",
                rejection.body_text()
            ))),
        }
    }
}
