//! What the data-flow analysis knows about a value: where it came from (its origins, as
//! labels), what happened to it on the way (string building, sanitizers), and the path it took.

use std::sync::Arc;

use crate::ir::Range;
use crate::project::ModuleId;

/// The part of a request a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequestPart {
    /// The body (JSON, form fields).
    Body,
    /// The query string.
    Query,
    /// Path parameters.
    Params,
    /// Headers.
    Headers,
    /// Cookies.
    Cookies,
    /// Uploaded files.
    Files,
    /// The URL or path as a whole.
    Url,
    /// Query, body and path parameters merged (Rails' `params`).
    Parameters,
}

impl RequestPart {
    /// How the part reads in a finding's message.
    pub fn describe(self) -> &'static str {
        match self {
            RequestPart::Body => "the request body",
            RequestPart::Query => "the query string",
            RequestPart::Params => "a path parameter",
            RequestPart::Headers => "a request header",
            RequestPart::Cookies => "a cookie",
            RequestPart::Files => "an uploaded file",
            RequestPart::Url => "the request URL",
            RequestPart::Parameters => "the request parameters",
        }
    }

    /// Whether a web framework may parse this part into objects and arrays rather than strings
    /// (`?a[$ne]=1` with Express's query parser, any JSON body).
    pub fn may_hold_objects(self) -> bool {
        matches!(
            self,
            RequestPart::Body | RequestPart::Query | RequestPart::Parameters
        )
    }
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Data an HTTP client controls.
    Request(RequestPart),
    /// Parameter `index` of function `function` of the module being analysed (resolved at
    /// each call site; closures see their enclosing functions' parameters).
    Param {
        /// The function (its id in the module).
        function: u32,
        /// The parameter's position.
        index: u8,
        /// The property of the parameter the value was read from (`user.name`, `{ name }`),
        /// so an object literal argument contributes only that property at call sites.
        field: Option<Arc<str>>,
    },
    /// A record read from the database: the model or table, and whether the query chose or
    /// excluded fields.
    Record {
        /// The model or table name as written (`User`, `users`).
        model: Arc<str>,
        /// Whether fields were selected or excluded at the query.
        projected: bool,
        /// A serializer method the record went through (`to_dict`, `toJSON`), if any.
        serializer: Option<Arc<str>>,
    },
}

/// Bit set of flow kinds (one per flow rule) for which a value has been made safe.
pub type Kinds = u32;

/// Every kind.
pub const ALL_KINDS: Kinds = u32::MAX;

/// How the start of a string value is controlled, for sinks where only the start matters
/// (a redirect target, a URL fetched).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Prefix {
    /// The value starts with the tainted data itself.
    Tainted,
    /// Constant text precedes the tainted data.
    Static(Arc<str>),
    /// A value the client does not control (configuration, a variable) precedes it.
    Fixed,
}

/// One step of a value's path from its source.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Step {
    /// The module.
    pub module: ModuleId,
    /// The code.
    pub range: Range,
    /// What happens there.
    pub note: Arc<str>,
}

/// The path a value took, shared between the values derived from it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Trace {
    steps: Arc<Vec<Step>>,
}

/// Traces stop growing here; a finding shows the source, the first steps and the sink.
const MAX_TRACE_STEPS: usize = 12;

impl Trace {
    /// A trace that starts at `step`.
    pub fn start(step: Step) -> Trace {
        Trace {
            steps: Arc::new(vec![step]),
        }
    }

    /// The trace extended by `step` (unchanged when full or when `step` repeats the last one).
    pub fn then(&self, step: Step) -> Trace {
        if self.steps.len() >= MAX_TRACE_STEPS
            || self
                .steps
                .last()
                .is_some_and(|last| last.range == step.range && last.module == step.module)
        {
            return self.clone();
        }
        let mut steps = (*self.steps).clone();
        steps.push(step);
        Trace {
            steps: Arc::new(steps),
        }
    }

    /// This trace followed by `other`'s steps.
    pub fn join(&self, other: &Trace) -> Trace {
        let mut trace = self.clone();
        for step in other.steps.iter() {
            trace = trace.then(step.clone());
        }
        trace
    }

