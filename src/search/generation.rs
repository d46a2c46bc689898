//! A value derived from the whole index (the completion table, the compound table), kept until a
//! commit starts a new index generation and rebuilt on first use after it.

use std::sync::{Arc, Mutex};

pub(crate) struct PerGeneration<T>(Mutex<Option<(u64, Arc<T>)>>);

impl<T> Default for PerGeneration<T> {
    fn default() -> Self {
        PerGeneration(Mutex::new(None))
    }
}

impl<T> PerGeneration<T> {
    /// The value of `generation`, built with `build` when the one kept is of another generation.
    /// Searches wait while it is built: once per commit, and cheaper than building it twice.
    pub fn get<E>(&self, generation: u64, build: impl FnOnce() -> Result<T, E>) -> Result<Arc<T>, E> {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((g, value)) = kept.as_ref() {
            if *g == generation {
                return Ok(value.clone());
            }
        }
        let value = Arc::new(build()?);
        *kept = Some((generation, value.clone()));
        Ok(value)
    }
}

impl<T> std::fmt::Debug for PerGeneration<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PerGeneration")
    }
}
