//! `memkv:store/limits`: reading and changing what the store may hold.

use super::Component;
use super::bindings::exports::memkv::store::limits::{Guest, Limits, Usage};
use crate::engine::{Active, Engine as _};
use crate::store;

impl From<store::Limits> for Limits {
    fn from(limits: store::Limits) -> Self {
        Limits {
            max_key_bytes: limits.max_key_bytes,
            max_value_bytes: limits.max_value_bytes,
            max_total_bytes: limits.max_total_bytes,
            max_entries_per_bucket: limits.max_entries_per_bucket,
            max_buckets: limits.max_buckets,
            page_size: limits.page_size,
        }
    }
}

impl From<Limits> for store::Limits {
    fn from(limits: Limits) -> Self {
        store::Limits {
            max_key_bytes: limits.max_key_bytes,
            max_value_bytes: limits.max_value_bytes,
            max_total_bytes: limits.max_total_bytes,
            max_entries_per_bucket: limits.max_entries_per_bucket,
            max_buckets: limits.max_buckets,
            page_size: limits.page_size,
        }
    }
}

impl Guest for Component {
    fn get_limits() -> Limits {
        Active::limits().into()
    }

    fn set_limits(limits: Limits) -> Result<(), String> {
        Active::set_limits(limits.into())
    }

    fn get_usage() -> Usage {
        let usage = Active::usage();
        Usage {
            total_bytes: usage.total_bytes,
            entries: usage.entries,
            buckets: usage.buckets,
        }
    }
}
