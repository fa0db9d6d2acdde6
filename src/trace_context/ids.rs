//! The ids of a trace: [`TraceId`], [`SpanId`], [`TraceFlags`], and where fresh ones come from.

use std::fmt;

/// A 128-bit trace id, never all zero. Written as 32 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TraceId([u8; 16]);

/// A 64-bit span id, never all zero. Written as 16 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SpanId([u8; 8]);

/// The trace flags of W3C Trace Context: an 8-bit field, written as 2 lowercase hex digits.
///
/// Bit 0 is *sampled* (the caller may have recorded its part of the trace); bit 1, defined by
/// Trace Context Level 2, says the trace id's right-most 7 bytes are random. Other bits are
/// not defined yet and are not passed on.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TraceFlags(u8);

impl TraceId {
    /// The id from its 16 bytes, or `None` if they are all zero (an invalid id).
    pub const fn from_bytes(bytes: [u8; 16]) -> Option<Self> {
        if u128::from_be_bytes(bytes) == 0 {
            None
        } else {
            Some(Self(bytes))
        }
    }

    /// The id's 16 bytes.
    pub const fn to_bytes(self) -> [u8; 16] {
        self.0
    }

    /// Parses 32 lowercase hex digits; `None` for anything else or for the all-zero id.
    pub fn from_hex(hex: &[u8]) -> Option<Self> {
        decode_hex::<16>(hex).and_then(Self::from_bytes)
    }

    /// The id as 32 lowercase hex digits, on the stack.
    pub fn to_hex(self) -> Hex<32> {
        encode_hex(&self.0)
    }
}

impl SpanId {
    /// The id from its 8 bytes, or `None` if they are all zero (an invalid id).
    pub const fn from_bytes(bytes: [u8; 8]) -> Option<Self> {
        if u64::from_be_bytes(bytes) == 0 {
            None
        } else {
            Some(Self(bytes))
        }
    }

    /// The id's 8 bytes.
    pub const fn to_bytes(self) -> [u8; 8] {
        self.0
    }

    /// Parses 16 lowercase hex digits; `None` for anything else or for the all-zero id.
    pub fn from_hex(hex: &[u8]) -> Option<Self> {
        decode_hex::<8>(hex).and_then(Self::from_bytes)
    }

    /// The id as 16 lowercase hex digits, on the stack.
    pub fn to_hex(self) -> Hex<16> {
        encode_hex(&self.0)
    }
}

impl TraceFlags {
    /// The *sampled* bit.
    pub const SAMPLED: Self = Self(0x01);
    /// The *random trace id* bit of Trace Context Level 2.
    pub const RANDOM: Self = Self(0x02);
    // The bits this version of the spec defines; the others are not passed on.
    const KNOWN: u8 = 0x03;

    /// The flags from their byte; bits the spec does not define are cleared.
    pub const fn from_byte(byte: u8) -> Self {
        Self(byte & Self::KNOWN)
    }

    /// Only the *sampled* bit, set as `sampled` says.
    pub const fn sampled_only(sampled: bool) -> Self {
        Self(sampled as u8)
    }

    /// The flags' byte.
    pub const fn to_byte(self) -> u8 {
        self.0
    }

    /// Whether the *sampled* bit is set.
    pub const fn is_sampled(self) -> bool {
        self.0 & Self::SAMPLED.0 != 0
    }

    /// The flags as 2 lowercase hex digits, on the stack.
    pub fn to_hex(self) -> Hex<2> {
        encode_hex(&[self.0])
    }
}

/// Hex digits kept on the stack: what [`TraceId::to_hex`] and its siblings return.
#[derive(Clone, Copy)]
pub struct Hex<const N: usize>([u8; N]);

impl<const N: usize> Hex<N> {
    /// The digits as a string.
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits are ever written into it.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl<const N: usize> fmt::Display for Hex<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<const N: usize> fmt::Debug for Hex<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! hex_display {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.to_hex().as_str())
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($t), self.to_hex())
            }
        }
    )*};
}
hex_display!(TraceId, SpanId, TraceFlags);

/// The two lowercase hex digits of each byte.
const PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut table = [[0u8; 2]; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = [DIGITS[byte >> 4], DIGITS[byte & 0x0f]];
        byte += 1;
    }
    table
};

fn encode_hex<const B: usize, const N: usize>(bytes: &[u8; B]) -> Hex<N> {
    let mut out = [0u8; N];
    encode_into(bytes, &mut out);
    Hex(out)
}

/// Writes the hex digits of `bytes` into the start of `out`, which holds at least twice as many.
fn encode_into(bytes: &[u8], out: &mut [u8]) {
    for (pair, byte) in out.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&PAIRS[usize::from(*byte)]);
    }
}

