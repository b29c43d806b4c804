//! HTTP conventions shared by every route: the JSON body extractor, pagination, ETags, and the
//! middleware that stamps request ids and security headers and gates each route.

pub mod console;
pub mod cors;
pub mod county_slots;
pub mod etag;
pub mod idempotency;
pub mod json;
pub mod middleware;
pub mod page;
pub mod proxies;
pub mod query;
pub mod upload;
pub mod uploads_in_flight;