    /// The steps.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }
}

/// One origin of a value with what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Label {
    /// Where it came from.
    pub origin: Origin,
    /// Whether the value is the whole source object (`req.body`, a whole record), not a part.
    pub whole: bool,
    /// Whether it went into a string (concatenation, template, format): it is no longer an
    /// object an attacker could shape.
    pub string_built: bool,
    /// Kinds for which a sanitizer or a guard made it safe.
    pub cleansed: Kinds,
    /// How the start of the string is controlled.
    pub prefix: Prefix,
    /// Its path.
    pub trace: Trace,
}

impl Label {
    /// A fresh label for a value that comes straight from `origin`.
    pub fn new(origin: Origin, whole: bool, trace: Trace) -> Label {
        Label {
            origin,
            whole,
            string_built: false,
            cleansed: 0,
            prefix: Prefix::Tainted,
            trace,
        }
    }

    /// Whether the value came from the request.
    pub fn request_part(&self) -> Option<RequestPart> {
        match self.origin {
            Origin::Request(part) => Some(part),
            _ => None,
        }
    }

    /// Whether the label has been made safe for `kind`.
    pub fn is_cleansed(&self, kind: Kinds) -> bool {
        self.cleansed & kind != 0
    }

    /// This label as it arrives through a function parameter: `inner` is the parameter's
    /// label inside the callee at the point of interest.
    pub fn through(&self, inner: &Label) -> Label {
        Label {
            origin: self.origin.clone(),
            whole: self.whole && inner.whole,
            string_built: self.string_built || inner.string_built,
            cleansed: self.cleansed | inner.cleansed,
            prefix: match (&inner.prefix, &self.prefix) {
                (Prefix::Tainted, outer) => outer.clone(),
                (inner_prefix, _) => inner_prefix.clone(),
            },
            trace: self.trace.join(&inner.trace),
        }
    }
}

/// The labels of a value: a small set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels(Vec<Label>);

/// A value never carries more labels than this; more would only repeat the same origins.
const MAX_LABELS: usize = 8;

impl Labels {
    /// No labels: a value the analysis knows nothing about.
    pub fn none() -> Labels {
        Labels(Vec::new())
    }

    /// One label.
    pub fn one(label: Label) -> Labels {
        Labels(vec![label])
    }

    /// Whether there are no labels.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The labels.
    pub fn iter(&self) -> impl Iterator<Item = &Label> {
        self.0.iter()
    }

    /// Adds a label, keeping one per origin and shape.
    pub fn add(&mut self, label: Label) {
        if let Some(existing) = self.0.iter_mut().find(|l| {
            l.origin == label.origin
                && l.whole == label.whole
                && l.string_built == label.string_built
        }) {
            // Keep the less sanitized of the two: safe only if safe on every path.
            existing.cleansed &= label.cleansed;
            if existing.prefix != label.prefix && label.prefix == Prefix::Tainted {
                existing.prefix = Prefix::Tainted;
            }
            return;
        }
        if self.0.len() < MAX_LABELS {
            self.0.push(label);
        }
    }

    /// Adds every label of `other`.
    pub fn extend(&mut self, other: Labels) {
        for label in other.0 {
            self.add(label);
        }
    }

    /// The same labels, each changed by `change`.
    pub fn map(mut self, change: impl Fn(&mut Label)) -> Labels {
        for label in &mut self.0 {
            change(label);
        }
        self
    }

    /// Only the labels `keep` accepts.
    pub fn filter(mut self, keep: impl Fn(&Label) -> bool) -> Labels {
        self.0.retain(|label| keep(label));
        self
    }

    /// Each label with `step` appended to its trace.
    pub fn step(self, module: ModuleId, range: Range, note: &str) -> Labels {
        let note: Arc<str> = Arc::from(note);
        self.map(|label| {
            label.trace = label.trace.then(Step {
                module,
                range,
                note: note.clone(),
            })
        })
    }
}

impl FromIterator<Label> for Labels {
    fn from_iter<I: IntoIterator<Item = Label>>(iter: I) -> Labels {
        let mut labels = Labels::none();
        for label in iter {
            labels.add(label);
        }
        labels
    }
}