/// The `trace_id`, `span_id` and `trace_flags` of a span as text, in one buffer on the stack.
pub(crate) struct SpanFields([u8; 50]);

impl SpanFields {
    pub(crate) fn new(trace_id: TraceId, span_id: SpanId, flags: TraceFlags) -> Self {
        let mut out = [0u8; 50];
        encode_into(&trace_id.0, &mut out[..32]);
        encode_into(&span_id.0, &mut out[32..48]);
        encode_into(&[flags.0], &mut out[48..]);
        Self(out)
    }

    /// The three fields, in that order.
    pub(crate) fn as_strs(&self) -> (&str, &str, &str) {
        // Hex digits only, checked once for the three.
        let all = std::str::from_utf8(&self.0).unwrap_or_default();
        match (all.get(..32), all.get(32..48), all.get(48..)) {
            (Some(trace), Some(span), Some(flags)) => (trace, span, flags),
            _ => ("", "", ""),
        }
    }
}

/// The value of each byte as a lowercase hex digit (`0-9a-f`), or `INVALID`: uppercase is
/// refused, as the spec says. A table, so that a digit costs one load and no branch.
const DIGIT: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut c = 0;
    while c < 10 {
        table[b'0' as usize + c] = c as u8;
        c += 1;
    }
    let mut c = 0;
    while c < 6 {
        table[b'a' as usize + c] = 10 + c as u8;
        c += 1;
    }
    table
};
const INVALID: u8 = 0xff;

/// Decodes exactly `2 * B` lowercase hex digits.
pub(crate) fn decode_hex<const B: usize>(hex: &[u8]) -> Option<[u8; B]> {
    if hex.len() != 2 * B {
        return None;
    }
    let mut out = [0u8; B];
    // Any invalid digit sets the high bits of `bad`; checked once at the end.
    let mut bad = 0u8;
    for (i, pair) in hex.chunks_exact(2).enumerate() {
        let (hi, lo) = (DIGIT[usize::from(pair[0])], DIGIT[usize::from(pair[1])]);
        bad |= hi | lo;
        out[i] = (hi << 4) | (lo & 0x0f);
    }
    (bad & 0xf0 == 0).then_some(out)
}

/// Where the ids of new traces and of our spans come from.
///
/// The default, [`RandomIds`], draws them from a thread-local CSPRNG. The trait is the seam for
/// another source: an OpenTelemetry bridge, say, that hands out the ids its tracer uses, so
/// that our log lines and the exported spans name the same trace. It has the shape of
/// OpenTelemetry's `IdGenerator`: implement it on a type.
pub trait MakeTraceIds: Send + Sync + 'static {
    /// A fresh trace id, for a request that continues no trace.
    fn new_trace_id(&self) -> TraceId;
    /// A fresh span id, for a request's span.
    fn new_span_id(&self) -> SpanId;
}

impl<T: MakeTraceIds + ?Sized> MakeTraceIds for std::sync::Arc<T> {
    fn new_trace_id(&self) -> TraceId {
        (**self).new_trace_id()
    }

    fn new_span_id(&self) -> SpanId {
        (**self).new_span_id()
    }
}

/// Random ids from a thread-local CSPRNG (the one `uuid` uses): 128 bits for a trace, 64 for a
/// span, never all zero.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomIds;

impl MakeTraceIds for RandomIds {
    fn new_trace_id(&self) -> TraceId {
        loop {
            if let Some(id) = TraceId::from_bytes(rand::random::<u128>().to_be_bytes()) {
                return id;
            }
        }
    }

    fn new_span_id(&self) -> SpanId {
        loop {
            if let Some(id) = SpanId::from_bytes(rand::random::<u64>().to_be_bytes()) {
                return id;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_what_the_spec_refuses() {
        let id = TraceId::from_hex(b"4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
        assert_eq!(id.to_hex().as_str(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert!(TraceId::from_hex(b"4BF92F3577B34DA6A3CE929D0E0E4736").is_none());
        assert!(TraceId::from_hex(&[b'0'; 32]).is_none());
        assert!(TraceId::from_hex(b"4bf92f3577b34da6a3ce929d0e0e473").is_none());
        assert!(SpanId::from_hex(b"00f067aa0ba902b7").is_some());
        assert!(SpanId::from_hex(b"0000000000000000").is_none());
        assert!(SpanId::from_hex(b"00f067aa0ba902bg").is_none());
        assert_eq!(TraceFlags::from_byte(0xff).to_hex().as_str(), "03");
        assert!(TraceFlags::sampled_only(true).is_sampled());
    }

    #[test]
    fn random_ids_differ() {
        let ids = RandomIds;
        assert_ne!(ids.new_trace_id(), ids.new_trace_id());
        assert_ne!(ids.new_span_id(), ids.new_span_id());
    }
}
