//! A bucket's keys in byte order, as slot numbers: what listings page through.

use std::ops::Bound;

use super::key::Key;

/// Most slot numbers one chunk holds before it splits in two.
const CHUNK: usize = 1024;

/// Slot numbers in each half of a chunk that splits.
const HALF: u32 = 512;

/// The slot numbers of a bucket's keys in ascending key order, kept in sorted chunks of at most
/// [`CHUNK`]: 4 bytes an entry (plus the chunks' slack), where a B-tree of the keys themselves
/// costs a copy of every key. The keys stay in the bucket's slots, so every method is given the
/// key of a slot number (`key_of`).
///
/// Finding a key is a binary search over the chunks' last keys, then within one chunk: O(log n)
/// key comparisons. Adding or removing one moves at most a chunk's slot numbers (4 KiB).
#[derive(Debug, Default)]
pub(super) struct Order {
    /// Non-empty chunks; all of them together are sorted by key.
    chunks: Vec<Vec<u32>>,
}

/// Where a key is, or would go: a chunk and a place in it.
#[derive(Debug, Clone, Copy)]
struct Place {
    chunk: usize,
    at: usize,
}

impl Order {
    /// No keys.
    pub(super) const fn new() -> Self {
        Self { chunks: Vec::new() }
    }

    /// The order of slots `0..n` whose keys are already ascending (a snapshot load), in full
    /// chunks: O(n).
    pub(super) fn ascending(n: u32) -> Self {
        let full = 2 * HALF;
        let chunks = (0..n)
            .step_by(CHUNK)
            .map(|first| (first..n.min(first + full)).collect())
            .collect();
        Self { chunks }
    }

    /// The first place whose key is not below `key` (`below` says whether a key is).
    fn place(&self, below: impl Fn(u32) -> bool) -> Place {
        let chunk = self
            .chunks
            .partition_point(|chunk| below(*chunk.last().expect("chunks are not empty")));
        let at = self
            .chunks
            .get(chunk)
            .map_or(0, |slots| slots.partition_point(|&slot| below(slot)));
        Place { chunk, at }
    }

