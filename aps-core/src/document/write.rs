//! Writing documents back, in a form that reads back to the same values.

use serde_json::{Map, Value};

use super::{CREDENTIAL_ISSUER_KIND, Document, Documents};
use crate::error::Error;
use crate::profile::CredentialIssuer;
use crate::yaml_out::to_yaml;

impl Document {
    /// The document as a JSON value: `kind` first, then the fields in the portal's order,
    /// then unknown fields. Secrets are written as they are; redact first to show them.
    pub fn to_value(&self) -> Value {
        match self {
            Self::CredentialIssuer(profile) => profile.to_document_value(),
            Self::Other(other) => other.value().clone(),
        }
    }
}

impl CredentialIssuer {
    /// This profile as a `kind: CredentialIssuer` document value.
    pub fn to_document_value(&self) -> Value {
        let mut map = Map::new();
        map.insert("kind".into(), Value::String(CREDENTIAL_ISSUER_KIND.into()));
        // Serialising plain data (strings, lists, maps) into a Value cannot fail.
        if let Ok(Value::Object(fields)) = serde_json::to_value(self) {
            map.extend(fields);
        }
        Value::Object(map)
    }

    /// This profile as one YAML document (with `kind`). Secrets are written as they are.
    ///
    /// # Errors
    /// [`Error::Write`] if the YAML writer fails (it does not for profile values).
    pub fn to_yaml(&self) -> Result<String, Error> {
        to_yaml(&self.to_document_value())
    }
}

impl Documents {
    /// Writes every document as YAML, separated by `---`, in order. Loading the result gives
    /// equal documents. Secrets are written as they are.
    ///
    /// # Errors
    /// [`Error::Write`] if the YAML writer fails.
    ///
    /// # Examples
    /// ```
    /// let text = "kind: CredentialIssuer\nname: My API default\n---\nkind: Product\nname: P\n";
    /// let docs = aps_core::load_yaml(text)?;
    /// let written = docs.to_yaml()?;
    /// assert_eq!(aps_core::load_yaml(&written)?.documents, docs.documents);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_yaml(&self) -> Result<String, Error> {
        let mut out = String::new();
        for doc in &self.documents {
            out.push_str("---\n");
            out.push_str(&to_yaml(&doc.to_value())?);
        }
        Ok(out)
    }

    /// Writes the documents as a pretty JSON array.
    pub fn to_json(&self) -> String {
        let values: Vec<Value> = self.documents.iter().map(Document::to_value).collect();
        // A Vec of Values always serialises.
        serde_json::to_string_pretty(&values).unwrap_or_default()
    }
}
