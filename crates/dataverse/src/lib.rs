//! A client for a pipelines host: the Dataverse Web API of the environment where
//! Power Platform Pipelines is installed (spec `host-api.md` §4, §5, §8).
//!
//! [`Client`] speaks the transport: the OData headers every call sends, bearer
//! tokens from a [`TokenSource`], `@odata.nextLink` paging followed verbatim,
//! creates that answer 201-with-body or 204-with-`OData-EntityId`, the Dataverse
//! error envelope turned into a typed [`Error`], and polite retries (429
//! `Retry-After`, 502/503/504 and dropped connections, for idempotent calls only).
//! [`pipelines`] adds the typed calls a deployment needs (find the dev
//! environment's registration, pipelines, stages in order, create / validate /
//! deploy / cancel / retry a stage run, read it back); [`environment`] the typed reads of an
//! environment's own Web API (solutions, components, variables, connection references,
//! missing dependencies, who is signed in); [`stage_runs`] a dev environment's runs in bulk
//! and a run's package; [`tenant`] the tenant services beyond Dataverse (Global Discovery,
//! BAP environments, Power Apps connections). Callers never build a URL. The client cannot tell a
//! real host from Ferry's local one, and must not: both are tested the same way.

// Numbers here come from servers: overflow must be handled, never a panic.
#![warn(clippy::arithmetic_side_effects)]

mod client;
pub mod environment;
mod error;
pub mod odata;
pub mod pipelines;
pub mod stage_runs;
pub mod tenant;
mod token;

pub use client::{insecure_http, is_loopback, Client, ClientOptions, Page, RequestLog};
pub use error::{Error, ErrorKind};
pub use token::{StaticToken, TokenFuture, TokenSource};
