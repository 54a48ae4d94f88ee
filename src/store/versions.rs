//! What compare-and-swap observes of a key, and the swap that checks it.

use super::{BucketId, Error, Store};

/// What a compare-and-swap observed of one key of one bucket: which write its value came from
/// (or that it was absent), and in which store generation. Any later write to the key — through
/// any interface — or a snapshot load makes it stale. A bucket that does not exist (`None`)
/// reads as one with no writes yet, so a key observed there is still
/// unwritten once the bucket is created.
#[derive(Debug, Clone, Copy)]
pub struct Version {
    generation: u64,
    stamp: Option<u64>,
    removals: u64,
}

impl Version {
    /// An opaque text for an observation of a key that exists (`None` for an absent one): the
    /// same text exactly when [`Version::unchanged_at`] holds between two observations of it.
    pub fn token(&self) -> Option<String> {
        self.stamp
            .map(|stamp| format!("{:x}-{stamp:x}", self.generation))
    }

    /// The write stamp of the key observed, if it existed: any write gives the key a new one.
    pub fn stamp(&self) -> Option<u64> {
        self.stamp
    }

    /// Whether nothing has written the key between this observation and `now`: the same store
    /// generation and the same write stamp; for a key observed absent, also no deletion in the
    /// bucket (a write and delete leaves no stamp behind).
    pub fn unchanged_at(&self, now: &Version) -> bool {
        self.generation == now.generation
            && self.stamp == now.stamp
            && (self.stamp.is_some() || self.removals == now.removals)
    }
}

impl Store {
    /// Where `key` stands now, for a later [`Store::swap`]. O(1) expected.
    pub fn version(&self, bucket: impl Into<Option<BucketId>>, key: &str) -> Version {
        let (stamp, removals) = self.bucket(bucket).version(key);
        Version {
            generation: self.generation,
            stamp,
            removals,
        }
    }

    /// Store `value` under `key` if nothing has written the key since `expected` was observed;
    /// returns whether it did. A key observed absent must still be absent and not have been
    /// written and deleted since (any deletion in the bucket counts, so a swap on an absent key
    /// can fail for a deletion of another key: never the other way round). A write a limit
    /// refuses is an error. O(1) expected.
    pub fn swap(
        &mut self,
        bucket: BucketId,
        key: &str,
        expected: &Version,
        value: Vec<u8>,
    ) -> Result<bool, Error> {
        if !expected.unchanged_at(&self.version(bucket, key)) {
            return Ok(false);
        }
        self.set(bucket, key, value)?;
        Ok(true)
    }
}
