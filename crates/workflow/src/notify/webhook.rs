//! One webhook request: the JSON payload, its HMAC-SHA256 signature, and the HTTP POST.
//!
//! The payload and signature are pure functions of their inputs, so a receiver (or a test) can
//! rebuild and check them; [`HttpTransport`] is the plain HTTP/1.1 client that posts them.

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http_body_util::Full;
use hyper::{header, Request, Uri};
use serde::Serialize;
use sha2::Sha256;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// Header carrying `sha256=<hex HMAC-SHA256 of the body, keyed with the secret>`.
pub const SIGNATURE_HEADER: &str = "x-fanzha-signature";
/// Header carrying the delivery's id: the same on every retry, so receivers can drop repeats.
pub const DELIVERY_HEADER: &str = "x-fanzha-delivery";
/// Header carrying the send time (epoch milliseconds UTC), also signed inside the body.
pub const TIMESTAMP_HEADER: &str = "x-fanzha-timestamp";

/// The body posted for one attempt of one delivery.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Payload<'a> {
    /// The delivery's id (equals the `X-Fanzha-Delivery` header).
    pub delivery_id: i64,
    pub webhook_id: i64,
    /// 1 for the first attempt.
    pub attempt: i64,
    /// When the notice was queued, epoch ms UTC.
    pub created_at: i64,
    /// When this attempt was sent, epoch ms UTC (equals the `X-Fanzha-Timestamp` header).
    pub sent_at: i64,
    /// The notice, as the closed loop announced it (`kind` tells which).
    pub notice: &'a serde_json::Value,
}

impl Payload<'_> {
    /// The exact bytes that are signed and sent.
    pub fn to_body(&self) -> Bytes {
        Bytes::from(serde_json::to_vec(self).expect("a payload always serializes"))
    }
}

type HmacSha256 = Hmac<Sha256>;

/// `sha256=<hex>`: the HMAC-SHA256 of `body` keyed with `secret`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `header` is the valid signature of `body` under `secret` (compared in constant
/// time). What a receiver written in Rust would call.
pub fn verify(secret: &[u8], body: &[u8], header: &str) -> bool {
    let Some(hex_mac) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_mac) else {
        return false;
    };
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// A signed request, ready to post.
#[derive(Clone, Debug)]
pub struct SignedRequest {
    pub url: String,
    pub body: Bytes,
    /// `(name, value)`: signature, delivery id, timestamp.
    pub headers: Vec<(&'static str, String)>,
}

impl SignedRequest {
    /// Builds the body for `payload` and signs it with `secret`.
    pub fn new(url: &str, secret: &str, payload: &Payload<'_>) -> SignedRequest {
        let body = payload.to_body();
        let signature = sign(secret.as_bytes(), &body);
        SignedRequest {
            url: url.to_string(),
            headers: vec![
                (SIGNATURE_HEADER, signature),
                (DELIVERY_HEADER, payload.delivery_id.to_string()),
                (TIMESTAMP_HEADER, payload.sent_at.to_string()),
            ],
            body,
        }
    }
}

/// What came of one attempt: the receiver's status, or why none came back.
pub type AttemptResult = Result<u16, String>;

/// Posts signed requests. The built-in [`HttpTransport`] speaks plain HTTP/1.1; a deployment
/// that must reach `https://` receivers directly plugs a TLS-capable client in here.
pub trait Transport: Send + Sync + 'static {
    fn post<'a>(
        &'a self,
        request: &'a SignedRequest,
    ) -> Pin<Box<dyn Future<Output = AttemptResult> + Send + 'a>>;
}

/// HTTP/1.1 over TCP, one connection per request, no redirects followed.
#[derive(Clone, Debug)]
pub struct HttpTransport {
    /// Connect, send and receive the status, all together.
    pub timeout: Duration,
}

impl Default for HttpTransport {
    fn default() -> Self {
        HttpTransport {
            timeout: Duration::from_secs(10),
        }
    }
}