    /// The place of `key` if it is in the order.
    fn find<'a>(&self, key: &Key, key_of: impl Fn(u32) -> &'a Key) -> Option<Place> {
        let place = self.place(|slot| key_of(slot) < key);
        let slot = *self.chunks.get(place.chunk)?.get(place.at)?;
        (key_of(slot) == key).then_some(place)
    }

    /// Add `slot`, whose key `key` is not in the order yet.
    pub(super) fn insert<'a>(&mut self, slot: u32, key: &Key, key_of: impl Fn(u32) -> &'a Key) {
        let mut place = self.place(|other| key_of(other) < key);
        if place.chunk == self.chunks.len() {
            // After every key: the end of the last chunk (or a first chunk).
            match self.chunks.len().checked_sub(1) {
                Some(chunk) => {
                    place = Place {
                        chunk,
                        at: self.chunks[chunk].len(),
                    }
                }
                None => self.chunks.push(Vec::new()),
            }
        }
        let chunk = &mut self.chunks[place.chunk];
        chunk.insert(place.at, slot);
        if chunk.len() > CHUNK {
            // A key past the end of a full chunk (keys arriving in ascending order) starts a
            // chunk of its own, leaving that one full; any other split halves the chunk.
            let at = if place.at == CHUNK {
                CHUNK
            } else {
                HALF as usize
            };
            let upper = chunk.split_off(at);
            self.chunks.insert(place.chunk + 1, upper);
        }
    }

    /// Take out the slot of `key`, if it is in the order.
    pub(super) fn remove<'a>(&mut self, key: &Key, key_of: impl Fn(u32) -> &'a Key) {
        let Some(place) = self.find(key, key_of) else {
            return;
        };
        let chunk = &mut self.chunks[place.chunk];
        chunk.remove(place.at);
        if chunk.is_empty() {
            self.chunks.remove(place.chunk);
        }
    }

    /// The slot of `key` has moved to `slot`.
    pub(super) fn moved<'a>(&mut self, key: &Key, slot: u32, key_of: impl Fn(u32) -> &'a Key) {
        if let Some(place) = self.find(key, key_of) {
            self.chunks[place.chunk][place.at] = slot;
        }
    }

    /// Every slot, in key order.
    pub(super) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.chunks.iter().flatten().copied()
    }

    /// The slots whose keys come after `start`, in key order: O(log n) to start.
    pub(super) fn after<'a>(
        &self,
        start: Bound<&Key>,
        key_of: impl Fn(u32) -> &'a Key,
    ) -> impl Iterator<Item = u32> + '_ {
        let place = match start {
            Bound::Unbounded => Place { chunk: 0, at: 0 },
            Bound::Included(key) => self.place(|slot| key_of(slot) < key),
            Bound::Excluded(key) => self.place(|slot| key_of(slot) <= key),
        };
        let first = self
            .chunks
            .get(place.chunk)
            .map(|chunk| &chunk[place.at..])
            .unwrap_or_default();
        let rest = self.chunks.get(place.chunk + 1..).unwrap_or_default();
        first.iter().chain(rest.iter().flatten()).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys `k00000`…, in slots made in a shuffled order, and the order built one insert at a
    /// time, checked against a sorted list.
    #[test]
    fn inserts_and_removes_keep_key_order_across_chunk_splits() {
        let n = 10 * HALF;
        let keys: Vec<Key> = (0..n)
            .map(|i| Key::from(format!("k{:05}", (i * 7919) % n).as_str()))
            .collect();
        let key_of = |slot: u32| &keys[slot as usize];
        let mut order = Order::new();
        for slot in 0..n {
            order.insert(slot, key_of(slot), key_of);
        }
        let sorted = |order: &Order| -> Vec<String> {
            order
                .iter()
                .map(|slot| key_of(slot).as_str().to_owned())
                .collect()
        };
        let mut expected: Vec<String> = keys.iter().map(|key| key.as_str().to_owned()).collect();
        expected.sort();
        assert_eq!(sorted(&order), expected);
        assert!(order.chunks.iter().all(|chunk| chunk.len() <= CHUNK));
        for slot in (0..n).step_by(3) {
            order.remove(key_of(slot), key_of);
        }
        expected.retain(|key| {
            let i: u32 = key[1..].parse().unwrap();
            // Slot s holds key (s * 7919) % n; keep the keys whose slot was not removed.
            !(0..n).step_by(3).any(|slot| (slot * 7919) % n == i)
        });
        assert_eq!(sorted(&order), expected);
        let after = Key::from("k01000");
        let page: Vec<u32> = order
            .after(Bound::Excluded(&after), key_of)
            .take(2)
            .collect();
        let page: Vec<&str> = page.iter().map(|&slot| key_of(slot).as_str()).collect();
        let from = expected
            .iter()
            .position(|key| key.as_str() > "k01000")
            .unwrap();
        assert_eq!(page, [&expected[from], &expected[from + 1]]);
    }

    #[test]
    fn an_ascending_order_pages_from_anywhere() {
        let keys: Vec<Key> = (0..3000)
            .map(|i| Key::from(format!("{i:05}").as_str()))
            .collect();
        let key_of = |slot: u32| &keys[slot as usize];
        let order = Order::ascending(3000);
        assert!(order.iter().eq(0..3000));
        let start = Key::from("01499x");
        assert_eq!(
            order.after(Bound::Excluded(&start), key_of).next(),
            Some(1500)
        );
        assert_eq!(
            order.after(Bound::Included(&keys[7]), key_of).next(),
            Some(7)
        );
        let end = Key::from("9");
        assert_eq!(order.after(Bound::Excluded(&end), key_of).next(), None);
        assert_eq!(Order::new().after(Bound::Unbounded, key_of).next(), None);
    }
}
