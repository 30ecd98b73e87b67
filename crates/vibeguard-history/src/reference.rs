//! How a user names a run: its id, `latest`, `previous`, or a deployment label (the newest run
//! with that label).

use crate::store::{HistoryError, HistoryStore, RunFilter};

/// A run as named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunRef {
    /// By its id.
    Id(i64),
    /// The newest run in scope.
    Latest,
    /// The one before the newest.
    Previous,
    /// The newest run with this label (`*` matches any run of characters).
    Label(String),
}

impl RunRef {
    /// Reads a reference: a number is an id, `latest` and `previous` are themselves, anything
    /// else a label.
    pub fn parse(text: &str) -> RunRef {
        let text = text.trim();
        match text {
            "latest" | "last" => RunRef::Latest,
            "previous" | "prev" => RunRef::Previous,
            _ => match text.strip_prefix('#').unwrap_or(text).parse::<i64>() {
                Ok(id) => RunRef::Id(id),
                Err(_) => RunRef::Label(text.to_string()),
            },
        }
    }

    /// The id of the run this names among the runs `scope` admits.
    pub fn resolve(
        &self,
        store: &dyn HistoryStore,
        scope: &RunFilter,
    ) -> Result<i64, HistoryError> {
        let pick = |filter: &RunFilter, index: usize, what: &str| {
            store
                .runs(filter)?
                .get(index)
                .map(|run| run.id)
                .ok_or_else(|| HistoryError::NotFound(what.to_string()))
        };
        match self {
            RunRef::Id(id) => match store.run(*id)? {
                Some(_) => Ok(*id),
                None => Err(HistoryError::NotFound(format!(
                    "there is no run {id} in the history (`vibeguard history` lists them)"
                ))),
            },
            RunRef::Latest => pick(scope, 0, "the history holds no run of this project yet"),
            RunRef::Previous => pick(
                scope,
                1,
                "the history holds fewer than two runs of this project: nothing to compare with yet",
            ),
            RunRef::Label(label) => {
                let filter = RunFilter {
                    label: Some(label.clone()),
                    ..scope.clone()
                };
                pick(
                    &filter,
                    0,
                    &format!(
                        "no run labelled `{label}` in the history of this project (`vibeguard history` lists the runs and their labels)"
                    ),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RunRef;

    #[test]
    fn references_read_as_ids_words_or_labels() {
        assert_eq!(RunRef::parse("12"), RunRef::Id(12));
        assert_eq!(RunRef::parse("#12"), RunRef::Id(12));
        assert_eq!(RunRef::parse("latest"), RunRef::Latest);
        assert_eq!(RunRef::parse("previous"), RunRef::Previous);
        assert_eq!(RunRef::parse("staging"), RunRef::Label("staging".into()));
    }
}
