//! Which setup each order of a session came from (the strategy names it
//! when it decides), so its fills and the chart's entry markers can say
//! why the agent traded. Bounded: the oldest orders are forgotten first.

use smc_model::Setup;
use std::collections::{HashMap, VecDeque};

/// Orders remembered.
const KEEP: usize = 4_096;

#[derive(Debug, Default, Clone)]
pub struct Setups {
    by_order: HashMap<String, String>,
    order: VecDeque<String>,
}

/// A setup as people read it: `fvg_retest:1h`.
pub fn label(setup: &Setup) -> String {
    match setup.timeframe {
        Some(tf) => format!("{}:{tf}", setup.pattern),
        None => setup.pattern.to_string(),
    }
}

impl Setups {
    pub fn insert(&mut self, client_id: &str, setup: &Setup) {
        if self.by_order.len() == KEEP
            && let Some(oldest) = self.order.pop_front()
        {
            self.by_order.remove(&oldest);
        }
        if self
            .by_order
            .insert(client_id.to_string(), label(setup))
            .is_none()
        {
            self.order.push_back(client_id.to_string());
        }
    }

    pub fn get(&self, client_id: &str) -> Option<&str> {
        self.by_order.get(client_id).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_forgets_the_oldest_first() {
        let mut s = Setups::default();
        let setup = Setup::fixed("ob_retest", "1h".parse().ok());
        for k in 0..=KEEP {
            s.insert(&format!("o{k}"), &setup);
        }
        assert_eq!(s.get("o0"), None, "the oldest went first");
        assert_eq!(s.get(&format!("o{KEEP}")), Some("ob_retest:1h"));
        assert_eq!(s.by_order.len(), KEEP);
        assert_eq!(label(&Setup::fixed("sma_cross", None)), "sma_cross");
    }
}