impl Transport for HttpTransport {
    fn post<'a>(
        &'a self,
        request: &'a SignedRequest,
    ) -> Pin<Box<dyn Future<Output = AttemptResult> + Send + 'a>> {
        Box::pin(async move {
            match tokio::time::timeout(self.timeout, post_http1(request)).await {
                Ok(r) => r,
                Err(_) => Err(format!("no response within {:?}", self.timeout)),
            }
        })
    }
}

async fn post_http1(request: &SignedRequest) -> AttemptResult {
    let uri: Uri = request
        .url
        .parse()
        .map_err(|e| format!("invalid URL: {e}"))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => {
            return Err("https:// needs a TLS-capable transport (see docs/webhooks.md)".into())
        }
        _ => return Err("URL must start with http://".into()),
    }
    let authority = uri
        .authority()
        .ok_or_else(|| "URL has no host".to_string())?
        .clone();
    let port = authority.port_u16().unwrap_or(80);
    let stream = tokio::net::TcpStream::connect((authority.host(), port))
        .await
        .map_err(|e| format!("connect {}: {e}", authority))?;
    let _ = stream.set_nodelay(true);
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| format!("HTTP handshake: {e}"))?;
    tokio::spawn(async move {
        // Ends when the response is read and the sender dropped.
        let _ = connection.await;
    });
    let path = uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_string();
    let mut builder = Request::post(path)
        .header(header::HOST, authority.as_str())
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::USER_AGENT, "fanzha-webhook/1")
        .header(header::CONNECTION, "close");
    for (name, value) in &request.headers {
        builder = builder.header(*name, value.as_str());
    }
    let req = builder
        .body(Full::new(request.body.clone()))
        .map_err(|e| format!("request: {e}"))?;
    let response = sender
        .send_request(req)
        .await
        .map_err(|e| format!("HTTP: {e}"))?;
    Ok(response.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_a_known_vector() {
        // RFC 4231, test case 2.
        let s = sign(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            s,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(verify(b"Jefe", b"what do ya want for nothing?", &s));
        assert!(!verify(b"Jefe", b"what do ya want for nothing!", &s));
        assert!(!verify(b"jefe", b"what do ya want for nothing?", &s));
        assert!(!verify(b"Jefe", b"what do ya want for nothing?", &s[7..]));
        assert!(!verify(
            b"Jefe",
            b"what do ya want for nothing?",
            "sha256=zz"
        ));
    }

    #[test]
    fn request_signs_its_exact_body_and_names_the_delivery() {
        let notice = serde_json::json!({"kind": "warning", "unit_code": "330281"});
        let payload = Payload {
            delivery_id: 7,
            webhook_id: 2,
            attempt: 1,
            created_at: 1_000,
            sent_at: 2_000,
            notice: &notice,
        };
        let r = SignedRequest::new("http://127.0.0.1:1/x", "k", &payload);
        let get = |n: &str| {
            r.headers
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        assert!(verify(b"k", &r.body, &get(SIGNATURE_HEADER)));
        assert_eq!(get(DELIVERY_HEADER), "7");
        assert_eq!(get(TIMESTAMP_HEADER), "2000");
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["notice"], notice);
        assert_eq!(body["sent_at"], 2_000);
    }

    #[tokio::test]
    async fn unreachable_and_https_receivers_are_errors_not_panics() {
        let notice = serde_json::json!({});
        let payload = Payload {
            delivery_id: 1,
            webhook_id: 1,
            attempt: 1,
            created_at: 0,
            sent_at: 0,
            notice: &notice,
        };
        let t = HttpTransport::default();
        let https = SignedRequest::new("https://127.0.0.1:1/x", "k", &payload);
        assert!(t.post(&https).await.unwrap_err().contains("TLS"));
        // Port 1 on loopback: nothing listens there.
        let refused = SignedRequest::new("http://127.0.0.1:1/x", "k", &payload);
        assert!(t.post(&refused).await.is_err());
    }
}
