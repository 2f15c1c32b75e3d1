//! What the batched journal must know of an order to write a fill or an
//! amendment — its request and how much of it has filled — kept in memory
//! so that the write needs no read first. It mirrors committed rows only:
//! a step adds what it wrote after its commit succeeded, and any write
//! outside a step drops the order, to be read again when next needed.

use super::Store;
use crate::error::StoreError;
use rust_decimal::Decimal;
use smc_model::{ClientOrderId, OrderRequest};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// An order as the journal holds it, for the next write about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CachedOrder {
    pub request: OrderRequest,
    pub filled: Decimal,
    /// The venue trade ids of its recorded fills.
    pub trades: Vec<String>,
}

#[derive(Debug, Default)]
pub(crate) struct OrderCache(Mutex<HashMap<ClientOrderId, CachedOrder>>);

impl OrderCache {
    /// A plain map has no invariant a panic could break: a poisoned lock
    /// is taken over.
    fn map(&self) -> MutexGuard<'_, HashMap<ClientOrderId, CachedOrder>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Store {
    /// The order as committed: from the cache, else read (and cached).
    /// `None` when the journal has no such order.
    pub(crate) fn cached_order(
        &self,
        client_id: &ClientOrderId,
    ) -> Result<Option<CachedOrder>, StoreError> {
        if let Some(hit) = self.order_cache.map().get(client_id) {
            return Ok(Some(hit.clone()));
        }
        let Some(stored) = self.order(client_id)? else {
            return Ok(None);
        };
        let cached = CachedOrder {
            request: stored.request,
            filled: stored.filled_qty,
            trades: self.fills_of(client_id)?,
        };
        self.order_cache
            .map()
            .insert(client_id.clone(), cached.clone());
        Ok(Some(cached))
    }

    /// Drops an order from the cache (it is about to change outside a step).
    pub(crate) fn forget_order(&self, client_id: &ClientOrderId) {
        self.order_cache.map().remove(client_id);
    }

    /// Records what a committed step wrote.
    pub(crate) fn remember_orders(&self, committed: HashMap<ClientOrderId, CachedOrder>) {
        self.order_cache.map().extend(committed);
    }
}
