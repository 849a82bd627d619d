//! Files of `gwa apply` documents: loading (YAML or JSON), dispatch on `kind`, writing back.

mod error;
pub(crate) mod fields;
mod json;
pub(crate) mod node;
mod write;
mod yaml;

use std::fmt;

use serde_json::Value;

use crate::problem::Location;
use crate::problem::Problem;
use crate::profile::{CredentialIssuer, decode_credential_issuer};
use crate::secret::mask_secret_fields;
pub use error::LoadError;
pub use json::load_json;
pub use yaml::load_yaml;

use fields::Sink;
use node::{Node, NodeValue};

/// The `kind` of an Authorization Profile document.
pub const CREDENTIAL_ISSUER_KIND: &str = "CredentialIssuer";

/// The documents of one file, in order, with the warnings found while loading them.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Documents {
    /// Every non-empty document, in file order.
    pub documents: Vec<Document>,
    /// Warnings (unknown fields, documents without `kind`); errors make loading fail.
    pub warnings: Vec<Problem>,
}

/// One document of a file.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Document {
    /// `kind: CredentialIssuer`, modelled.
    CredentialIssuer(Box<CredentialIssuer>),
    /// Any other kind (`GatewayService`, `Product`, `DraftDataset`, ...), kept as is.
    Other(OtherDocument),
}

/// A document of a kind this crate does not model, kept whole so that writing loses nothing.
///
/// `Debug` masks values under keys named like secrets (a GatewayService's plugin
/// `client_secret`, for instance), at any depth.
#[derive(Clone, PartialEq)]
pub struct OtherDocument {
    kind: Option<String>,
    value: Value,
}

impl OtherDocument {
    /// Wraps a document value; its `kind` is read from it.
    pub fn new(value: Value) -> Self {
        let kind = value.get("kind").and_then(Value::as_str).map(str::to_owned);
        Self { kind, value }
    }

    /// Its `kind`, if it has a string one.
    pub fn kind(&self) -> Option<&str> {
        self.kind.as_deref()
    }

    /// The whole document, `kind` included.
    pub fn value(&self) -> &Value {
        &self.value
    }
}

impl fmt::Debug for OtherDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtherDocument")
            .field("kind", &self.kind)
            .field("value", &mask_secret_fields(&self.value))
            .finish()
    }
}

impl Document {
    /// The document's `kind`, if any.
    pub fn kind(&self) -> Option<&str> {
        match self {
            Self::CredentialIssuer(_) => Some(CREDENTIAL_ISSUER_KIND),
            Self::Other(other) => other.kind(),
        }
    }

    /// The profile, if this is one.
    pub fn as_credential_issuer(&self) -> Option<&CredentialIssuer> {
        match self {
            Self::CredentialIssuer(profile) => Some(profile),
            Self::Other(_) => None,
        }
    }
}

impl Documents {
    /// Documents to write, without warnings.
    ///
    /// ```
    /// use aps_core::{CredentialIssuer, Documents, OtherDocument};
    /// use serde_json::json;
    ///
    /// let docs = Documents::new(vec![
    ///     CredentialIssuer::new("My API default").into(),
    ///     aps_core::Document::Other(OtherDocument::new(json!({"kind": "Product", "name": "P"}))),
    /// ]);
    /// assert_eq!(
    ///     docs.to_yaml()?,
    ///     "---\nkind: CredentialIssuer\nname: My API default\n---\nkind: Product\nname: P\n"
    /// );
    /// # Ok::<(), aps_core::Error>(())
    /// ```
    pub fn new(documents: Vec<Document>) -> Self {
        Self {
            documents,
            warnings: Vec::new(),
        }
    }

    /// The Authorization Profiles among the documents.
    pub fn credential_issuers(&self) -> impl Iterator<Item = &CredentialIssuer> {
        self.documents
            .iter()
            .filter_map(Document::as_credential_issuer)
    }

    /// [`validate`](CredentialIssuer::validate)s every Authorization Profile among the
    /// documents: all their problems, in file order, each with its document index, line,
    /// column and field path. Documents of other kinds are not checked.
    ///
    /// # Examples
    /// ```
    /// let file = "kind: Product\nname: P\n---\nkind: CredentialIssuer\nname: My API default\n\
    ///             flow: client-credentials\nmode: auto\nclientAuthenticator: client-secret\n\
    ///             inheritFrom: Gold Shared IdP\navailableScopes: [Function1/read]\n";
    /// let problems = aps_core::load_yaml(file)?.validate();
    /// assert_eq!(
    ///     problems[0].to_string(),
    ///     "document 2, line 10, column 18: availableScopes: Client Scopes not supported with \
    ///      Shared IdP: remove availableScopes or inheritFrom"
    /// );
    /// # Ok::<(), aps_core::LoadError>(())
    /// ```
    pub fn validate(&self) -> Vec<Problem> {
        self.credential_issuers()
            .flat_map(CredentialIssuer::validate)
            .collect()
    }
}

impl From<CredentialIssuer> for Document {
    fn from(profile: CredentialIssuer) -> Self {
        Self::CredentialIssuer(Box::new(profile))
    }
}

/// Turns parsed documents into typed ones; all problems of all documents are collected.
fn dispatch(nodes: Vec<(usize, Node)>, mut problems: Vec<Problem>) -> Result<Documents, LoadError> {
    let mut documents = Vec::with_capacity(nodes.len());
    for (index, node) in nodes {
        let mut sink = Sink {
            document: Some(index),
            problems: Vec::new(),
        };
        if let Some(doc) = dispatch_one(&node, &mut sink) {
            documents.push(doc);
        }
        problems.append(&mut sink.problems);
    }
    // File order: by document, then position (problems without a position stay first).
    problems.sort_by_key(|p| (p.document, p.location.map(|at| (at.line, at.column))));
    if problems.iter().any(Problem::is_error) {
        return Err(LoadError::new(problems));
    }
    Ok(Documents {
        documents,
        warnings: problems,
    })
}

fn dispatch_one(node: &Node, sink: &mut Sink) -> Option<Document> {
    let kind = match &node.value {
        NodeValue::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.text == "kind")
            .map(|(_, v)| v),
        _ => None,
    };
    match kind.map(|k| &k.value) {
        Some(NodeValue::String(kind)) if kind == CREDENTIAL_ISSUER_KIND => {
            decode_credential_issuer(node, sink).map(Document::from)
        }
        Some(NodeValue::String(kind)) => Some(Document::Other(OtherDocument {
            kind: Some(kind.clone()),
            value: node.to_value(),
        })),
        _ => {
            let at = kind.and_then(|k| k.at).or(node.at);
            sink.warning(
                "kind",
                at,
                "document has no string `kind` (gwa would reject it); kept as is",
            );
            Some(Document::Other(OtherDocument {
                kind: None,
                value: node.to_value(),
            }))
        }
    }
}
