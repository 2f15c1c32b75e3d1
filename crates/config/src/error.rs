//! Configuration errors: each names where the problem is.

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{origin}{}: {message}", location(*line, *column))]
    Parse {
        origin: String,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
    #[error("{origin}{}: `{key}` {message}", location(*line, None))]
    Invalid {
        origin: String,
        line: Option<usize>,
        key: String,
        message: String,
    },
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
    /// The `.env` file: unreadable, malformed, or readable by others.
    #[error("{path}: {message}")]
    EnvFile { path: String, message: String },
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

impl ConfigError {
    pub(crate) fn from_yaml(origin: &str, e: &serde_yaml_ng::Error) -> Self {
        let location = e.location();
        // serde_yaml_ng appends " at line L column C"; the location is shown in front instead.
        let message = e.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        ConfigError::Parse {
            origin: origin.to_string(),
            line: location.as_ref().map(|l| l.line()),
            column: location.as_ref().map(|l| l.column()),
            message,
        }
    }
}
